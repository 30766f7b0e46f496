-- 可能属于第十二条第（五）项情形的案件（需在认定时核实）：本季度立案、经比对有同类在先失误的案件及其在先案件
SELECT
    r.case_id, r.officer, r.unit, r.problem, r.kind,
    r.prior_case_ids, r.first_prior_on, r.gap_days, r.outcome, r.inconsistent,
    r.basis_uncertain, r.pending_priors
FROM repeats r
JOIN cases c ON c.case_id = r.case_id
WHERE c.filed_quarter = '${quarter}'
ORDER BY r.officer, c.filed_on, r.case_id, r.kind

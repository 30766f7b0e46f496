-- 重复错误清单（第十二条第（五）项）：本季度立案、被认定为重复失误的案件及其在先案件
SELECT
    r.case_id, r.officer, r.unit, r.problem, r.kind,
    r.prior_case_ids, r.first_prior_on, r.gap_days, r.outcome, r.inconsistent
FROM repeats r
JOIN cases c ON c.case_id = r.case_id
WHERE c.filed_quarter = '${quarter}'
ORDER BY r.officer, c.filed_on, r.case_id, r.kind

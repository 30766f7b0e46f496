-- 本季度立案案件清单：编号、单位、领域、问题类型、立案日期、认定结果与简要案情
SELECT case_id, unit, domain, error_type, filed_on, outcome, summary
FROM cases
WHERE filed_quarter = '${quarter}'
ORDER BY unit, filed_on, case_id

-- 逾期未办结清单：截至基准日已超过期限仍未完成的事项，按逾期天数从多到少
SELECT case_id, unit, rule, article, start, deadline, days_late
FROM deadlines
WHERE status = 'overdue'
ORDER BY days_late DESC, case_id, rule

-- 本季度易错风险点（第二十一条）：告警或预警级别的单元格，按加权件数排序
SELECT window, dims, unit, domain, error_type, count, weighted, expected, ratio, p_value, q_value, signals, level, case_ids
FROM hotspots
WHERE window = '${quarter}' AND level IN ('alarm', 'warning')
ORDER BY weighted DESC, dims, unit, domain, error_type

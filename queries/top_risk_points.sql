-- 本季度易错风险点（第二十一条）：告警或预警级别的单元格，按加权件数排序。
-- unit_repeats：单位×问题类型单元格中，本单位在同一问题上重复出现的件数（第十二条第（五）项在单位层面的对照）
SELECT window, dims, unit, domain, error_type, count, unit_repeats, weighted, expected, ratio, p_value, q_value, signals, level, case_ids
FROM hotspots
WHERE window = '${quarter}' AND level IN ('alarm', 'warning')
ORDER BY weighted DESC, dims, unit, domain, error_type

-- 本季度易错风险点（第二十一条）：告警或预警级别的单元格，按加权件数排序。件数只计已认定存在失误的案件；
-- undecided：尚未认定的件数；officer_repeats：其中经比对可能属于第十二条第（五）项情形的件数与人数；
-- after_correction：同一单元格的在先失误整改完成后一年内再次发生的件数
SELECT window, dims, unit, domain, error_type, count, pending AS undecided, expected, ratio,
       officer_repeats, after_correction, signals, level, case_ids
FROM hotspots
WHERE window = '${quarter}' AND level IN ('alarm', 'warning')
ORDER BY weighted DESC, dims, unit, domain, error_type

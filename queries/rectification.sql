-- 整改情况（第二十条）：各单位已认定案件中按期完成、逾期完成、逾期未完成、尚未到期的整改件数（有延期的按延期后的日期）
SELECT
    "group" AS unit,
    SUM(CASE WHEN item = '按期完成' THEN count ELSE 0 END) AS on_time,
    SUM(CASE WHEN item = '逾期完成' THEN count ELSE 0 END) AS late,
    SUM(CASE WHEN item = '逾期未完成' THEN count ELSE 0 END) AS not_done,
    SUM(CASE WHEN item = '未到期' THEN count ELSE 0 END) AS not_due,
    MAX(base) AS total
FROM outcomes
WHERE section = 'rectification_by_unit'
GROUP BY "group"
ORDER BY not_done DESC, late DESC, unit

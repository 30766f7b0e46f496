-- 整改情况（第二十条）：各单位按期完成、逾期完成、未完成整改的件数
SELECT
    "group" AS unit,
    SUM(CASE WHEN item = '按期完成' THEN count ELSE 0 END) AS on_time,
    SUM(CASE WHEN item = '逾期完成' THEN count ELSE 0 END) AS late,
    SUM(CASE WHEN item = '未完成' THEN count ELSE 0 END) AS not_done,
    MAX(base) AS total
FROM outcomes
WHERE section = 'rectification_by_unit'
GROUP BY "group"
ORDER BY not_done DESC, late DESC, unit

-- 本季度分单位情况：立案数、已认定数、免责/减轻/从轻数（含依第十一条的减轻、从轻）、不予容错数、未结数
SELECT
    unit,
    COUNT(*) AS filed,
    SUM(CASE WHEN outcome IS NOT NULL THEN 1 ELSE 0 END) AS decided,
    SUM(CASE WHEN outcome IN ('免责', '减轻', '从轻') THEN 1 ELSE 0 END) AS lenient,
    SUM(CASE WHEN outcome = '不予容错' THEN 1 ELSE 0 END) AS not_tolerated,
    SUM(CASE WHEN outcome IS NULL THEN 1 ELSE 0 END) AS open
FROM cases
WHERE filed_quarter = '${quarter}'
GROUP BY unit
ORDER BY filed DESC, unit

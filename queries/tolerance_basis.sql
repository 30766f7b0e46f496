-- 本季度免责、减轻、从轻认定的依据：免责，依第十条、依第十一条减轻从轻，及未载明第十条或第十一条的减轻从轻
SELECT basis, COUNT(*) AS count
FROM (
    SELECT CASE
        WHEN outcome = '免责' THEN '免责'
        WHEN clause_article = 10 THEN '依第十条减轻、从轻'
        WHEN clause_article = 11 THEN '依第十一条减轻、从轻'
        ELSE '减轻、从轻未载明第十条或第十一条'
    END AS basis
    FROM cases
    WHERE decided_quarter = '${quarter}' AND outcome IN ('免责', '减轻', '从轻')
) t
GROUP BY basis
ORDER BY basis

-- 条款适用情况：第九至十二条各项被引用的次数（含从未适用的条款，次数为 0）
SELECT
    item AS clause,
    count,
    base AS cited_decisions,
    share
FROM outcomes
WHERE section = 'clause_use'
ORDER BY CAST(SPLIT_PART(item, '.', 1) AS INTEGER), CAST(SPLIT_PART(item, '.', 2) AS INTEGER)

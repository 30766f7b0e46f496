-- 兜底条款适用情况：各单位引用第九条第（九）项、第十条第（十）项、第十一条第（三）项、第十二条第（七）项的认定数及占该单位引用条款认定数的比例
SELECT
    "group" AS unit,
    item AS clause,
    count,
    base AS cited_decisions,
    share
FROM outcomes
WHERE section = 'catch_all_by_unit' AND count > 0
ORDER BY share DESC, count DESC, unit, clause

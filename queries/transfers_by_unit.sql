-- 移交被监督单位自行调查的情况（第十五条）：各单位案件中移交调查的件数与占比
SELECT "group" AS unit, count AS transferred, base AS cases, share
FROM outcomes
WHERE section = 'transfer_by_unit' AND count > 0
ORDER BY count DESC, unit

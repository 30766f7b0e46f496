-- 本季度认定结果构成：各结果件数及占已认定案件的比例（按认定日期归属季度）
WITH d AS (
    SELECT outcome, COUNT(*) AS n
    FROM cases
    WHERE decided_quarter = '${quarter}' AND outcome IS NOT NULL
    GROUP BY outcome
),
t AS (
    SELECT SUM(n) AS total FROM d
)
SELECT d.outcome, d.n AS count, CAST(d.n AS DOUBLE) / t.total AS share
FROM d CROSS JOIN t
ORDER BY d.n DESC, d.outcome

-- 复核情况（第十九条）：各单位复核申请率与复核改变（变更、撤销）率
WITH applied AS (
    SELECT "group" AS unit, count AS applications, base AS decided, share AS application_rate
    FROM outcomes
    WHERE section = 'review_by_unit'
),
changed AS (
    SELECT "group" AS unit, count AS changed, base AS reviewed, share AS changed_rate
    FROM outcomes
    WHERE section = 'review_changed_by_unit'
)
SELECT a.unit, a.applications, a.decided, a.application_rate, c.changed, c.reviewed, c.changed_rate
FROM applied a
LEFT JOIN changed c ON c.unit = a.unit
ORDER BY a.applications DESC, a.unit

-- 本季度分执法领域情况：立案数、已认定数、不予容错数，及最多的问题类型
WITH counts AS (
    SELECT
        domain,
        COUNT(*) AS filed,
        SUM(CASE WHEN outcome IS NOT NULL THEN 1 ELSE 0 END) AS decided,
        SUM(CASE WHEN outcome = '不予容错' THEN 1 ELSE 0 END) AS not_tolerated
    FROM cases
    WHERE filed_quarter = '${quarter}'
    GROUP BY domain
),
errors AS (
    SELECT domain, error_type, COUNT(*) AS n
    FROM cases
    WHERE filed_quarter = '${quarter}'
    GROUP BY domain, error_type
),
best AS (
    SELECT domain, MAX(n) AS top_n FROM errors GROUP BY domain
),
pick AS (
    -- the most frequent error type; ties go to the first in text order
    SELECT e.domain, MIN(e.error_type) AS top_error_type, MAX(e.n) AS top_error_count
    FROM errors e
    JOIN best t ON t.domain = e.domain AND e.n = t.top_n
    GROUP BY e.domain
)
SELECT c.domain, c.filed, c.decided, c.not_tolerated, p.top_error_type, p.top_error_count
FROM counts c
LEFT JOIN pick p ON p.domain = c.domain
ORDER BY c.filed DESC, c.domain

-- 按季度汇总：立案、认定、季末未结，及各认定结果件数（季度按立案日期/认定日期归属）
WITH quarters AS (
    SELECT DISTINCT filed_quarter AS quarter FROM cases
),
filed AS (
    SELECT filed_quarter AS quarter, COUNT(*) AS filed FROM cases GROUP BY filed_quarter
),
decided AS (
    SELECT
        decided_quarter AS quarter,
        COUNT(*) AS decided,
        SUM(CASE WHEN outcome = '履职尽责' THEN 1 ELSE 0 END) AS "履职尽责",
        SUM(CASE WHEN outcome = '免责' THEN 1 ELSE 0 END) AS "免责",
        SUM(CASE WHEN outcome = '减轻' THEN 1 ELSE 0 END) AS "减轻",
        SUM(CASE WHEN outcome = '从轻' THEN 1 ELSE 0 END) AS "从轻",
        SUM(CASE WHEN outcome = '不予容错' THEN 1 ELSE 0 END) AS "不予容错"
    FROM cases
    WHERE decided_quarter IS NOT NULL AND outcome IS NOT NULL
    GROUP BY decided_quarter
),
-- 季末未结 = 截至季末已立案 − 截至季末已立案且已认定（认定季度与立案季度取较晚者），
-- 按季度累计，不逐案展开季度（千万件台账上展开需 1 GB 以上内存）
closed AS (
    SELECT
        CASE WHEN decided_quarter > filed_quarter THEN decided_quarter ELSE filed_quarter END AS quarter,
        COUNT(*) AS closed
    FROM cases
    WHERE filed_quarter IS NOT NULL AND decided_quarter IS NOT NULL
    GROUP BY 1
),
filed_to_date AS (
    SELECT q.quarter, SUM(f.filed) AS n
    FROM quarters q CROSS JOIN filed f
    WHERE f.quarter <= q.quarter
    GROUP BY q.quarter
),
closed_to_date AS (
    SELECT q.quarter, SUM(c.closed) AS n
    FROM quarters q CROSS JOIN closed c
    WHERE c.quarter <= q.quarter
    GROUP BY q.quarter
),
open_at_end AS (
    SELECT q.quarter, COALESCE(f.n, 0) - COALESCE(c.n, 0) AS open_at_end
    FROM quarters q
    LEFT JOIN filed_to_date f ON f.quarter = q.quarter
    LEFT JOIN closed_to_date c ON c.quarter = q.quarter
)
SELECT
    q.quarter,
    COALESCE(f.filed, 0) AS filed,
    COALESCE(d.decided, 0) AS decided,
    COALESCE(o.open_at_end, 0) AS open_at_end,
    COALESCE(d."履职尽责", 0) AS "履职尽责",
    COALESCE(d."免责", 0) AS "免责",
    COALESCE(d."减轻", 0) AS "减轻",
    COALESCE(d."从轻", 0) AS "从轻",
    COALESCE(d."不予容错", 0) AS "不予容错"
FROM quarters q
LEFT JOIN filed f ON f.quarter = q.quarter
LEFT JOIN decided d ON d.quarter = q.quarter
LEFT JOIN open_at_end o ON o.quarter = q.quarter
ORDER BY q.quarter

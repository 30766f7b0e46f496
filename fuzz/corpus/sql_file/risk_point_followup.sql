-- 风险点降温情况（第二十一条）：各季度告警、预警的风险点，下一季度是否已不再被标记
WITH f AS (
    SELECT DISTINCT
        window,
        dims,
        COALESCE(unit, '') AS unit,
        COALESCE(domain, '') AS domain,
        COALESCE(error_type, '') AS error_type
    FROM hotspots
    WHERE level IN ('alarm', 'warning')
),
windows AS (
    SELECT DISTINCT window FROM hotspots
),
nxt AS (
    SELECT
        f.*,
        CASE
            WHEN CAST(SUBSTR(f.window, 6, 1) AS INTEGER) = 4
                THEN CONCAT(CAST(CAST(SUBSTR(f.window, 1, 4) AS INTEGER) + 1 AS VARCHAR), 'Q1')
            ELSE CONCAT(SUBSTR(f.window, 1, 5), CAST(CAST(SUBSTR(f.window, 6, 1) AS INTEGER) + 1 AS VARCHAR))
        END AS next_window
    FROM f
),
followed AS (
    SELECT n.window, n.dims, n.unit, n.domain, n.error_type,
           CASE WHEN g.window IS NULL THEN 1 ELSE 0 END AS cooled
    FROM nxt n
    JOIN windows w ON w.window = n.next_window
    LEFT JOIN f g
        ON g.window = n.next_window AND g.dims = n.dims AND g.unit = n.unit
       AND g.domain = n.domain AND g.error_type = n.error_type
)
SELECT window AS quarter, COUNT(*) AS flagged, SUM(cooled) AS cooled,
       CAST(SUM(cooled) AS DOUBLE) / COUNT(*) AS share
FROM followed
GROUP BY window
ORDER BY window

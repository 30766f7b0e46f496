-- 办理用时分布（第十五至二十条）：已完成事项从起算到完成的天数（中位数、90%分位、最长）及期限内完成占比
WITH d AS (
    SELECT rule, status, CAST(actual AS INTEGER) - CAST(start AS INTEGER) AS days
    FROM deadlines
    WHERE actual IS NOT NULL AND start IS NOT NULL
      AND NOT (rule = 'D22-feedback' AND deadline IS NULL)
)
SELECT
    rule,
    COUNT(*) AS total,
    MEDIAN(days) AS median_days,
    QUANTILE_CONT(days, 0.9) AS p90_days,
    MAX(days) AS max_days,
    CAST(SUM(CASE WHEN status = 'met' THEN 1 ELSE 0 END) AS DOUBLE) / COUNT(*) AS within_limit
FROM d
GROUP BY rule
ORDER BY rule

-- 期限执行情况：各项期限规则的按期、逾期、未结等件数及按期率（本季度立案的案件；
-- 按期率 = 按期 ÷（按期 + 逾期完成 + 逾期未结 + 违反），即已完成或已到期事项中按期的比例；
-- 第二十二条反馈办法未规定期限，未设 feedback_days 时不列入）
WITH d AS (
    SELECT rule, article, status
    FROM deadlines
    WHERE filed_on BETWEEN '${from}' AND '${to}'
      AND NOT (rule = 'D22-feedback' AND deadline IS NULL)
)
SELECT
    rule,
    article,
    COUNT(*) AS total,
    SUM(CASE WHEN status = 'met' THEN 1 ELSE 0 END) AS met,
    SUM(CASE WHEN status = 'late' THEN 1 ELSE 0 END) AS late,
    SUM(CASE WHEN status = 'overdue' THEN 1 ELSE 0 END) AS overdue,
    SUM(CASE WHEN status = 'due-soon' THEN 1 ELSE 0 END) AS due_soon,
    SUM(CASE WHEN status = 'pending' THEN 1 ELSE 0 END) AS pending,
    SUM(CASE WHEN status = 'breach' THEN 1 ELSE 0 END) AS breach,
    CAST(SUM(CASE WHEN status = 'met' THEN 1 ELSE 0 END) AS DOUBLE)
        / NULLIF(SUM(CASE WHEN status IN ('met', 'late', 'overdue', 'breach') THEN 1 ELSE 0 END), 0) AS met_rate
FROM d
GROUP BY rule, article
ORDER BY rule

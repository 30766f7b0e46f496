-- 各季度立案案件中经比对可能属于第十二条第（五）项情形的案件数及占比，及其中已给予容错免责处理的件数（比对线索，不是认定结论）
WITH r AS (
    SELECT DISTINCT case_id FROM repeats
),
i AS (
    SELECT DISTINCT case_id FROM repeats WHERE inconsistent
),
c AS (
    SELECT
        c.filed_quarter AS quarter,
        COUNT(*) AS cases,
        SUM(CASE WHEN r.case_id IS NOT NULL THEN 1 ELSE 0 END) AS repeat_cases,
        SUM(CASE WHEN i.case_id IS NOT NULL THEN 1 ELSE 0 END) AS inconsistent_cases
    FROM cases c
    LEFT JOIN r ON r.case_id = c.case_id
    LEFT JOIN i ON i.case_id = c.case_id
    GROUP BY c.filed_quarter
)
SELECT quarter, cases, repeat_cases, CAST(repeat_cases AS DOUBLE) / cases AS repeat_rate, inconsistent_cases
FROM c
ORDER BY quarter

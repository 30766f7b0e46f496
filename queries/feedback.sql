-- 举报反馈与澄清正名（第二十二条）：应反馈实名举报人的件数与已反馈件数、反馈用时，经查属恶意举报的澄清正名
SELECT section, "group", item, count, base, share
FROM outcomes
WHERE section IN ('reporter_feedback', 'feedback_days', 'clarification')
ORDER BY section

SELECT unit, COUNT(*) AS n FROM cases WHERE filed_quarter = ${quarter} GROUP BY unit ORDER BY n DESC

-- 以第十二条第（五）项不予容错、但台账中未见该人员同类在先失误的案件（需核实认定依据）：本季度作出认定的
SELECT o.item AS case_id, o."group" AS unit, c.decided_on
FROM outcomes o
JOIN cases c ON c.case_id = o.item
WHERE o.section = 'cited_without_basis' AND c.decided_quarter = '${quarter}'
ORDER BY o.item

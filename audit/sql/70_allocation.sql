-- RULES.md §4: NO_ALLOCATED_SW and NO_ALLOCATED_IRO, and the allocation that
-- names each finding's team, social worker and IRO.

-- Allocations that cover a day: START on or before it, END empty or on or
-- after it. An allocation ending before it starts is ignored (warned).
CREATE OR REPLACE TEMP TABLE a_allocations AS
SELECT child, role, worker, start, "end"
FROM allocations
WHERE start <= as_of() AND ("end" IS NULL OR "end" >= start);

INSERT INTO obligations
SELECT 'NO_ALLOCATED_' || r.role, c.child, c.period_start, as_of(), NULL,
       CASE WHEN bool_or(a.child IS NOT NULL) THEN 'met' ELSE 'not_met' END, 0, as_of()
FROM a_current c
CROSS JOIN (VALUES ('SW'), ('IRO')) r(role)
LEFT JOIN a_allocations a ON a.child = c.child AND a.role = r.role
     AND a.start <= as_of() AND (a."end" IS NULL OR a."end" >= as_of())
WHERE NOT c.short_breaks
GROUP BY r.role, c.child, c.period_start;

-- RULES.md §4: NO_ALLOCATED_SW and NO_ALLOCATED_IRO, from the allocations
-- in force (05_allocations.sql).

-- rule: NO_ALLOCATED_SW
-- rule: NO_ALLOCATED_IRO
INSERT INTO obligations
SELECT 'NO_ALLOCATED_' || r.role, c.child, c.period_start, as_of(), NULL,
       CASE WHEN bool_or(a.child IS NOT NULL) THEN 'met' ELSE 'not_met' END, 0, as_of()
FROM a_current c
CROSS JOIN (VALUES ('SW'), ('IRO')) r(role)
LEFT JOIN a_allocations a ON a.child = c.child AND a.role = r.role
     AND a.start <= as_of() AND (a."end" IS NULL OR a."end" >= as_of())
WHERE NOT c.short_breaks
GROUP BY r.role, c.child, c.period_start;

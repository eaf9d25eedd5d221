-- The obligations the rule files have added since the last time are written
-- to the findings table with the team, social worker and IRO of the span
-- their day falls in (05_allocations.sql), and the obligations table is
-- emptied. audit.go runs this whenever the obligations pass 4 million rows
-- and after the last rule file, so that their memory stays bounded.
INSERT INTO findings
SELECT o.rule, o.child, o.period_start, o.due, o.done, o.status, o.days_late,
       a.team, a.social_worker, a.iro
FROM obligations o
LEFT JOIN a_alloc_spans a ON a.child = o.child AND o.alloc_date >= a.span_from AND o.alloc_date < a.span_to;

CREATE OR REPLACE TEMP TABLE obligations AS FROM obligations LIMIT 0;

-- RULES.md §4: HEALTH_ASSESSMENT, VISIT_STATUTORY, VISIT_BEDROOM_SEEN.
-- Snapshot rules: one row per child looked after now outside short breaks;
-- only records in the current period (visits: the current placement) count.

-- HEALTH_ASSESSMENT: 20 working days after the period started with none in
-- it; otherwise 183 days after the latest if the child was under 5 on the day
-- of that assessment, else 365 days.
-- rule: HEALTH_ASSESSMENT
INSERT INTO obligations
SELECT 'HEALTH_ASSESSMENT', child, period_start, due, latest, status, days_late(status, due, latest, NULL), as_of()
FROM (SELECT *, snapshot_status(due, latest) AS status FROM (
    SELECT c.child, c.period_start, h.latest,
           CASE WHEN h.latest IS NULL THEN wd_after(c.period_start, days('health_initial_working_days'))
                WHEN age_on(c.dob, h.latest) < 5 THEN h.latest + days('health_under5_days')
                ELSE h.latest + days('health_days') END AS due
    FROM a_current c
    LEFT JOIN (
        SELECT c2.child, max(a.assessment_date) AS latest
        FROM a_current c2
        JOIN health_assessments a ON a.child = c2.child
             AND a.assessment_date >= c2.period_start AND a.assessment_date <= as_of()
        GROUP BY c2.child
    ) h USING (child)
    WHERE NOT c.short_breaks
));

-- Visits in the current placement. A visit at which the child was recorded
-- as not seen (CHILD_SEEN = N) is not a statutory visit.
CREATE OR REPLACE TEMP TABLE a_visits AS
SELECT c.child, max(v.visit_date) FILTER (WHERE coalesce(v.child_seen, true)) AS last_visit,
       max(v.visit_date) FILTER (WHERE v.bedroom_seen) AS last_bedroom
FROM a_current c
JOIN visits v ON v.child = c.child AND v.visit_date >= c.placement_start AND v.visit_date <= as_of()
GROUP BY c.child;

-- VISIT_STATUTORY: 7 days after the placement started with no visit since;
-- otherwise 42 days after the latest visit.
-- rule: VISIT_STATUTORY
INSERT INTO obligations
SELECT 'VISIT_STATUTORY', child, period_start, due, done, status, days_late(status, due, done, NULL), as_of()
FROM (SELECT *, snapshot_status(due, done) AS status FROM (
    SELECT c.child, c.period_start, d.due, v.last_visit AS done
    FROM a_current c
    LEFT JOIN a_visits v USING (child),
    LATERAL (SELECT coalesce(v.last_visit + days('visit_days'), c.placement_start + days('visit_first_days')) AS due) d
    WHERE NOT c.short_breaks
));

-- VISIT_BEDROOM_SEEN: 183 days after the latest visit with BEDROOM_SEEN = Y;
-- with none, 7 days after the placement started.
-- rule: VISIT_BEDROOM_SEEN
INSERT INTO obligations
SELECT 'VISIT_BEDROOM_SEEN', child, period_start, due, done, status, days_late(status, due, done, NULL), as_of()
FROM (SELECT *, snapshot_status(due, done) AS status FROM (
    SELECT c.child, c.period_start, d.due, v.last_bedroom AS done
    FROM a_current c
    LEFT JOIN a_visits v USING (child),
    LATERAL (SELECT coalesce(v.last_bedroom + days('bedroom_days'), c.placement_start + days('bedroom_first_days')) AS due) d
    WHERE NOT c.short_breaks
));

-- Working tables no later file reads are dropped as soon as they are done
-- with, to keep the audit within DuckDB's memory limit at national scale.
DROP TABLE a_visits;

-- RULES.md §4: plans. PEP_CURRENT and PERM_BY_SECOND.

-- School age: the child's age on the 31 August on or before the as-of date
-- (on 31 August itself, that day) is from 4 (Reception) to 15 (Year 11).
CREATE OR REPLACE MACRO last_31_august(d) AS
    CASE WHEN strftime(d, '%m%d') >= '0831' THEN make_date(year(d), 8, 31) ELSE make_date(year(d) - 1, 8, 31) END;

-- PEP_CURRENT: each school-age child looked after now has a Personal
-- Education Plan within 183 days; with none in the current period, the first
-- is due 20 working days after the period started.
-- rule: PEP_CURRENT
INSERT INTO obligations
SELECT 'PEP_CURRENT', child, period_start, due, last_pep, status, days_late(status, due, last_pep, NULL), as_of()
FROM (SELECT *, snapshot_status(due, last_pep) AS status FROM (
    SELECT c.child, c.period_start, max(p.pep_date) AS last_pep,
           coalesce(max(p.pep_date) + days('pep_days'),
                    wd_after(c.period_start, days('pep_initial_working_days'))) AS due
    FROM a_current c
    LEFT JOIN peps p ON p.child = c.child AND p.pep_date >= c.period_start AND p.pep_date <= as_of()
    WHERE NOT c.short_breaks
      AND age_on(c.dob, last_31_august(as_of())) BETWEEN days('school_age_from') AND days('school_age_to')
    GROUP BY c.child, c.period_start
));

-- PERM_BY_SECOND: a permanence plan recorded in the period by the second
-- review (its date when held, its due date while not held; while the initial
-- review is not held either, the initial's due date plus 91 days). The
-- looked-after chain's lapse (the period's end or the start of a placement
-- for adoption, whichever is first) is the lapse date, and a due date on or
-- after it creates no obligation, met or not (RULES.md §4.2).
-- rule: PERM_BY_SECOND
INSERT INTO obligations
SELECT 'PERM_BY_SECOND', child, period_start, due, done, status,
       days_late(status, due, done, lapse), alloc_day(status, due, done)
FROM (
    SELECT t.*, pl.first_plan AS done, chain_status(t.due, pl.first_plan, t.lapse) AS status
    FROM (
        SELECT o.child, o.period_no, o.period_start, o.lapse,
               CASE WHEN o.rule = 'REV_SECOND' THEN coalesce(o.done, o.due)
                    ELSE o.due + days('second_review_days') END AS due
        FROM a_review_obligations o
        WHERE o.seg_no = 1 AND (o.rule = 'REV_SECOND' OR (o.rule = 'REV_INITIAL' AND o.done IS NULL))
          AND days('permanence_by_second_review') = 1
    ) t
    LEFT JOIN (
        SELECT p.child, p.period_no, min(pp.plan_date) AS first_plan
        FROM a_periods p
        JOIN permanence_plans pp ON pp.child = p.child AND pp.plan_date >= p.start
             AND pp.plan_date <= coalesce(p.period_end, as_of())
        GROUP BY ALL
    ) pl USING (child, period_no)
    WHERE t.lapse IS NULL OR t.due < t.lapse
)
WHERE status IS NOT NULL;

-- Working tables no later file reads are dropped as soon as they are done
-- with, to keep the audit within DuckDB's memory limit at national scale.
DROP TABLE a_review_obligations;

-- OUTPUT.md: findings, one row per obligation evaluated, with the team,
-- social worker and IRO of the allocation covering the obligation's day:
-- the date it was done for a held review, meeting or plan; the due date for
-- a missed one (the child may have left care by the as-of date); else the
-- as-of date.
-- Of several covering allocations the one that started last is used.

-- The allocations of a child change only on the days an allocation starts
-- or the day after one ends. Between two such days (a span) the same ones
-- cover every day, so each span is worked out once (a few a child) and each
-- obligation joins the span its day falls in: an equality join on the
-- child, then a date test. (Working out every obligation's day against
-- every allocation of the child took 40 % longer at 300,000 children.)
CREATE OR REPLACE TEMP TABLE a_alloc_spans AS
WITH days AS (
    SELECT DISTINCT child, day FROM (
        SELECT child, start AS day FROM a_allocations
        UNION ALL
        SELECT child, "end" + 1 FROM a_allocations WHERE "end" IS NOT NULL)
), covered AS (
    SELECT d.child, d.day,
           arg_max(a.worker, a.start) FILTER (WHERE a.role = 'TEAM') AS team,
           arg_max(a.worker, a.start) FILTER (WHERE a.role = 'SW')   AS social_worker,
           arg_max(a.worker, a.start) FILTER (WHERE a.role = 'IRO')  AS iro
    FROM days d
    JOIN a_allocations a ON a.child = d.child AND a.start <= d.day AND (a."end" IS NULL OR a."end" >= d.day)
    GROUP BY d.child, d.day
)
SELECT d.child, d.day AS span_from,
       coalesce(lead(d.day) OVER (PARTITION BY d.child ORDER BY d.day), DATE '9999-12-31') AS span_to,  -- exclusive
       c.team, c.social_worker, c.iro
FROM days d LEFT JOIN covered c USING (child, day);

-- Rule ids, statuses and worker names are ENUM types: a national extract has
-- millions of findings and a few dozen distinct values in these columns,
-- which DuckDB then stores and sorts as small integers. Rule ids and
-- statuses are listed in alphabetical order, so that ordering by them is
-- ordering by their text, as findings.csv is ordered.
DROP TABLE IF EXISTS findings;  -- a second audit in one database (the annual report) redefines the types
DROP TYPE IF EXISTS rule_id;
CREATE TYPE rule_id AS ENUM (
    'BREAKDOWNS_NO_DISRUPTION', 'BREAKDOWNS_NO_SENIOR_MANAGER', 'DISRUPTION_MEETING', 'HEALTH_ASSESSMENT',
    'LTF_ANNUAL_MEETING', 'NO_ALLOCATED_IRO', 'NO_ALLOCATED_SW', 'PEP_CURRENT', 'PERM_BY_SECOND',
    'PREP_CONSULTATION', 'PREP_INVITATIONS', 'PREP_SW_REPORT', 'REC_CARE_PLAN', 'REC_DECISIONS',
    'REC_DISTRIBUTED', 'REC_FULL_RECORD', 'REV_ADJOURNMENT', 'REV_ADOPT_FIRST', 'REV_ADOPT_SECOND',
    'REV_ADOPT_SUBSEQUENT', 'REV_INITIAL', 'REV_PARTICIPATION', 'REV_SECOND', 'REV_SUBSEQUENT',
    'REV_SW_PRESENT', 'VISIT_BEDROOM_SEEN', 'VISIT_STATUTORY');
DROP TYPE IF EXISTS finding_status;
CREATE TYPE finding_status AS ENUM ('late', 'met', 'missed', 'not_met', 'overdue', 'upcoming');
DROP TYPE IF EXISTS worker_name;
CREATE TYPE worker_name AS ENUM (SELECT DISTINCT worker FROM a_allocations WHERE worker IS NOT NULL ORDER BY worker);

-- The table is not sorted: findings.csv is sorted as it is written, and
-- sorting here as well would sort ten million rows twice at national scale.
CREATE OR REPLACE TABLE findings AS
SELECT o.rule::rule_id AS rule, o.child, o.period_start, o.due, o.done, o.status::finding_status AS status, o.days_late,
       a.team::worker_name AS team, a.social_worker::worker_name AS social_worker, a.iro::worker_name AS iro
FROM obligations o
LEFT JOIN a_alloc_spans a ON a.child = o.child AND o.alloc_date >= a.span_from AND o.alloc_date < a.span_to;

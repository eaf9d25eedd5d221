-- RULES.md §7.2: the team, social worker and IRO of each finding come from the
-- allocation covering the obligation's day: the date it was done for a held
-- review, meeting or plan; the due date for a missed one (the child may
-- have left care by the as-of date); the review's day for what prepares,
-- follows or is judged at a held review, done or not; else the as-of date.
-- Of several covering allocations the one that started last is used.
-- This file sets up the findings table that every later file's obligations
-- are written to (audit.go, sql/write/findings.sql), so that the
-- obligations of ten years of a national extract are never held at once.

-- Allocations that cover a day: START on or before it, END empty or on or
-- after it. An allocation ending before it starts is ignored (warned).
CREATE OR REPLACE TEMP TABLE a_allocations AS
SELECT child, role, worker, start, "end"
FROM allocations
WHERE start <= as_of() AND ("end" IS NULL OR "end" >= start);

-- Worker names are an ENUM type, as rule ids and statuses are (00_base.sql):
-- a few hundred distinct names over millions of findings.
DROP TYPE IF EXISTS worker_name;
CREATE TYPE worker_name AS ENUM (SELECT DISTINCT worker FROM a_allocations WHERE worker IS NOT NULL ORDER BY worker);

-- The allocations of a child change only on the days an allocation starts
-- or the day after one ends. Between two such days (a span) the same ones
-- cover every day, so each span is worked out once (a few a child) and each
-- obligation joins the span its day falls in: an equality join on the
-- child, then a date test. (Working out every obligation's day against
-- every allocation of the child took 40 % longer at 300,000 children; an
-- ASOF join on the day took twice as long as this.)
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
       c.team::worker_name AS team, c.social_worker::worker_name AS social_worker, c.iro::worker_name AS iro
FROM days d LEFT JOIN covered c USING (child, day);

-- From here on only the allocations in force on the as-of date are read
-- (NO_ALLOCATED_SW and NO_ALLOCATED_IRO, the workbook's caseloads); ten
-- years of the others would only take memory from the rules.
CREATE OR REPLACE TEMP TABLE a_allocations AS
SELECT * FROM a_allocations WHERE "end" IS NULL OR "end" >= as_of();

-- RULES.md §7: the findings, one row per obligation evaluated: the obligation's
-- columns (00_base.sql) but the day, then the names of its span. It starts
-- empty. The table is not sorted: findings.csv is sorted as it is written,
-- and sorting here as well would sort ten million rows twice at national
-- scale.
CREATE TABLE findings AS
SELECT o.* EXCLUDE (alloc_date), s.team, s.social_worker, s.iro
FROM obligations o, a_alloc_spans s
LIMIT 0;

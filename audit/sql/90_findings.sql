-- OUTPUT.md: findings, one row per obligation evaluated, with the team,
-- social worker and IRO of the allocation covering the obligation's day:
-- the date it was done for a held review, meeting or plan; the due date for
-- a missed one (the child may have left care by the as-of date); else the
-- as-of date.
-- Of several covering allocations the one that started last is used.

CREATE OR REPLACE TABLE a_alloc_days AS
SELECT o.child, o.alloc_date,
       arg_max(a.worker, a.start) FILTER (WHERE a.role = 'TEAM') AS team,
       arg_max(a.worker, a.start) FILTER (WHERE a.role = 'SW')   AS social_worker,
       arg_max(a.worker, a.start) FILTER (WHERE a.role = 'IRO')  AS iro
FROM (SELECT DISTINCT child, alloc_date FROM obligations) o
JOIN a_allocations a ON a.child = o.child AND a.start <= o.alloc_date
     AND (a."end" IS NULL OR a."end" >= o.alloc_date)
GROUP BY o.child, o.alloc_date;

CREATE OR REPLACE TABLE findings AS
SELECT o.rule, o.child, o.period_start, o.due, o.done, o.status, o.days_late,
       a.team, a.social_worker, a.iro
FROM obligations o
LEFT JOIN a_alloc_days a ON a.child = o.child AND a.alloc_date = o.alloc_date
ORDER BY o.rule, o.child, o.due, o.done NULLS LAST, o.status;

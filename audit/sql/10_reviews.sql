-- RULES.md §3: review timeliness. REV_INITIAL, REV_SECOND, REV_SUBSEQUENT
-- and, from a placement for adoption, REV_ADOPT_FIRST, REV_ADOPT_SECOND,
-- REV_ADOPT_SUBSEQUENT (§3.4).
--
-- Each segment of a period has its held reviews (k = 1..m, in date order)
-- and one more slot, k = m + 1, for the next review not held yet. Every due
-- date runs from the actual date of the previous review, so a late review
-- moves the next due date, and the chain stops at the first slot not held.

-- The latest review of either chain before a resumed looked-after segment.
CREATE OR REPLACE TEMP TABLE a_seg_prior AS
SELECT s.child, s.period_no, s.seg_no, max(r.review) AS prior_review
FROM a_segments s
JOIN a_reviews r ON r.child = s.child AND r.review >= s.period_start AND r.review < s.lo
WHERE s.seg_no > 1
GROUP BY ALL;

CREATE OR REPLACE TEMP VIEW a_review_slots AS
WITH held AS (
    SELECT s.child, s.period_no, s.seg_no, r.review,
           row_number() OVER (PARTITION BY s.child, s.period_no, s.seg_no ORDER BY r.review) AS k
    FROM a_segments s
    JOIN a_reviews r ON r.child = s.child AND r.review >= s.lo AND (s.hi IS NULL OR r.review < s.hi)
), slots AS (
    SELECT child, period_no, seg_no, review, k FROM held
    UNION ALL
    SELECT s.child, s.period_no, s.seg_no, NULL, coalesce(max(h.k), 0) + 1
    FROM a_segments s LEFT JOIN held h USING (child, period_no, seg_no)
    GROUP BY s.child, s.period_no, s.seg_no
), chained AS (
    SELECT x.*, s.kind, s.lo, s.period_start, s.lapse, s.anchored,
           coalesce(lag(x.review) OVER (PARTITION BY x.child, x.period_no, x.seg_no ORDER BY x.k),
                    pr.prior_review) AS prev
    FROM slots x
    JOIN a_segments s USING (child, period_no, seg_no)
    LEFT JOIN a_seg_prior pr USING (child, period_no, seg_no)
), ruled AS (
    SELECT *,
        CASE
            WHEN kind = 'AD' THEN CASE k WHEN 1 THEN 'REV_ADOPT_FIRST' WHEN 2 THEN 'REV_ADOPT_SECOND' ELSE 'REV_ADOPT_SUBSEQUENT' END
            -- came into care before the extract: anchored at its first review;
            -- before a folder of returns' first day, a review is due by then
            -- + the subsequent-review interval (RULES.md §2.2)
            WHEN anchored AND k = 1 THEN CASE WHEN period_start < returns_from() THEN 'REV_SUBSEQUENT' END
            -- anchored, or looked-after chain resumed after a placement for adoption
            WHEN anchored OR seg_no > 1 THEN CASE WHEN prev IS NULL THEN 'REV_INITIAL' ELSE 'REV_SUBSEQUENT' END
            ELSE CASE k WHEN 1 THEN 'REV_INITIAL' WHEN 2 THEN 'REV_SECOND' ELSE 'REV_SUBSEQUENT' END
        END AS rule
    FROM chained
)
SELECT *,
    CASE rule
        WHEN 'REV_INITIAL'          THEN wd_after(lo, days('initial_review_working_days'))
        WHEN 'REV_SECOND'           THEN prev + days('second_review_days')
        WHEN 'REV_SUBSEQUENT'       THEN coalesce(prev, returns_from()) + days('subsequent_review_days')
        WHEN 'REV_ADOPT_FIRST'      THEN lo + days('adoption_first_review_days')
        WHEN 'REV_ADOPT_SECOND'     THEN prev + days('adoption_second_review_days')
        WHEN 'REV_ADOPT_SUBSEQUENT' THEN prev + days('adoption_subsequent_review_days')
    END AS due
FROM ruled
WHERE rule IS NOT NULL;

-- Statuses: met / late when held; for the open slot, no obligation when the
-- segment ended on or before the due date, else upcoming, overdue or missed.
CREATE OR REPLACE TEMP TABLE a_review_obligations AS
SELECT rule, child, period_no, seg_no, k, period_start, due, review AS done, lapse,
       chain_status(due, review, lapse) AS status
FROM a_review_slots;

-- rule: REV_INITIAL
-- rule: REV_SECOND
-- rule: REV_SUBSEQUENT
-- rule: REV_ADOPT_FIRST
-- rule: REV_ADOPT_SECOND
-- rule: REV_ADOPT_SUBSEQUENT
INSERT INTO obligations
SELECT rule, child, period_start, due, done, status,
       days_late(status, due, done, lapse), alloc_day(status, due, done)
FROM a_review_obligations
WHERE status IS NOT NULL;

-- Reviews that fall in no period of care (before the first episode, between
-- periods, after the last) are not assessed: a data-quality warning each.
-- (An equality join then an equality anti join: an anti join on the date
-- range itself makes DuckDB compare every pair of rows.)
INSERT INTO dq_warnings
WITH inside AS (
    SELECT DISTINCT r.child, r.review
    FROM a_reviews r JOIN a_periods p ON p.child = r.child
    WHERE r.review >= p.start AND (p.period_end IS NULL OR r.review <= p.period_end)
)
SELECT 'reviews', 'review_outside_care', 'review on a day the child was not looked after (not assessed)', r.child, r.review, NULL
FROM a_reviews r
ANTI JOIN inside i ON i.child = r.child AND i.review = r.review;

-- Working tables no later file reads are dropped as soon as they are done
-- with, to keep the audit within DuckDB's memory limit at national scale.
DROP TABLE a_seg_prior;

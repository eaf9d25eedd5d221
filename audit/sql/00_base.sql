-- RULES.md §1-2: the data as it stood on the as-of date, periods of care,
-- placements and the segments of a period that each review chain runs in.
-- Variables (set by the audit package): as_of, returns_from and every
-- timescale of the configuration, read with days('key').

CREATE OR REPLACE MACRO as_of() AS getvariable('as_of');
-- The first day a folder of returns can know reviews from (1 April of its
-- first return's collection year, RULES.md §2.2); NULL for a plain folder.
CREATE OR REPLACE MACRO returns_from() AS getvariable('returns_from');
CREATE OR REPLACE MACRO days(k) AS getvariable(k);

-- Whether rule r is wholly assessed, as the catalogue's needs and the data
-- loaded decided (rule_coverage, RULES.md §5): a partly assessed rule has its
-- planning rows only.
CREATE OR REPLACE MACRO assessed(r) AS
    coalesce((SELECT status = 'assessed' FROM rule_coverage WHERE rule = r), false);

-- Age in whole years on d (a 29 February birthday falls on 1 March).
CREATE OR REPLACE MACRO age_on(dob, d) AS
    year(d) - year(dob) - CASE WHEN strftime(d, '%m%d') < strftime(dob, '%m%d') THEN 1 ELSE 0 END;

-- A date something was done, as known on the as-of date (RULES.md §1.4):
-- done later, it was not done yet.
CREATE OR REPLACE MACRO known(d) AS CASE WHEN d <= as_of() THEN d END;

-- Status of a dated obligation whose lapse date is lapse (NULL while the
-- child is still looked after), RULES.md §3.
CREATE OR REPLACE MACRO chain_status(due, done, lapse) AS
    CASE
        WHEN done IS NOT NULL THEN CASE WHEN done <= due THEN 'met' ELSE 'late' END
        WHEN lapse IS NOT NULL AND lapse <= due THEN NULL  -- ended first: no obligation
        WHEN due >= as_of() THEN 'upcoming'
        WHEN lapse IS NULL THEN 'overdue'
        ELSE 'missed'
    END;

-- Days late of an obligation (RULES.md §7.1): done - due when late, as-of
-- - due when overdue, lapse - due when missed (the day its occasion
-- passed), else 0.
CREATE OR REPLACE MACRO days_late(status, due, done, lapse) AS
    CASE status WHEN 'late' THEN done - due WHEN 'overdue' THEN as_of() - due WHEN 'missed' THEN lapse - due ELSE 0 END;

-- The day whose allocation names a dated obligation's team, social worker
-- and IRO (RULES.md §7.2): the due date of a missed one, else the day it was
-- done, else the as-of date.
CREATE OR REPLACE MACRO alloc_day(status, due, done) AS
    CASE WHEN status = 'missed' THEN due ELSE coalesce(done, as_of()) END;

-- The latest date of a preparation step (a PREP_ rule) for a review on
-- review_date, initial or not (RULES.md §3.5). The workbook's Action list
-- reads it too.
CREATE OR REPLACE MACRO prep_due(step, review_date, initial) AS
    wd_before(review_date, CASE step
        WHEN 'PREP_CONSULTATION' THEN days('consultation_working_days_before')
        WHEN 'PREP_INVITATIONS'  THEN days('invitations_working_days_before')
        WHEN 'PREP_SW_REPORT'    THEN CASE WHEN initial THEN days('sw_report_initial_working_days_before')
                                           ELSE days('sw_report_working_days_before') END
    END);

-- The same, when the step is owed: one whose latest date falls before the
-- period of care began is not (RULES.md §3.5), NULL.
CREATE OR REPLACE MACRO prep_owed(step, review_date, initial, period_start) AS
    CASE WHEN prep_due(step, review_date, initial) >= period_start THEN prep_due(step, review_date, initial) END;

-- Status of a snapshot obligation (PEP, health, visits), RULES.md §4.
CREATE OR REPLACE MACRO snapshot_status(due, done) AS
    CASE
        WHEN due < as_of() THEN 'overdue'
        WHEN done IS NOT NULL THEN 'met'
        ELSE 'upcoming'
    END;

-- Rule ids and statuses are ENUM types: a national extract has millions of
-- obligations and a few dozen distinct values in these columns, which
-- DuckDB then stores, joins and sorts as small integers (as text they cost
-- a third of the time of writing the findings table at 300,000 children).
-- They are listed in alphabetical order, so that ordering by them is
-- ordering by their text, as findings.csv is ordered. The rule ids are the
-- catalogue's (audit/rules.go), which the audit package writes to
-- rule_coverage before this file runs. A second audit in one database (the
-- annual report) drops what uses the types first.
DROP TABLE IF EXISTS findings;
DROP TABLE IF EXISTS obligations;
DROP TYPE IF EXISTS rule_id;
CREATE TYPE rule_id AS ENUM (SELECT rule FROM rule_coverage ORDER BY rule);
DROP TYPE IF EXISTS finding_status;
CREATE TYPE finding_status AS ENUM ('late', 'met', 'missed', 'not_met', 'overdue', 'upcoming');

CREATE TEMP TABLE obligations (
    rule         rule_id,
    child        VARCHAR,
    period_start DATE,
    due          DATE,
    done         DATE,
    status       finding_status,
    days_late    INTEGER,
    alloc_date   DATE     -- the day whose allocation names team, worker and IRO
);

-- Episodes as known on the as-of date: one that starts later is ignored, an
-- end after it is not known yet, an episode that ends before it starts is
-- ignored (warned), and of two starting on one day the later-ending is kept.
CREATE OR REPLACE TEMP VIEW a_episodes AS
SELECT child, decom,
       CASE WHEN dec > as_of() THEN NULL ELSE dec END AS dec,
       CASE WHEN dec > as_of() THEN NULL ELSE rec END AS rec,
       rne, ls, place, reason_place_change,
       row_number() OVER (PARTITION BY child ORDER BY decom) AS seq
FROM (
    SELECT DISTINCT ON (child, decom) *
    FROM episodes
    WHERE decom <= as_of() AND (dec IS NULL OR dec >= decom)
    ORDER BY child, decom, dec DESC NULLS FIRST
);

-- A period starts with the child's first episode, an episode whose RNE is S,
-- or the episode after one that ended with a REC other than X1.
CREATE OR REPLACE TEMP TABLE a_ep AS
SELECT *,
       sum(CASE WHEN seq = 1 OR rne = 'S' OR coalesce(prev_rec, 'X1') <> 'X1' THEN 1 ELSE 0 END)
           OVER (PARTITION BY child ORDER BY seq) AS period_no
FROM (SELECT *, lag(rec) OVER (PARTITION BY child ORDER BY seq) AS prev_rec FROM a_episodes);

CREATE OR REPLACE TEMP TABLE a_periods AS
SELECT child, period_no,
       min(decom)                        AS start,
       arg_max_null(dec, seq)            AS period_end,   -- NULL: looked after at the as-of date
       bool_and(ls IN ('V3', 'V4'))      AS short_breaks,
       -- came into care before the extract, or before the returns (RULES.md §2.2)
       min(seq) = 1 AND (arg_min(rne, seq) <> 'S' OR coalesce(min(decom) < returns_from(), false)) AS anchored
FROM a_ep
GROUP BY child, period_no;

-- Placements: a placement starts with the period and at every episode whose
-- RNE is P, T, B or U; it ends at the DEC before the next such change.
CREATE OR REPLACE TEMP TABLE a_placements AS
SELECT child, period_no, placement_no,
       min(decom)        AS start,
       arg_max_null(dec, seq) AS placement_end,
       arg_max(place, seq) AS place
FROM (
    SELECT *, sum(CASE WHEN first_in_period OR rne IN ('P', 'T', 'B', 'U') THEN 1 ELSE 0 END)
                  OVER (PARTITION BY child, period_no ORDER BY seq) AS placement_no
    FROM (SELECT *, seq = min(seq) OVER (PARTITION BY child, period_no) AS first_in_period FROM a_ep)
)
GROUP BY child, period_no, placement_no;

-- Segments of a period for the review chains (§3.4): runs of episodes placed
-- for adoption (PLACE A3-A6) form adoption segments ('AD'); the rest are
-- looked-after segments ('LA'). A segment runs from its first episode to the
-- start of the next segment (lapse = that start) or, for the last one, to
-- the period's end (reviews on the end day still count).
CREATE OR REPLACE TEMP TABLE a_segments AS
WITH runs AS (
    SELECT *, sum(CASE WHEN is_ad IS DISTINCT FROM prev_ad THEN 1 ELSE 0 END)
                  OVER (PARTITION BY child, period_no ORDER BY seq) AS seg_no
    FROM (
        SELECT *, place IN ('A3', 'A4', 'A5', 'A6') AS is_ad,
               lag(place IN ('A3', 'A4', 'A5', 'A6')) OVER (PARTITION BY child, period_no ORDER BY seq) AS prev_ad
        FROM a_ep
    )
), segs AS (
    SELECT child, period_no, seg_no, CASE WHEN bool_or(is_ad) THEN 'AD' ELSE 'LA' END AS kind, min(decom) AS lo
    FROM runs GROUP BY ALL
)
SELECT s.child, s.period_no, s.seg_no, s.kind, s.lo,
       p.start AS period_start, p.period_end, p.anchored AND s.seg_no = 1 AS anchored,
       coalesce(lead(s.lo) OVER w, p.period_end)         AS lapse,  -- NULL: still running
       coalesce(lead(s.lo) OVER w, p.period_end + 1)     AS hi      -- reviews before hi belong here
FROM segs s JOIN a_periods p USING (child, period_no)
WHERE NOT p.short_breaks
WINDOW w AS (PARTITION BY s.child, s.period_no ORDER BY s.seg_no);

-- Held reviews: one per child and day, on or before the as-of date.
CREATE OR REPLACE TEMP TABLE a_reviews AS
SELECT child, review, max(CASE WHEN review_code IN ('PN0','PN1','PN2','PN3','PN4','PN5','PN6','PN7') THEN review_code END) AS code
FROM reviews WHERE review <= as_of()
GROUP BY child, review;

-- Review details as known on the as-of date (RULES.md §1.4): the details of
-- reviews held by then, and of each step only the dates on or before it; a
-- step recorded later was not done yet.
CREATE OR REPLACE TEMP VIEW a_review_details AS
SELECT * REPLACE (
       known(consultation) AS consultation, known(invites_sent) AS invites_sent, known(sw_report) AS sw_report,
       known(decisions_issued) AS decisions_issued, known(care_plan_updated) AS care_plan_updated,
       known(record_completed) AS record_completed, known(record_distributed) AS record_distributed)
FROM review_details
WHERE review <= as_of();

-- Children looked after on the as-of date, and their current placement.
CREATE OR REPLACE TEMP TABLE a_current AS
SELECT p.child, p.period_no, p.start AS period_start, p.short_breaks, h.dob,
       pl.start AS placement_start, pl.place
FROM a_periods p
LEFT JOIN (SELECT DISTINCT ON (child) child, dob FROM header ORDER BY child, dob) h USING (child)
JOIN a_placements pl ON pl.child = p.child AND pl.period_no = p.period_no AND pl.placement_end IS NULL
WHERE p.period_end IS NULL;

-- Working tables no later file reads are dropped as soon as they are done
-- with, to keep the audit within DuckDB's memory limit at national scale.
DROP TABLE a_placements;

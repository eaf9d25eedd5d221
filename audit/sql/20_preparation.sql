-- RULES.md §3.5: preparation deadlines. PREP_CONSULTATION (20 working days
-- before), PREP_INVITATIONS (10 before), PREP_SW_REPORT (3 before an initial
-- review, 5 before any other). Planning rows for every upcoming review
-- obligation, from its due date; audit rows for every held review with a
-- review_details row, from the review's date.

-- Held reviews of either chain outside short breaks, whether or not their
-- timeliness could be assessed, with whether each was an initial review.
CREATE OR REPLACE TEMP TABLE a_held_reviews AS
SELECT s.child, s.period_no, s.period_start, r.review, r.code,
       coalesce(bool_or(o.rule = 'REV_INITIAL'), false) AS initial
FROM a_segments s
JOIN a_reviews r ON r.child = s.child AND r.review >= s.lo AND (s.hi IS NULL OR r.review < s.hi)
LEFT JOIN a_review_obligations o ON o.child = r.child AND o.done = r.review
GROUP BY ALL;

CREATE OR REPLACE TEMP VIEW a_prep AS
WITH target AS (
    -- planning: the review is still to come
    SELECT child, period_start, due AS review_date, rule = 'REV_INITIAL' AS initial, false AS held,
           NULL::DATE AS consultation, NULL::DATE AS invites_sent, NULL::DATE AS sw_report
    FROM a_review_obligations WHERE status = 'upcoming'
    UNION ALL
    -- audit: the review was held and its details recorded
    SELECT h.child, h.period_start, h.review, h.initial, true,
           d.consultation, d.invites_sent, d.sw_report
    FROM a_held_reviews h
    JOIN (SELECT child, review, min(consultation) AS consultation, min(invites_sent) AS invites_sent, min(sw_report) AS sw_report
          FROM a_review_details GROUP BY ALL) d
      ON d.child = h.child AND d.review = h.review
)
SELECT 'PREP_CONSULTATION' AS rule, child, period_start, review_date, held,
       prep_owed('PREP_CONSULTATION', review_date, initial, period_start) AS due, consultation AS done
FROM target WHERE NOT held OR assessed('PREP_CONSULTATION')
UNION ALL
SELECT 'PREP_INVITATIONS', child, period_start, review_date, held,
       prep_owed('PREP_INVITATIONS', review_date, initial, period_start), invites_sent
FROM target WHERE NOT held OR assessed('PREP_INVITATIONS')
UNION ALL
SELECT 'PREP_SW_REPORT', child, period_start, review_date, held,
       prep_owed('PREP_SW_REPORT', review_date, initial, period_start), sw_report
FROM target WHERE NOT held OR assessed('PREP_SW_REPORT');

-- A planning row is upcoming, or overdue once its own date has passed. A held
-- review's preparation is met or late when recorded; never recorded, its
-- occasion has passed: missed. A step whose latest date falls before the
-- period of care began is not owed (RULES.md §3.5): nobody could have done
-- it while the child was not looked after.
-- rule: PREP_CONSULTATION
-- rule: PREP_INVITATIONS
-- rule: PREP_SW_REPORT
INSERT INTO obligations
SELECT rule, child, period_start, due,
       CASE WHEN done <= review_date THEN done END,
       status,
       days_late(status, due, done, review_date),
       CASE WHEN held THEN review_date ELSE as_of() END
FROM (
    SELECT *,
        CASE
            WHEN NOT held THEN CASE WHEN due >= as_of() THEN 'upcoming' ELSE 'overdue' END
            WHEN done IS NULL OR done > review_date THEN 'missed'
            WHEN done <= due THEN 'met'
            ELSE 'late'
        END AS status
    FROM a_prep
    WHERE due IS NOT NULL
);

-- Working tables no later file reads are dropped as soon as they are done
-- with, to keep the audit within DuckDB's memory limit at national scale.
DROP TABLE a_reviews;
DROP TABLE a_segments;

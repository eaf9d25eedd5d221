-- RULES.md §3.6: after the review (needs review_details), participation, and
-- the long-term foster annual meeting.

CREATE OR REPLACE TEMP TABLE a_details AS
SELECT h.child, h.period_start, h.review, h.initial,
       d.meeting_held, d.sw_present, d.adjournments, d.adjourned_to,
       d.decisions_issued, d.care_plan_updated, d.record_completed, d.record_distributed
FROM a_held_reviews h
JOIN (SELECT DISTINCT ON (child, review) * FROM a_review_details ORDER BY child, review, decisions_issued NULLS LAST) d
  ON d.child = h.child AND d.review = h.review;

-- REC_DECISIONS, REC_CARE_PLAN, REC_FULL_RECORD, REC_DISTRIBUTED: N working
-- days after the review. These deadlines do not lapse: not done by the as-of
-- date is overdue (or upcoming while the date is ahead).
-- rule: REC_DECISIONS
-- rule: REC_CARE_PLAN
-- rule: REC_FULL_RECORD
-- rule: REC_DISTRIBUTED
INSERT INTO obligations
SELECT rule, child, period_start, due, done, status, days_late(status, due, done, NULL), review
FROM (SELECT *, chain_status(due, done, NULL) AS status FROM (
    SELECT 'REC_DECISIONS' AS rule, child, period_start, review,
           wd_after(review, days('decisions_working_days')) AS due, decisions_issued AS done FROM a_details
    UNION ALL
    SELECT 'REC_CARE_PLAN', child, period_start, review,
           wd_after(review, days('care_plan_working_days')), care_plan_updated FROM a_details
    UNION ALL
    SELECT 'REC_FULL_RECORD', child, period_start, review,
           wd_after(review, days('full_record_working_days')), record_completed FROM a_details
    UNION ALL
    SELECT 'REC_DISTRIBUTED', child, period_start, review,
           wd_after(review, days('distribution_working_days')), record_distributed FROM a_details
));

-- REV_SW_PRESENT: met when SW_PRESENT is Y, not_met when N, no row when empty.
-- rule: REV_SW_PRESENT
INSERT INTO obligations
SELECT 'REV_SW_PRESENT', child, period_start, review, NULL,
       CASE WHEN sw_present THEN 'met' ELSE 'not_met' END, 0, review
FROM a_details WHERE sw_present IS NOT NULL;

-- REV_ADJOURNMENT: adjourned at most once, to at most 20 working days later.
-- A review with neither ADJOURNMENTS nor ADJOURNED_TO recorded has no row; an
-- ADJOURNED_TO date counts as one adjournment even when the count says 0.
-- rule: REV_ADJOURNMENT
INSERT INTO obligations
SELECT 'REV_ADJOURNMENT', child, period_start, review, NULL,
       CASE WHEN greatest(coalesce(adjournments, 0), CASE WHEN adjourned_to IS NOT NULL THEN 1 ELSE 0 END) > 1
                 OR adjourned_to > wd_after(review, days('adjournment_max_working_days'))
            THEN 'not_met' ELSE 'met' END,
       0, review
FROM a_details WHERE adjournments IS NOT NULL OR adjourned_to IS NOT NULL;

-- REV_PARTICIPATION: every held review outside short breaks has a valid
-- participation code PN0..PN7.
-- rule: REV_PARTICIPATION
INSERT INTO obligations
SELECT 'REV_PARTICIPATION', child, period_start, review, NULL,
       CASE WHEN code IS NOT NULL THEN 'met' ELSE 'not_met' END, 0, review
FROM a_held_reviews;

-- LTF_ANNUAL_MEETING: a child looked after now, in a placement designated
-- long-term foster (LONG_TERM_FOSTER = Y on a review in it) for over a year,
-- has a review held as a meeting at least every 365 days. A review counts as
-- a meeting unless its details say MEETING_HELD = N. With no meeting in the
-- placement, the due date is 365 days after it started.
-- rule: LTF_ANNUAL_MEETING
INSERT INTO obligations
SELECT 'LTF_ANNUAL_MEETING', child, period_start, due, done, status, days_late(status, due, done, NULL), as_of()
FROM (SELECT *, snapshot_status(due, done) AS status FROM (
    SELECT c.child, c.period_start,
           coalesce(m.last_meeting, c.placement_start) + days('ltf_meeting_days') AS due,
           m.last_meeting AS done
    FROM a_current c
    JOIN (SELECT DISTINCT h.child, h.review FROM a_held_reviews h
          JOIN a_review_details d ON d.child = h.child AND d.review = h.review
          WHERE d.long_term_foster) ltf
      ON ltf.child = c.child AND ltf.review >= c.placement_start
    LEFT JOIN (
        SELECT h.child, c2.placement_start, max(h.review) AS last_meeting
        FROM a_held_reviews h
        JOIN a_current c2 ON c2.child = h.child AND h.review >= c2.placement_start
        LEFT JOIN a_review_details d ON d.child = h.child AND d.review = h.review
        WHERE coalesce(d.meeting_held, true)
        GROUP BY ALL
    ) m ON m.child = c.child AND m.placement_start = c.placement_start
    WHERE NOT c.short_breaks
      AND as_of() - c.placement_start > days('ltf_placement_days')
    GROUP BY ALL
));

-- Working tables no later file reads are dropped as soon as they are done
-- with, to keep the audit within DuckDB's memory limit at national scale.
DROP TABLE a_details;

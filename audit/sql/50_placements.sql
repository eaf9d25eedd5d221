-- RULES.md §4: placement breakdowns. DISRUPTION_MEETING,
-- BREAKDOWNS_NO_DISRUPTION and BREAKDOWNS_NO_SENIOR_MANAGER.

-- A breakdown: an episode that ended with REC X1, followed in its period by
-- an episode whose RNE is P, T, B or U, whose REASON_PLACE_CHANGE is in the
-- configured breakdown set. The placement ended on that episode's DEC.
CREATE OR REPLACE TEMP TABLE a_breakdowns AS
SELECT e.child, e.period_no, p.start AS period_start, p.period_end, e.dec AS ended, e.reason_place_change AS reason
FROM a_ep e
JOIN a_ep n ON n.child = e.child AND n.seq = e.seq + 1 AND n.period_no = e.period_no
JOIN a_periods p ON p.child = e.child AND p.period_no = e.period_no
WHERE e.rec = 'X1' AND n.rne IN ('P', 'T', 'B', 'U')
  AND list_contains(getvariable('breakdown_reasons'), e.reason_place_change);

-- A disruption meeting is matched to the most recent breakdown that ended on
-- or before the meeting's date.
CREATE OR REPLACE TEMP TABLE a_meetings AS
SELECT m.child, m.meeting_date, m.senior_manager, b.ended
FROM (SELECT * FROM disruption_meetings WHERE meeting_date <= as_of()) m
ASOF JOIN a_breakdowns b ON b.child = m.child AND m.meeting_date >= b.ended;

CREATE OR REPLACE TEMP TABLE a_breakdown_status AS
SELECT b.*, b.ended + days('disruption_meeting_days') AS due, mt.first_meeting AS done,
       chain_status(b.ended + days('disruption_meeting_days'), mt.first_meeting, b.period_end) AS status
FROM a_breakdowns b
LEFT JOIN (SELECT child, ended, min(meeting_date) AS first_meeting FROM a_meetings GROUP BY ALL) mt
  ON mt.child = b.child AND mt.ended = b.ended;

-- DISRUPTION_MEETING: every breakdown is followed by a disruption meeting
-- within 42 days, with the period's end as the lapse date.
-- rule: DISRUPTION_MEETING
INSERT INTO obligations
SELECT 'DISRUPTION_MEETING', child, period_start, due, done, status,
       days_late(status, due, done, period_end), alloc_day(status, due, done)
FROM a_breakdown_status WHERE status IS NOT NULL;

-- Breakdowns in the 365 days up to the as-of date.
CREATE OR REPLACE TEMP TABLE a_recent_breakdowns AS
SELECT *, lag(ended) OVER (PARTITION BY child ORDER BY ended) AS previous
FROM a_breakdown_status
WHERE ended > as_of() - days('breakdown_window_days') AND ended <= as_of();

-- BREAKDOWNS_NO_DISRUPTION: alert when a child has two or more breakdowns in
-- the window and at least one has had no disruption meeting.
-- rule: BREAKDOWNS_NO_DISRUPTION
INSERT INTO obligations
SELECT 'BREAKDOWNS_NO_DISRUPTION', child, arg_max(period_start, ended), as_of(), NULL,
       CASE WHEN bool_and(done IS NOT NULL) THEN 'met' ELSE 'not_met' END, 0, as_of()
FROM a_recent_breakdowns
GROUP BY child
HAVING count(*) >= 2;

-- BREAKDOWNS_NO_SENIOR_MANAGER: alert when two breakdowns in the window came
-- within 91 days of each other and no disruption meeting with a senior
-- manager (SENIOR_MANAGER = Y) is recorded on or after the second.
-- rule: BREAKDOWNS_NO_SENIOR_MANAGER
INSERT INTO obligations
SELECT 'BREAKDOWNS_NO_SENIOR_MANAGER', b.child, arg_max(b.period_start, b.ended), as_of(), NULL,
       CASE WHEN bool_and(sm.child IS NOT NULL) THEN 'met' ELSE 'not_met' END, 0, as_of()
FROM a_recent_breakdowns b
LEFT JOIN LATERAL (
    SELECT m.child FROM a_meetings m
    WHERE m.child = b.child AND m.meeting_date >= b.ended AND m.senior_manager
    LIMIT 1
) sm ON true
WHERE b.previous IS NOT NULL AND b.ended - b.previous <= days('breakdown_pair_days')
GROUP BY b.child;

-- Working tables no later file reads are dropped as soon as they are done
-- with, to keep the audit within DuckDB's memory limit at national scale.
DROP TABLE a_meetings;
DROP TABLE a_breakdowns;
DROP TABLE a_recent_breakdowns;

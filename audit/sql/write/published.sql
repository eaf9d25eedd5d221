-- What the audit leaves for others (package doc, audit/doc.go): after the
-- findings, reports and job read these views, with findings and
-- rule_coverage, and no a_ working table, which the rule files may reshape
-- or drop as they need. Each is a view on the working table of the same
-- meaning, with its columns; audit.Published lists the names, and a test
-- holds this file, that list, doc.go and the readers to one another.

-- periods: every period of care as known on the as-of date (00_base.sql):
-- child, period_no, start, period_end (NULL: looked after on the as-of
-- date), short_breaks, anchored.
CREATE OR REPLACE TEMP VIEW periods AS SELECT * FROM a_periods;

-- looked_after_now: the children looked after on the as-of date, one row
-- each (00_base.sql): child, period_no, period_start, short_breaks, dob,
-- placement_start, place.
CREATE OR REPLACE TEMP VIEW looked_after_now AS SELECT * FROM a_current;

-- known_episodes: the episodes as known on the as-of date, each with its
-- period (00_base.sql): child, decom, dec, rec, rne, ls, place,
-- reason_place_change, seq, prev_rec, period_no.
CREATE OR REPLACE TEMP VIEW known_episodes AS SELECT * FROM a_ep;

-- allocations_now: the allocations in force on the as-of date
-- (05_allocations.sql): child, role, worker, start, end.
CREATE OR REPLACE TEMP VIEW allocations_now AS SELECT * FROM a_allocations;

-- held_reviews: the reviews held on or before the as-of date, outside
-- short breaks, one per child and day (20_preparation.sql): child,
-- period_no, period_start, review, code (participation), initial.
CREATE OR REPLACE TEMP VIEW held_reviews AS SELECT * FROM a_held_reviews;

-- breakdowns: each placement breakdown with its disruption meeting
-- (50_placements.sql): the breakdown's columns, then due, done, status.
CREATE OR REPLACE TEMP VIEW breakdowns AS SELECT * FROM a_breakdown_status;

-- Once the last obligations are written, the obligations and spans are
-- dropped, so that their memory is free for findings.csv and the workbook.
-- The reports read a_current, a_periods, a_ep, a_allocations,
-- a_held_reviews and a_breakdown_status.
DROP TABLE obligations;
DROP TABLE a_alloc_spans;

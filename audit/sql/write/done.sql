-- Once the last obligations are written, the obligations and spans are
-- dropped, so that their memory is free for findings.csv and the workbook.
-- The working tables behind the views of published.sql stay.
DROP TABLE obligations;
DROP TABLE a_alloc_spans;

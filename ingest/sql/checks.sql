-- Consistency checks of DATA.md "Bad input": each finding is a warning in
-- the data-quality sheet; the records are then handled as RULES.md says.
-- getvariable('as_of') is the run's as-of date.

CREATE OR REPLACE TABLE dq_warnings (
    table_name VARCHAR,
    check_name VARCHAR,
    message    VARCHAR,
    child      VARCHAR,
    record_date DATE,
    detail     VARCHAR
);

-- The load's own warnings (ingest/sql/returns.sql, episode_states.sql).
CREATE TABLE IF NOT EXISTS load_warnings AS SELECT * FROM dq_warnings LIMIT 0;
INSERT INTO dq_warnings SELECT * FROM load_warnings;
DROP TABLE load_warnings;

INSERT INTO dq_warnings
SELECT 'episodes', 'episode_ends_before_start', 'episode ends before it starts (episode ignored)',
       child, decom, 'DECOM ' || strftime(decom, '%d/%m/%Y') || ', DEC ' || strftime(dec, '%d/%m/%Y')
FROM episodes WHERE dec < decom;

INSERT INTO dq_warnings
SELECT 'episodes', 'overlapping_episodes', 'episode starts before the previous one ended (episodes taken in start order)',
       child, decom, 'starts ' || strftime(decom, '%d/%m/%Y') || ', previous ends ' || coalesce(strftime(prev_dec, '%d/%m/%Y'), 'open')
FROM (
    SELECT child, decom, lag(dec) OVER w AS prev_dec, lag(decom) OVER w AS prev_decom,
           row_number() OVER w AS n
    FROM episodes WHERE dec IS NULL OR dec >= decom
    WINDOW w AS (PARTITION BY child ORDER BY decom, dec NULLS LAST)
) WHERE n > 1 AND (prev_dec IS NULL OR decom < prev_dec);

INSERT INTO dq_warnings
SELECT 'episodes', 'duplicate_start', 'two episodes start on the same day (the later-ending one is used)',
       child, decom, NULL
FROM episodes GROUP BY child, decom HAVING count(*) > 1;

INSERT INTO dq_warnings
SELECT 'episodes', 'came_into_care_before_extract', 'first episode is not a start of care: reviews before the first one in the extract are not assessed',
       child, decom, 'RNE ' || rne
FROM (SELECT child, decom, rne, row_number() OVER (PARTITION BY child ORDER BY decom) AS n FROM episodes)
WHERE n = 1 AND rne <> 'S';

INSERT INTO dq_warnings
SELECT 'episodes', 'born_after_care_started', 'episode starts before the child''s date of birth',
       e.child, e.decom, NULL
FROM episodes e JOIN header h USING (child) WHERE e.decom < h.dob;

INSERT INTO dq_warnings
SELECT 'reviews', 'same_day_reviews', 'review recorded more than once on one day (counted once)',
       child, review, count(*) || ' rows'
FROM reviews GROUP BY child, review HAVING count(*) > 1;

INSERT INTO dq_warnings
SELECT 'review_details', 'details_without_review', 'review details for a review that is not in the reviews table (not assessed)',
       d.child, d.review, NULL
FROM review_details d ANTI JOIN reviews r ON r.child = d.child AND r.review = d.review;

INSERT INTO dq_warnings
SELECT 'allocations', 'allocation_ends_before_start', 'allocation ends before it starts (ignored)',
       child, start, role || ' allocation'
FROM allocations WHERE "end" < start;

-- Tables that describe what a load read, and the value readers shared by
-- the CSV and XLSX paths.

-- Leading and trailing ASCII white space (space, tab, line feed, vertical
-- tab, form feed, carriage return) is not part of a value. DuckDB's trim()
-- removes spaces only, so the readers use this instead.
CREATE OR REPLACE MACRO lac_trim(s) AS
    regexp_replace(s::VARCHAR, '^[ \t\n\v\f\r]+|[ \t\n\v\f\r]+$', '', 'g');

-- A date is dd/mm/yyyy (the 903's own format, one- or two-digit day and
-- month, four-digit year) or yyyy-mm-dd, either optionally with a time part
-- that is midnight (02/07/2025 00:00, 2025-07-02T00:00:00), which
-- case-system exports add; any other time is not a date. Nothing else is
-- guessed: no mm/dd, no two-digit year. The shape is checked first because strptime
-- alone is lenient (it takes a three-digit year, and white space anywhere).
-- ingest.validDate is the same test in Go; a fuzz test keeps them agreeing.
-- The date sniff of a CSV file uses the same shapes.
CREATE OR REPLACE MACRO lac_dmy_shape(s) AS
    regexp_full_match(lac_trim(s), '[0-9]{1,2}/[0-9]{1,2}/[0-9]{4}( 00:00(:00)?)?');
CREATE OR REPLACE MACRO lac_iso_shape(s) AS
    regexp_full_match(lac_trim(s), '[0-9]{4}-[0-9]{2}-[0-9]{2}([T ]00:00(:00(\.0+)?)?Z?)?');
CREATE OR REPLACE MACRO lac_date(s) AS
    CASE
        WHEN lac_dmy_shape(s) THEN try_strptime(regexp_extract(lac_trim(s), '^[0-9/]+'), '%d/%m/%Y')::DATE
        WHEN lac_iso_shape(s) THEN try_strptime(regexp_extract(lac_trim(s), '^[0-9-]+'), '%Y-%m-%d')::DATE
    END;

-- A flag is Y/N, Yes/No, 1/0 or TRUE/FALSE in any case.
CREATE OR REPLACE MACRO lac_flag(s) AS
    CASE
        WHEN upper(trim(s::VARCHAR)) IN ('Y', 'YES', '1', 'TRUE') THEN true
        WHEN upper(trim(s::VARCHAR)) IN ('N', 'NO', '0', 'FALSE') THEN false
    END;

-- The child a load warning names: with the row's authority, when it has
-- one, as LA, chr(31), child, until ResolveAuthorities knows whether the
-- extract holds more than one authority (then LA:CHILD, as every table's
-- child) or one (then the child alone).
CREATE OR REPLACE MACRO lac_warned_child(la, child) AS
    CASE WHEN la IS NULL THEN child ELSE la || chr(31) || child END;

CREATE OR REPLACE TABLE rejects (
    source      VARCHAR,  -- file, or workbook[sheet]
    table_name  VARCHAR,
    line        BIGINT,   -- the file's own line number (header = 1), or sheet row
    column_name VARCHAR,
    value       VARCHAR,
    reason      VARCHAR
);

CREATE OR REPLACE TABLE input_tables (
    table_name    VARCHAR,
    source        VARCHAR,
    present       BOOLEAN,
    rows_read     BIGINT,
    rows_rejected BIGINT,
    sha256        VARCHAR,
    core          BOOLEAN,
    encoding      VARCHAR   -- of a CSV file: UTF-8, UTF-8 with BOM, Windows-1252
);

CREATE OR REPLACE TABLE input_columns (
    table_name  VARCHAR,
    column_name VARCHAR,
    known       BOOLEAN  -- false: a column the contract does not use (ignored)
);

-- Values outside what a column should hold (Column.Expected): warnings
-- with file and line, moved into dq_warnings by the consistency checks.
CREATE OR REPLACE TABLE input_warnings (
    source      VARCHAR,
    table_name  VARCHAR,
    line        BIGINT,
    message     VARCHAR,
    child       VARCHAR,
    record_date DATE
);

-- Files of the input folder and sheets that were not read, and why.
CREATE OR REPLACE TABLE ignored_sources (name VARCHAR, why VARCHAR);

-- A folder of returns: each return's file of each table, and what of it was
-- used (the rows of the newest return that has their natural key).
CREATE OR REPLACE TABLE input_returns (
    collection_year VARCHAR,  -- 2023-24
    table_name      VARCHAR,
    source          VARCHAR,  -- 2023-24/episodes.csv, episodes_2023-24.csv
    rows_read       BIGINT,
    rows_rejected   BIGINT,
    rows_used       BIGINT,
    sha256          VARCHAR,
    has_la          BOOLEAN   -- the file has an LA column
);

-- Warnings of the load itself (records of one episode in two states, an
-- open episode a newer return does not carry), moved into dq_warnings by
-- the consistency checks.
CREATE OR REPLACE TABLE load_warnings (
    table_name  VARCHAR,
    check_name  VARCHAR,
    message     VARCHAR,
    child       VARCHAR,
    record_date DATE,
    detail      VARCHAR
);

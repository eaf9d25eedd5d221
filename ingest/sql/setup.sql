-- Tables that describe what a load read, and the value readers shared by
-- the CSV and XLSX paths.

-- A date is dd/mm/yyyy (the 903's own format, one- or two-digit day and
-- month) or yyyy-mm-dd. Nothing else is guessed: no mm/dd, no two-digit year.
CREATE OR REPLACE MACRO lac_date(s) AS
    CASE
        WHEN trim(s::VARCHAR) LIKE '%/%/____' THEN try_strptime(trim(s::VARCHAR), '%d/%m/%Y')::DATE
        WHEN trim(s::VARCHAR) LIKE '____-__-__' THEN try_strptime(trim(s::VARCHAR), '%Y-%m-%d')::DATE
    END;

-- A flag is Y/N, Yes/No, 1/0 or TRUE/FALSE in any case.
CREATE OR REPLACE MACRO lac_flag(s) AS
    CASE
        WHEN upper(trim(s::VARCHAR)) IN ('Y', 'YES', '1', 'TRUE') THEN true
        WHEN upper(trim(s::VARCHAR)) IN ('N', 'NO', '0', 'FALSE') THEN false
    END;

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
    core          BOOLEAN
);

CREATE OR REPLACE TABLE input_columns (
    table_name  VARCHAR,
    column_name VARCHAR,
    known       BOOLEAN  -- false: a column the contract does not use (ignored)
);

CREATE OR REPLACE TABLE ignored_sources (name VARCHAR);

package audit

import (
	"context"
	"fmt"

	"github.com/lacaudit/lacaudit/ingest"
	"github.com/lacaudit/lacaudit/store"
)

// WriteFindingsParquet writes the findings to path as findings.parquet: the
// same rows, columns and order as findings.csv, typed: the dates are Parquet
// DATEs, days late a 32-bit integer, and the rule, status, team, social
// worker and IRO, ENUMs in the database, are UTF-8 strings stored as a
// dictionary of their values (what DuckDB's writer makes of an ENUM), so
// that DuckDB, pandas (pyarrow), Power BI and R (arrow) read the file as it
// is. One file, zstd-compressed, in row groups of about a million rows.
// Text is as in the database: findings.csv's guard against spreadsheet
// formulas (CSVText) is for files a spreadsheet opens as text, and a
// Parquet reader never runs a value as a formula.
func WriteFindingsParquet(ctx context.Context, db *store.DB, path string) error {
	a, err := ingest.ReadAuthorities(ctx, db)
	if err != nil {
		return err
	}
	q := `COPY (SELECT rule, ` + a.Child("child") + ` AS child, period_start, due, done, status, days_late, team, social_worker, iro` + laColumn(a) + `
	            FROM findings ORDER BY ` + findingsOrder(a) + `)
	      TO ` + store.Quote(path) + ` (FORMAT parquet, COMPRESSION zstd, ROW_GROUP_SIZE 1048576, PER_THREAD_OUTPUT false)`
	if _, err := db.ExecContext(ctx, q); err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	return nil
}

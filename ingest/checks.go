package ingest

import (
	"context"
	_ "embed"
	"fmt"
	"strings"
	"time"

	"github.com/lacaudit/lacaudit/store"
)

//go:embed sql/checks.sql
var checksSQL string

// WarningCount is how many records one consistency check found.
type WarningCount struct {
	Table, Check, Message string
	Count                 int64
}

// Checks runs the consistency checks of DATA.md over the loaded tables into
// the table dq_warnings (one row per record found) and returns the counts.
func Checks(ctx context.Context, db *store.DB, asOf time.Time) ([]WarningCount, error) {
	if _, err := db.ExecContext(ctx, "SET VARIABLE as_of = ?::DATE", asOf.Format(time.DateOnly)); err != nil {
		return nil, fmt.Errorf("set as-of date: %w", err)
	}
	// The same three checks for every table but header, as one statement
	// (on a small extract a statement's fixed cost is most of its time).
	var parts []string
	for _, t := range Tables {
		if t.Name == "header" {
			continue
		}
		dc := strings.ToLower(DateColumns[t.Name])
		parts = append(parts, fmt.Sprintf(`
SELECT '%[1]s', 'no_header_row', 'record for a child with no row in header', child, %[2]s, NULL
FROM %[1]s ANTI JOIN header USING (child)
UNION ALL
SELECT '%[1]s', 'after_as_of', 'record dated after the as-of date (ignored)', child, %[2]s, NULL
FROM %[1]s WHERE %[2]s > getvariable('as_of')
UNION ALL
SELECT '%[1]s', 'duplicate_rows', 'identical row appears more than once (counted once)', child, %[2]s, n || ' copies'
FROM (SELECT *, count(*) AS n FROM %[1]s GROUP BY ALL HAVING count(*) > 1)`, t.Name, dc))
	}
	// An LA code on records that no row of header carries is no authority
	// of the extract (a wrong code): each record is a warning naming it.
	for _, t := range Tables {
		if t.Name == "header" {
			continue
		}
		parts = append(parts, fmt.Sprintf(`
SELECT '%[1]s', 'authority_not_in_header', 'record of LA ' || la || ', which no row of header carries (a wrong LA code?)', child, %[2]s, NULL
FROM %[1]s WHERE la IS NOT NULL AND EXISTS (SELECT 1 FROM header WHERE la IS NOT NULL) AND la NOT IN (SELECT la FROM header WHERE la IS NOT NULL)`, t.Name, strings.ToLower(DateColumns[t.Name])))
	}
	script := checksSQL + "\nINSERT INTO dq_warnings" + strings.Join(parts, "\nUNION ALL") + `
UNION ALL
SELECT 'header', 'duplicate_child', 'child appears more than once in header (first date of birth used)', child, min(dob), count(*) || ' rows'
FROM header GROUP BY child HAVING count(*) > 1
UNION ALL
SELECT table_name, 'unexpected_value', message, child, record_date, source || ' line ' || line
FROM input_warnings;
DROP TABLE input_warnings;
`
	if err := db.Exec(ctx, "consistency checks", script); err != nil {
		return nil, err
	}
	rows, err := db.QueryContext(ctx, `SELECT table_name, check_name, message, count(*) FROM dq_warnings
		GROUP BY ALL ORDER BY table_name, check_name, message`)
	if err != nil {
		return nil, fmt.Errorf("count warnings: %w", err)
	}
	defer rows.Close()
	var out []WarningCount
	for rows.Next() {
		var w WarningCount
		if err := rows.Scan(&w.Table, &w.Check, &w.Message, &w.Count); err != nil {
			return nil, err
		}
		out = append(out, w)
	}
	return out, rows.Err()
}

// RejectRow is one rejected value or line.
type RejectRow struct {
	Source, Table string
	Line          int64
	Column        string
	Value, Reason string
}

// FirstRejects returns up to n rejected rows in file and line order.
func FirstRejects(ctx context.Context, db *store.DB, n int) ([]RejectRow, error) {
	rows, err := db.QueryContext(ctx, `SELECT source, table_name, line, coalesce(column_name, ''), coalesce(value, ''), reason
		FROM rejects ORDER BY source, line, column_name LIMIT ?`, n)
	if err != nil {
		return nil, fmt.Errorf("list rejects: %w", err)
	}
	defer rows.Close()
	var out []RejectRow
	for rows.Next() {
		var r RejectRow
		if err := rows.Scan(&r.Source, &r.Table, &r.Line, &r.Column, &r.Value, &r.Reason); err != nil {
			return nil, err
		}
		out = append(out, r)
	}
	return out, rows.Err()
}

package ingest

import (
	"context"
	"fmt"
	"strings"

	"github.com/lacaudit/lacaudit/store"
)

// stageColumn is one column of a staging table: the raw text (or, for CSV
// date columns in the sniffed format, the date DuckDB's reader already typed).
type stageColumn struct {
	col   Column
	typed bool // the staging column already has the final type
}

// typedExpr is the SQL that turns a staging column into its final value.
func typedExpr(sc stageColumn) string {
	n := sc.col.SQLName()
	switch sc.col.Kind {
	case Code:
		return fmt.Sprintf("nullif(upper(trim(%s)), '')", n)
	case Date:
		if sc.typed {
			return n
		}
		return fmt.Sprintf("lac_date(%s)", n)
	case Flag:
		return fmt.Sprintf("lac_flag(%s)", n)
	case Int:
		// digits only: DuckDB's cast also takes 1.5 (as 2) and 1e3
		return fmt.Sprintf("CASE WHEN regexp_full_match(trim(%[1]s), '[0-9]+') THEN try_cast(trim(%[1]s) AS BIGINT) END", n)
	}
	return fmt.Sprintf("nullif(trim(%s), '')", n)
}

func sqlType(k Kind) string {
	switch k {
	case Date:
		return "DATE"
	case Flag:
		return "BOOLEAN"
	case Int:
		return "BIGINT"
	}
	return "VARCHAR"
}

// badChecks returns, for one staging column, the conditions that reject a
// row with their reasons.
func badChecks(sc stageColumn) [][2]string {
	n := sc.col.SQLName()
	typed := typedExpr(sc)
	present := fmt.Sprintf("nullif(trim(%s), '') IS NOT NULL", n)
	if sc.typed {
		present = n + " IS NOT NULL"
	}
	var out [][2]string
	if sc.col.NotNull {
		out = append(out, [2]string{fmt.Sprintf("NOT (%s)", present), "required value is empty"})
	}
	switch sc.col.Kind {
	case Date:
		if !sc.typed {
			out = append(out, [2]string{fmt.Sprintf("%s AND %s IS NULL", present, typed), "not a date (expected dd/mm/yyyy or yyyy-mm-dd)"})
		}
	case Flag:
		out = append(out, [2]string{fmt.Sprintf("%s AND %s IS NULL", present, typed), "not a flag (expected Y/N, Yes/No, 1/0 or TRUE/FALSE)"})
	case Int:
		out = append(out, [2]string{fmt.Sprintf("%s AND %s IS NULL", present, typed), "not a whole number"})
	}
	if len(sc.col.Allowed) > 0 {
		q := make([]string, len(sc.col.Allowed))
		for i, a := range sc.col.Allowed {
			q[i] = store.Quote(a)
		}
		out = append(out, [2]string{fmt.Sprintf("%s IS NOT NULL AND %s NOT IN (%s)", typed, typed, strings.Join(q, ", ")),
			"not one of " + strings.Join(sc.col.Allowed, ", ")})
	}
	if sc.col.Pattern != "" {
		out = append(out, [2]string{fmt.Sprintf("%s IS NOT NULL AND NOT regexp_full_match(%s, %s)", typed, typed, store.Quote(sc.col.Pattern)), sc.col.PatternText})
	}
	return out
}

// validate finds the staged rows whose values cannot be read, one reject per
// bad value, and counts the staged rows. ordExpr names each row: its rowid
// (CSV, mapped to a line later) or its sheet row (XLSX). The staging table
// is scanned once, for the rows that fail any check (usually none), and
// only those are then sorted out check by check.
func validate(ctx context.Context, db *store.DB, t Table, stage string, cols []stageColumn, ordExpr string) ([]reject, int64, error) {
	var failing, parts []string
	for _, sc := range cols {
		for _, chk := range badChecks(sc) {
			failing = append(failing, "("+chk[0]+")")
			parts = append(parts, fmt.Sprintf("SELECT ord, %s AS col, coalesce(%s::VARCHAR, '') AS val, %s AS reason FROM bad WHERE %s",
				store.Quote(sc.col.Name), sc.col.SQLName(), store.Quote(chk[1]), chk[0]))
		}
	}
	var n int64
	if err := db.QueryRowContext(ctx, "SELECT count(*) FROM "+stage).Scan(&n); err != nil {
		return nil, 0, err
	}
	if len(parts) == 0 {
		return nil, n, nil
	}
	q := fmt.Sprintf("WITH bad AS MATERIALIZED (SELECT %s AS ord, * FROM %s WHERE %s)\n%s\nORDER BY ord, col",
		ordExpr, stage, strings.Join(failing, " OR "), strings.Join(parts, "\nUNION ALL\n"))
	rows, err := db.QueryContext(ctx, q)
	if err != nil {
		return nil, 0, err
	}
	defer rows.Close()
	var out []reject
	for rows.Next() {
		r := reject{duckLine: -1, dateIdx: -1}
		if err := rows.Scan(&r.ord, &r.column, &r.value, &r.reason); err != nil {
			return nil, 0, err
		}
		r.value = clip(r.value, 200)
		out = append(out, r)
	}
	return out, n, rows.Err()
}

// createTyped creates the table t from its staging table, leaving out the
// rows with values that cannot be read when validate found any (filter);
// with no staging table it creates t empty. Every contract column exists in
// the result: one absent from the file is NULL throughout (input_columns
// says which were present).
func createTyped(ctx context.Context, db *store.DB, t Table, stage []stageColumn, stageName string, filter bool) error {
	byName := map[string]stageColumn{}
	for _, sc := range stage {
		byName[sc.col.Name] = sc
	}
	var sel, valid []string
	for _, c := range t.Columns {
		if sc, ok := byName[c.Name]; ok {
			sel = append(sel, fmt.Sprintf("%s AS %s", typedExpr(sc), c.SQLName()))
			for _, chk := range badChecks(sc) {
				valid = append(valid, fmt.Sprintf("NOT coalesce(%s, false)", chk[0]))
			}
		} else {
			sel = append(sel, fmt.Sprintf("NULL::%s AS %s", sqlType(c.Kind), c.SQLName()))
		}
	}
	var q string
	if stageName == "" {
		q = fmt.Sprintf("CREATE OR REPLACE TABLE %s AS SELECT %s LIMIT 0", t.Name, strings.Join(sel, ", "))
	} else {
		where := "true"
		if filter && len(valid) > 0 {
			where = strings.Join(valid, " AND ")
		}
		q = fmt.Sprintf("CREATE OR REPLACE TABLE %s AS SELECT %s FROM %s WHERE %s", t.Name, strings.Join(sel, ", "), stageName, where)
	}
	if _, err := db.ExecContext(ctx, q); err != nil {
		return fmt.Errorf("create table %s: %w", t.Name, err)
	}
	return nil
}

package ingest

import (
	"context"
	"database/sql/driver"
	"encoding/csv"
	"fmt"
	"sort"
	"strings"

	"github.com/lacaudit/lacaudit/store"
)

// reject is one rejected value or line.
type reject struct {
	ord      int64 // ordinal of the accepted record (value rejects), or -1
	duckLine int64 // DuckDB's line number of a record its reader rejected
	dateIdx  int   // header position of a date the reader could not read, or -1
	line     int64 // the file's own line number (header = 1), or sheet row
	column   string
	value    string
	reason   string
}

func afterColon(s string) string {
	if i := strings.LastIndex(s, ":"); i >= 0 {
		return strings.TrimSpace(s[i+1:]) + " found"
	}
	return s
}

func lowerFirst(s string) string {
	if s == "" {
		return s
	}
	return strings.ToLower(s[:1]) + s[1:]
}

func clip(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n] + "…"
}

func fieldOf(line string, i int) string {
	r := csv.NewReader(strings.NewReader(line))
	r.FieldsPerRecord = -1
	r.LazyQuotes = true
	rec, err := r.Read()
	if err != nil || i < 0 || i >= len(rec) {
		return clip(line, 200)
	}
	return rec[i]
}

// fieldCount is how many fields a CSV line holds, or -1 when it cannot
// be read as one record.
func fieldCount(line string) int {
	r := csv.NewReader(strings.NewReader(strings.TrimRight(line, "\r\n")))
	r.FieldsPerRecord = -1
	r.LazyQuotes = true
	rec, err := r.Read()
	if err != nil {
		return -1
	}
	return len(rec)
}

func distinctLines(rs []reject) map[int64]bool {
	m := map[int64]bool{}
	for _, r := range rs {
		m[r.duckLine] = true
	}
	return m
}

func countDistinctOrds(rs []reject) int64 {
	m := map[int64]bool{}
	for _, r := range rs {
		m[r.ord] = true
	}
	return int64(len(m))
}

func insertRejects(ctx context.Context, db *store.DB, s Source, t Table, rs []reject) error {
	sort.SliceStable(rs, func(i, j int) bool { return rs[i].line < rs[j].line })
	return db.Append(ctx, "rejects", func(add func(...driver.Value) error) error {
		for _, r := range rs {
			if err := add(s.Label(), t.Name, r.line, r.column, r.value, r.reason); err != nil {
				return fmt.Errorf("append rejects of %s: %w", s.Label(), err)
			}
		}
		return nil
	})
}

// readerProblem is the first line of an error of DuckDB's CSV reader, without
// the lines of the file it quotes: one line that holds no data.
func readerProblem(err error) string {
	msg, _, _ := strings.Cut(err.Error(), "\n")
	for _, cut := range []string{"Original Line", "Value:"} {
		if i := strings.Index(msg, cut); i >= 0 {
			msg = msg[:i]
		}
	}
	msg = strings.TrimSpace(strings.TrimRight(strings.TrimSpace(msg), ".:,"))
	return clip(msg, 200)
}

// warning is a value outside what its column should hold (Column.Expected)
// on a row that is read.
type warning struct {
	ord, line  int64
	message    string
	child      string
	recordDate any // the row's date (DateColumns), or nil
}

// unexpectedValues finds the staged rows, other than the rejected ones,
// with a value outside its column's Expected list.
func unexpectedValues(ctx context.Context, db *store.DB, t Table, stage string, cols []stageColumn, ordExpr string, rejected []reject) ([]warning, error) {
	skip := map[int64]bool{}
	for _, r := range rejected {
		skip[r.ord] = true
	}
	dateExpr := "NULL::DATE"
	var child string
	for _, sc := range cols {
		if sc.col.Name == DateColumns[t.Name] {
			dateExpr = fmt.Sprintf("try_cast(%s AS DATE)", typedExpr(sc))
		}
		if sc.col.Name == "CHILD" {
			child = typedExpr(sc)
		}
	}
	for _, sc := range cols {
		// The row's authority goes with its child (setup.sql).
		if sc.col.Name == "LA" && child != "" {
			child = fmt.Sprintf("lac_warned_child(%s, %s)", typedExpr(sc), child)
		}
	}
	var out []warning
	for _, sc := range cols {
		if len(sc.col.Expected) == 0 || child == "" {
			continue
		}
		q := make([]string, len(sc.col.Expected))
		for i, a := range sc.col.Expected {
			q[i] = store.Quote(a)
		}
		typed := typedExpr(sc)
		rows, err := db.QueryContext(ctx, fmt.Sprintf("SELECT %s, %s, %s FROM %s WHERE %s IS NOT NULL AND %s NOT IN (%s) ORDER BY 1",
			ordExpr, child, dateExpr, stage, typed, typed, strings.Join(q, ", ")))
		if err != nil {
			return nil, err
		}
		msg := fmt.Sprintf("%s is not one of %s (the row is used)", sc.col.Name, strings.Join(sc.col.Expected, ", "))
		for rows.Next() {
			var w warning
			var c *string
			if err := rows.Scan(&w.ord, &c, &w.recordDate); err != nil {
				rows.Close()
				return nil, err
			}
			if c != nil {
				w.child = *c
			}
			if !skip[w.ord] {
				w.message = msg
				out = append(out, w)
			}
		}
		if err := rows.Close(); err != nil {
			return nil, err
		}
	}
	return out, nil
}

func insertWarnings(ctx context.Context, db *store.DB, s Source, t Table, ws []warning) error {
	var rows [][]any
	for _, w := range ws {
		rows = append(rows, []any{s.Label(), t.Name, w.line, w.message, w.child, w.recordDate})
	}
	return db.InsertRows(ctx, "input_warnings", rows)
}

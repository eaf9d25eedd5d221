package audit_test

import (
	"context"
	"fmt"
	"path/filepath"
	"slices"
	"testing"
	"time"

	"github.com/lacaudit/lacaudit/audit"
	"github.com/lacaudit/lacaudit/sampledata"
	"github.com/lacaudit/lacaudit/store"
	"github.com/lacaudit/lacaudit/synth"
)

// findings.parquet holds findings.csv's rows in findings.csv's order, with
// the dates typed as dates, days late as an integer and the rule and status
// as dictionary-encoded strings.
// With several authorities both have the la column, last, and the child
// without its authority's code.
func TestFindingsParquet(t *testing.T) {
	t.Run("one authority", func(t *testing.T) {
		dir := t.TempDir()
		if err := sampledata.WriteTo(dir); err != nil {
			t.Fatal(err)
		}
		findingsParquet(t, dir, 10)
	})
	t.Run("two authorities", func(t *testing.T) {
		dir := t.TempDir()
		ex := time.Date(2026, 10, 30, 0, 0, 0, 0, time.UTC)
		if err := synth.Generate(dir, synth.Options{Children: 120, Seed: 2, Extract: ex, Years: 5, Authorities: 2}); err != nil {
			t.Fatal(err)
		}
		findingsParquet(t, dir, 11)
	})
}

func findingsParquet(t *testing.T, dir string, columns int) {
	_, _, db := auditedDir(t, dir, "2026-11-01")
	ctx := context.Background()
	out := t.TempDir()
	csv, pq := filepath.Join(out, "findings.csv"), filepath.Join(out, "findings.parquet")
	if err := audit.WriteFindings(ctx, db, csv); err != nil {
		t.Fatal(err)
	}
	if err := audit.WriteFindingsParquet(ctx, db, pq); err != nil {
		t.Fatal(err)
	}
	// Every value as findings.csv writes it, row by row.
	read := func(q string) [][]string {
		t.Helper()
		rows, err := db.QueryContext(ctx, q)
		if err != nil {
			t.Fatal(err)
		}
		defer rows.Close()
		var out [][]string
		for rows.Next() {
			r := make([]string, columns)
			p := make([]any, columns)
			for i := range r {
				p[i] = &r[i]
			}
			if err := rows.Scan(p...); err != nil {
				t.Fatal(err)
			}
			out = append(out, r)
		}
		if err := rows.Err(); err != nil {
			t.Fatal(err)
		}
		return out
	}
	text := `SELECT COLUMNS(*)::VARCHAR FROM (SELECT coalesce(COLUMNS(*)::VARCHAR, '') FROM %s)`
	fromCSV := read(fmt.Sprintf(text, "read_csv("+store.Quote(csv)+", all_varchar = true, header = true)"))
	fromPQ := read(fmt.Sprintf(text, store.Quote(pq)))
	if len(fromCSV) < 1000 {
		t.Fatalf("findings.csv has %d rows, want over 1000", len(fromCSV))
	}
	if len(fromPQ) != len(fromCSV) {
		t.Fatalf("findings.parquet has %d rows, findings.csv %d", len(fromPQ), len(fromCSV))
	}
	for i := range fromCSV {
		if !slices.Equal(fromCSV[i], fromPQ[i]) {
			t.Fatalf("row %d: parquet %q, csv %q", i+1, fromPQ[i], fromCSV[i])
		}
	}
	types := map[string]string{}
	rows, err := db.QueryContext(ctx, "SELECT column_name, column_type FROM (DESCRIBE SELECT * FROM "+store.Quote(pq)+")")
	if err != nil {
		t.Fatal(err)
	}
	for rows.Next() {
		var n, ty string
		if err := rows.Scan(&n, &ty); err != nil {
			t.Fatal(err)
		}
		types[n] = ty
	}
	rows.Close()
	want := map[string]string{"rule": "VARCHAR", "child": "VARCHAR", "period_start": "DATE", "due": "DATE", "done": "DATE",
		"status": "VARCHAR", "days_late": "INTEGER", "team": "VARCHAR", "social_worker": "VARCHAR", "iro": "VARCHAR"}
	if columns == 11 {
		want["la"] = "VARCHAR"
		var las, keyed int
		if err := db.QueryRowContext(ctx, "SELECT count(DISTINCT la), count(*) FILTER (WHERE child LIKE '%:%') FROM "+store.Quote(pq)).Scan(&las, &keyed); err != nil {
			t.Fatal(err)
		}
		if las != 2 || keyed != 0 {
			t.Errorf("findings.parquet has %d authorities and %d children keyed LA:CHILD, want 2 and 0", las, keyed)
		}
	}
	if len(types) != len(want) {
		t.Errorf("findings.parquet has the columns %v, want %v", types, want)
	}
	for n, ty := range want {
		if types[n] != ty {
			t.Errorf("column %s is %q in findings.parquet, want %s", n, types[n], ty)
		}
	}
	var enc string
	if err := db.QueryRowContext(ctx, "SELECT string_agg(DISTINCT encodings, ',') FROM parquet_metadata("+store.Quote(pq)+") WHERE path_in_schema IN ('rule', 'status')").Scan(&enc); err != nil {
		t.Fatal(err)
	}
	if enc != "RLE_DICTIONARY" {
		t.Errorf("rule and status are encoded %q, want a dictionary (RLE_DICTIONARY)", enc)
	}
}

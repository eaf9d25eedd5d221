package audit_test

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"testing"

	"github.com/lacaudit/lacaudit/audit"
	"github.com/lacaudit/lacaudit/sampledata"
	"github.com/lacaudit/lacaudit/store"
)

// findings.parquet holds findings.csv's rows in findings.csv's order, with
// the dates typed as dates, days late as an integer and the rule and status
// as dictionary-encoded strings.
func TestFindingsParquet(t *testing.T) {
	dir := t.TempDir()
	if err := sampledata.WriteTo(dir); err != nil {
		t.Fatal(err)
	}
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
			r := make([]string, 10)
			p := make([]any, 10)
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

// findings.csv copied from findings.parquet, as a run that writes both
// does, is byte for byte the findings.csv written from the findings table.
func TestFindingsCSVFromParquet(t *testing.T) {
	dir := t.TempDir()
	if err := sampledata.WriteTo(dir); err != nil {
		t.Fatal(err)
	}
	_, _, db := auditedDir(t, dir, "2026-11-01")
	ctx := context.Background()
	out := t.TempDir()
	direct, copied, pq := filepath.Join(out, "direct.csv"), filepath.Join(out, "copied.csv"), filepath.Join(out, "findings.parquet")
	if err := audit.WriteFindings(ctx, db, direct); err != nil {
		t.Fatal(err)
	}
	// Small row groups read on several threads, so that the order must be
	// kept across them.
	if _, err := db.ExecContext(ctx, "COPY (SELECT rule, child, period_start, due, done, status, days_late, team, social_worker, iro FROM findings ORDER BY "+
		audit.FindingsOrder+") TO "+store.Quote(pq)+" (FORMAT parquet, ROW_GROUP_SIZE 2048)"); err != nil {
		t.Fatal(err)
	}
	if _, err := db.ExecContext(ctx, "SET threads = 4"); err != nil {
		t.Fatal(err)
	}
	if err := audit.WriteFindingsFromParquet(ctx, db, copied, pq); err != nil {
		t.Fatal(err)
	}
	a, err := os.ReadFile(direct)
	if err != nil {
		t.Fatal(err)
	}
	b, err := os.ReadFile(copied)
	if err != nil {
		t.Fatal(err)
	}
	if len(a) < 10000 || !bytes.Equal(a, b) {
		t.Fatalf("findings.csv from findings.parquet (%d bytes) differs from findings.csv from the table (%d bytes)", len(b), len(a))
	}
}

package reports

import (
	"context"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"

	"github.com/lacaudit/lacaudit/audit"
	"github.com/lacaudit/lacaudit/config"
	"github.com/lacaudit/lacaudit/ingest"
	"github.com/lacaudit/lacaudit/store"
	"github.com/lacaudit/lacaudit/synth"
	"github.com/lacaudit/lacaudit/templates"
)

// A list longer than a sheet holds goes on over continuation sheets, each
// with its header and a note; no row is lost.
func TestLongListsSplitAcrossSheets(t *testing.T) {
	ctx := context.Background()
	asOf := time.Date(2026, 10, 30, 0, 0, 0, 0, time.UTC)
	in := t.TempDir()
	if err := synth.Generate(in, synth.Options{Children: 60, Seed: 5, Extract: asOf, Years: 4}); err != nil {
		t.Fatal(err)
	}
	db, err := store.Open(ctx, "", store.Options{Threads: 1})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	res, err := ingest.Load(ctx, db, ingest.Options{Dir: in, RejectThreshold: 0.05})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := ingest.Checks(ctx, db, asOf); err != nil {
		t.Fatal(err)
	}
	cfg := config.Default()
	ar, err := audit.Run(ctx, db, cfg, asOf, time.Time{})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := db.ExecContext(ctx, "CREATE TABLE run_history (as_of DATE, run_at TIMESTAMP, reviews_overdue BIGINT, overdue BIGINT)"); err != nil {
		t.Fatal(err)
	}
	var want int
	if err := db.QueryRowContext(ctx, `SELECT count(*) FROM findings f JOIN rule_coverage c USING (rule)
		WHERE c.family = 'After-review records' AND f.status IN ('late','overdue','missed','not_met')
		  AND (f.status = 'overdue' OR f.due > DATE '2026-10-30' - INTERVAL 1 YEAR)`).Scan(&want); err != nil {
		t.Fatal(err)
	}
	if want < 8 {
		t.Fatalf("only %d exception rows: the sample is too small to test splitting", want)
	}
	old := MaxRows
	MaxRows = 3
	defer func() { MaxRows = old }()
	style, _ := templates.Default()
	path := filepath.Join(t.TempDir(), "w.xlsx")
	if err := Prepare(ctx, db, asOf); err != nil {
		t.Fatal(err)
	}
	if err := WriteWorkbook(ctx, db, path, Input{AsOf: asOf, Config: cfg, Style: style, Version: "test",
		Tables: res.Tables, Coverage: ar.Coverage, Started: time.Now()}); err != nil {
		t.Fatal(err)
	}
	f, err := excelize.OpenFile(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	got := 0
	parts := 0
	for _, sh := range f.GetSheetList() {
		if sh != "After-review records" && !strings.HasPrefix(sh, "After-review records (") {
			continue
		}
		parts++
		rows, _ := f.GetRows(sh)
		for _, r := range rows {
			if len(r) >= 6 && (r[5] == "late" || r[5] == "overdue" || r[5] == "missed" || r[5] == "not met") {
				got++
			}
		}
	}
	if got != want {
		t.Errorf("%d exception rows over %d sheets, want %d", got, parts, want)
	}
	if wantParts := (want + 2) / 3; parts != wantParts {
		t.Errorf("%d sheets, want %d", parts, wantParts)
	}
	rows, _ := f.GetRows("After-review records")
	if len(rows) < 4 || !strings.Contains(rows[3][0], "goes on over") {
		t.Errorf("first sheet has no note about the continuation: %v", rows[:4])
	}
}

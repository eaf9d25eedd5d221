package synth

import (
	"crypto/sha256"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"
)

func digest(t *testing.T, dir string) map[string][32]byte {
	t.Helper()
	out := map[string][32]byte{}
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range entries {
		b, err := os.ReadFile(filepath.Join(dir, e.Name()))
		if err != nil {
			t.Fatal(err)
		}
		out[e.Name()] = sha256.Sum256(b)
	}
	return out
}

func TestDeterministicForASeed(t *testing.T) {
	ex := time.Date(2026, 10, 30, 0, 0, 0, 0, time.UTC)
	a, b, c := t.TempDir(), t.TempDir(), t.TempDir()
	for _, run := range []struct {
		dir  string
		seed uint64
	}{{a, 42}, {b, 42}, {c, 43}} {
		if err := Generate(run.dir, Options{Children: 300, Seed: run.seed, Extract: ex, Years: 5}); err != nil {
			t.Fatal(err)
		}
	}
	da, db, dc := digest(t, a), digest(t, b), digest(t, c)
	if _, ok := da[MarkerName]; !ok {
		t.Errorf("no %s in the folder", MarkerName)
	}
	delete(da, MarkerName)
	if len(da) != 11 {
		t.Fatalf("wrote %d files, want one per table (11)", len(da))
	}
	for name, h := range da {
		if db[name] != h {
			t.Errorf("%s differs between two runs with seed 42", name)
		}
	}
	if dc["episodes.csv"] == da["episodes.csv"] {
		t.Error("seed 43 wrote the same episodes as seed 42")
	}
}

func TestXLSXHasASheetPerTable(t *testing.T) {
	ex := time.Date(2024, 3, 31, 0, 0, 0, 0, time.UTC)
	dir := t.TempDir()
	if err := Generate(dir, Options{Children: 50, Seed: 3, Extract: ex, Years: 6, Format: "xlsx"}); err != nil {
		t.Fatal(err)
	}
	f, err := excelize.OpenFile(filepath.Join(dir, "extract.xlsx"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	sheets := f.GetSheetList()
	if len(sheets) != len(tableColumns) {
		t.Fatalf("sheets %v, want one per table", sheets)
	}
	rows, err := f.GetRows("header")
	if err != nil || len(rows) != 51 {
		t.Errorf("header sheet has %d rows (%v), want 50 children and a header", len(rows), err)
	}
}

func TestCivilDates(t *testing.T) {
	for _, s := range []string{"1970-01-01", "2000-02-29", "2024-02-29", "1999-12-31", "2100-03-01", "1950-06-15"} {
		tm, _ := time.Parse(time.DateOnly, s)
		d := fromTime(tm)
		if got := string(d.appendISO(nil)); got != s {
			t.Errorf("%s round-trips to %s", s, got)
		}
		if int(d.weekday()) != int(tm.Weekday()) {
			t.Errorf("%s: weekday %d, want %d", s, d.weekday(), tm.Weekday())
		}
	}
}

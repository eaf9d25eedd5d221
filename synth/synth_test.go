package synth

import (
	"crypto/sha256"
	"os"
	"path/filepath"
	"strings"
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
	// Data, not a program: excelize would leave it 0700.
	if st, err := os.Stat(filepath.Join(dir, "extract.xlsx")); err != nil || st.Mode().Perm() != 0o600 {
		t.Errorf("extract.xlsx: %v, %v; want mode 0600", st.Mode(), err)
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

// The heavy shape has more visits, PEPs, review details and health
// assessments a child than the standard one, the same children, periods and
// reviews (but for the draws of a second period), and about 37 rows a
// child in all.
func TestHeavyShape(t *testing.T) {
	ex := time.Date(2026, 10, 30, 0, 0, 0, 0, time.UTC)
	std, heavy := t.TempDir(), t.TempDir()
	const n = 2000
	if err := Generate(std, Options{Children: n, Seed: 7, Extract: ex, Years: 10}); err != nil {
		t.Fatal(err)
	}
	if err := Generate(heavy, Options{Children: n, Seed: 7, Extract: ex, Years: 10, Shape: ShapeHeavy}); err != nil {
		t.Fatal(err)
	}
	lines := func(dir, table string) int {
		b, err := os.ReadFile(filepath.Join(dir, table+".csv"))
		if err != nil {
			t.Fatal(err)
		}
		return strings.Count(string(b), "\n") - 1
	}
	total := 0
	for _, tc := range tableColumns {
		s, h := lines(std, tc.name), lines(heavy, tc.name)
		total += h
		t.Logf("%s: %d standard, %d heavy", tc.name, s, h)
		switch tc.name {
		case "visits", "peps", "review_details", "health_assessments":
			if float64(h) < 1.1*float64(s) {
				t.Errorf("%s: %d rows heavy, %d standard; want at least 10%% more", tc.name, h, s)
			}
		case "header":
			if h != s {
				t.Errorf("%s: %d rows heavy, %d standard; want the same", tc.name, h, s)
			}
		case "episodes", "reviews": // a second period draws differently
			if d := float64(h-s) / float64(s); d < -0.02 || d > 0.02 {
				t.Errorf("%s: %d rows heavy, %d standard; want within 2%%", tc.name, h, s)
			}
		}
	}
	if per := float64(total) / n; per < 34 || per > 44 {
		t.Errorf("heavy shape: %.1f rows a child, want about 37", per)
	}
	if err := Generate(t.TempDir(), Options{Children: 10, Shape: "huge"}); err == nil || !strings.Contains(err.Error(), `shape "huge"`) {
		t.Errorf("an unknown shape: %v", err)
	}
}

// A sample of several authorities: every table, CSV file or sheet, has an
// LA column first; the children are shared out, each authority's numbered
// from the first id, so that the ids overlap; the authorities' histories
// differ (each its own seed).
func TestSeveralAuthorities(t *testing.T) {
	ex := time.Date(2026, 10, 30, 0, 0, 0, 0, time.UTC)
	dir := t.TempDir()
	if err := Generate(dir, Options{Children: 31, Seed: 4, Extract: ex, Years: 5, Authorities: 3, XLSXTables: []string{"visits"}}); err != nil {
		t.Fatal(err)
	}
	b, err := os.ReadFile(filepath.Join(dir, "header.csv"))
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSpace(string(b)), "\r\n")
	if lines[0] != "LA,CHILD,SEX,DOB,ETHNIC,UPN" {
		t.Fatalf("header %q", lines[0])
	}
	perLA := map[string]int{}
	ids := map[string]map[string]bool{}
	dobs := map[string]string{}
	for _, l := range lines[1:] {
		f := strings.Split(l, ",")
		perLA[f[0]]++
		if ids[f[1]] == nil {
			ids[f[1]] = map[string]bool{}
		}
		ids[f[1]][f[0]] = true
		if f[1] == childID(0) {
			dobs[f[0]] = f[3]
		}
	}
	if perLA["101"] != 11 || perLA["102"] != 10 || perLA["103"] != 10 || len(perLA) != 3 {
		t.Errorf("children per authority %v, want 11, 10, 10", perLA)
	}
	if !ids[childID(0)]["101"] || !ids[childID(0)]["102"] || !ids[childID(0)]["103"] {
		t.Errorf("the first id is not in every authority: %v", ids[childID(0)])
	}
	if dobs["101"] == dobs["102"] && dobs["102"] == dobs["103"] {
		t.Errorf("the authorities' first children are one child: %v", dobs)
	}
	f, err := excelize.OpenFile(filepath.Join(dir, "extensions.xlsx"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	rows, err := f.GetRows("visits")
	if err != nil || len(rows) < 2 || rows[0][0] != "LA" || rows[1][0] != "101" {
		t.Errorf("visits sheet does not start with the LA column: %v", err)
	}
	if err := Generate(t.TempDir(), Options{Children: 10, Extract: ex, Authorities: 11}); err == nil {
		t.Error("more authorities than children accepted")
	}
}

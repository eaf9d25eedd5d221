package main

import (
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"
)

// listRows is an exception sheet's note line (the one that counts its rows)
// and its table rows under the header.
func listRows(t *testing.T, path, sheet string) (string, [][]string) {
	t.Helper()
	wb, err := excelize.OpenFile(path)
	if err != nil {
		t.Fatal(err)
	}
	defer wb.Close()
	rows, err := wb.GetRows(sheet, excelize.Options{RawCellValue: true})
	if err != nil {
		t.Fatal(err)
	}
	note := ""
	for i, r := range rows {
		if len(r) > 0 && strings.Contains(r[0], " rows") && note == "" {
			note = r[0]
		}
		if len(r) > 1 && r[0] == "Obligation" && r[1] == "Child" {
			return note, rows[i+1:]
		}
	}
	t.Fatalf("%s has no exception table", sheet)
	return "", nil
}

// workbook_list_rows caps each list at its most urgent rows, with a note
// saying how many more there are and where; the rows kept are the first
// rows of the whole list, and a list under the cap is whole.
func TestWorkbookListCap(t *testing.T) {
	whole, capped := t.TempDir(), t.TempDir()
	if r := lacaudit(t, "run", "--as-of", goldenAsOf, "--out", whole); r.code != 0 {
		t.Fatal(r.stderr)
	}
	conf := filepath.Join(t.TempDir(), "lacaudit.conf")
	if err := os.WriteFile(conf, []byte("workbook_list_rows = 100\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	if r := lacaudit(t, "run", "--as-of", goldenAsOf, "--out", capped, "--config", conf, "--findings", "both"); r.code != 0 {
		t.Fatal(r.stderr)
	}
	book := "lacaudit-" + goldenAsOf + ".xlsx"
	cut, kept := 0, 0
	for _, sheet := range []string{"Reviews", "After-review records", "Plans and education", "Placements and disruption", "Health and visits", "Allocation"} {
		_, all := listRows(t, filepath.Join(whole, book), sheet)
		checkExceptionOrder(t, sheet, all)
		note, got := listRows(t, filepath.Join(capped, book), sheet)
		if len(all) <= 100 {
			kept++
			if !slices.EqualFunc(all, got, slices.Equal) || note != fmt.Sprintf("%d rows.", len(all)) {
				t.Errorf("%s: %d rows under the cap, but the capped workbook has %d (note %q)", sheet, len(all), len(got), note)
			}
			continue
		}
		cut++
		want := fmt.Sprintf("%d rows: the first 100 are shown, most urgent first; the other %d are in findings.csv and findings.parquet of the run as of %s.", len(all), len(all)-100, goldenAsOfLong)
		if note != want {
			t.Errorf("%s: note %q, want %q", sheet, note, want)
		}
		if len(got) != 100 || !slices.EqualFunc(all[:100], got, slices.Equal) {
			t.Errorf("%s: %d rows kept, want the first 100 of the %d", sheet, len(got), len(all))
		}
	}
	if cut == 0 || kept == 0 {
		t.Fatalf("the sample should have lists over and under 100 rows: %d over, %d under", cut, kept)
	}
}

// checkExceptionOrder checks an exception list's order, the one the cap
// keeps the first rows of: overdue, not met, missed, then late; each by days
// late, most first; then by due date, child, obligation, date done (none
// last) and period start. (Each sheet sorts its own rows since the lists
// are capped: before, one sort of every exception.)
func checkExceptionOrder(t *testing.T, sheet string, rows [][]string) {
	t.Helper()
	rank := map[string]int{"overdue": 1, "not met": 2, "missed": 3, "late": 4}
	cell := func(r []string, i int) string {
		if i < len(r) {
			return r[i]
		}
		return ""
	}
	// num compares two numeric cells, an empty one last.
	num := func(a, b string, desc bool) int {
		switch {
		case a == b:
			return 0
		case a == "":
			return 1
		case b == "":
			return -1
		}
		x, err1 := strconv.ParseFloat(a, 64)
		y, err2 := strconv.ParseFloat(b, 64)
		if err1 != nil || err2 != nil {
			t.Fatalf("%s: %q or %q is not a number", sheet, a, b)
		}
		c := 0
		if x < y {
			c = -1
		} else if x > y {
			c = 1
		}
		if desc {
			c = -c
		}
		return c
	}
	// Columns: obligation, child, period start, due, done, status, days late.
	compare := func(a, b []string) int {
		ra, rb := rank[cell(a, 5)], rank[cell(b, 5)]
		if ra == 0 || rb == 0 {
			t.Fatalf("%s: status %q or %q", sheet, cell(a, 5), cell(b, 5))
		}
		for _, c := range []int{ra - rb, num(cell(a, 6), cell(b, 6), true), num(cell(a, 3), cell(b, 3), false),
			strings.Compare(cell(a, 1), cell(b, 1)), strings.Compare(cell(a, 0), cell(b, 0)),
			num(cell(a, 4), cell(b, 4), false), num(cell(a, 2), cell(b, 2), false)} {
			if c != 0 {
				return c
			}
		}
		return 0
	}
	for i := 1; i < len(rows); i++ {
		if compare(rows[i-1], rows[i]) > 0 {
			t.Fatalf("%s: row %d %q comes before row %d %q, out of order", sheet, i, rows[i-1], i+1, rows[i])
		}
	}
}

package main

import (
	"fmt"
	"os"
	"path/filepath"
	"slices"
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
		note, got := listRows(t, filepath.Join(capped, book), sheet)
		if len(all) <= 100 {
			kept++
			if !slices.EqualFunc(all, got, slices.Equal) || note != fmt.Sprintf("%d rows.", len(all)) {
				t.Errorf("%s: %d rows under the cap, but the capped workbook has %d (note %q)", sheet, len(all), len(got), note)
			}
			continue
		}
		cut++
		want := fmt.Sprintf("%d rows: the first 100 are shown, most urgent first; the other %d are in findings.csv and findings.parquet.", len(all), len(all)-100)
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

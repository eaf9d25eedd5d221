package ingest

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"

	"github.com/lacaudit/lacaudit/sampledata"
	"github.com/lacaudit/lacaudit/store"
)

// badRows are rows added to the sample extract so that both loaders have
// rejects and warnings to agree on: a date that is not one, a code outside
// its allowed list, an empty required value, and a review code outside its
// expected list (a warning; the row is read).
var badRows = map[string]string{
	"reviews.csv":     "112648,29/08/2010,31/02/2025,PN1\n112648,29/08/2010,20/03/2025,PN9\n",
	"allocations.csv": "104729,XX,Priya Adams,2026-10-23,\n",
	"episodes.csv":    "112648,2025-13-01,S,V2,N8,U3,PR2,,,\n,01/01/2025,S,V2,N8,U3,PR2,,,\n",
}

// One extract loaded as CSV files and as the sheets of a workbook (every
// cell text, as a council's export to Excel leaves it) gives the same
// tables, the same rejects with the same lines, columns, values and
// reasons, and the same warnings: the two loaders are one contract, as
// golang-migrate holds every driver to one suite.
func TestCSVAndXLSXLoadTheSameExtractAlike(t *testing.T) {
	csvDir, xlsxDir := t.TempDir(), t.TempDir()
	if err := sampledata.WriteTo(csvDir); err != nil {
		t.Fatal(err)
	}
	for name, rows := range badRows {
		f, err := os.OpenFile(filepath.Join(csvDir, name), os.O_APPEND|os.O_WRONLY, 0)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := f.WriteString(rows); err != nil {
			t.Fatal(err)
		}
		f.Close()
	}
	entries, err := os.ReadDir(csvDir)
	if err != nil {
		t.Fatal(err)
	}
	book := excelize.NewFile()
	sheets := 0
	for _, e := range entries {
		b, err := os.ReadFile(filepath.Join(csvDir, e.Name()))
		if err != nil {
			t.Fatal(err)
		}
		table, isCSV := strings.CutSuffix(e.Name(), ".csv")
		if !isCSV {
			write(t, xlsxDir, e.Name(), string(b)) // the sample's own workbook
			continue
		}
		if sheets == 0 {
			book.SetSheetName("Sheet1", table)
		} else if _, err := book.NewSheet(table); err != nil {
			t.Fatal(err)
		}
		sheets++
		for r, line := range strings.Split(strings.TrimRight(strings.ReplaceAll(string(b), "\r\n", "\n"), "\n"), "\n") {
			for c, v := range strings.Split(line, ",") {
				if v == "" {
					continue
				}
				cell, _ := excelize.CoordinatesToCellName(c+1, r+1)
				if err := book.SetCellStr(table, cell, v); err != nil {
					t.Fatal(err)
				}
			}
		}
	}
	if err := book.SaveAs(filepath.Join(xlsxDir, "extract.xlsx")); err != nil {
		t.Fatal(err)
	}

	_, csvDB, err := load(t, csvDir, 0.5)
	if err != nil {
		t.Fatal(err)
	}
	_, xlsxDB, err := load(t, xlsxDir, 0.5)
	if err != nil {
		t.Fatal(err)
	}
	queries := map[string]string{
		"rejects":        "SELECT table_name, line, column_name, value, reason FROM rejects",
		"input_warnings": "SELECT * EXCLUDE (source) FROM input_warnings",
		"input_tables":   "SELECT * EXCLUDE (source, sha256, encoding) FROM input_tables",
		"input_columns":  "SELECT * FROM input_columns",
	}
	for _, tb := range Tables {
		queries[tb.Name] = "SELECT * FROM " + tb.Name
	}
	for name, q := range queries {
		got, want := dump(t, xlsxDB, q), dump(t, csvDB, q)
		if got != want {
			t.Errorf("%s: read from the workbook:\n%s\nread from CSV:\n%s", name, got, want)
		}
	}
	// The extract does have rejects and warnings to compare.
	if r := dump(t, csvDB, "SELECT count(*) FROM rejects"); r != "[4]" {
		t.Errorf("%s rejects, want 4: %s", r, dump(t, csvDB, queries["rejects"]))
	}
	if w := dump(t, csvDB, "SELECT count(*) FROM input_warnings"); w != "[1]" {
		t.Errorf("%s warnings, want 1", w)
	}
}

// dump is the result of q, one line a row, sorted.
func dump(t *testing.T, db *store.DB, q string) string {
	t.Helper()
	rows, err := db.QueryContext(context.Background(), q)
	if err != nil {
		t.Fatalf("%s: %v", q, err)
	}
	defer rows.Close()
	cols, _ := rows.Columns()
	var lines []string
	for rows.Next() {
		vals := make([]any, len(cols))
		ptrs := make([]any, len(cols))
		for i := range vals {
			ptrs[i] = &vals[i]
		}
		if err := rows.Scan(ptrs...); err != nil {
			t.Fatal(err)
		}
		lines = append(lines, fmt.Sprintf("%v", vals))
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	sort.Strings(lines)
	return strings.Join(lines, "\n")
}

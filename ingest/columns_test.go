package ingest

import (
	"context"
	"fmt"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"
)

// badCase is one bad value of a column, and the reason it must be rejected with.
type badCase struct {
	value, reason string
}

// dateStyle is how the good dates of a test file are written.
type dateStyle int

const (
	dmyDates   dateStyle = iota // all dd/mm/yyyy: a CSV reader types them natively
	isoDates                    // all yyyy-mm-dd: the same
	mixedDates                  // both: a CSV reader reads them as text
)

// badValues lists, for one column of the contract, the values a row must be
// rejected for. A bad date shaped like one accepted format is left out of a
// column meant to be read natively in the other (it would make the sniff
// read the column as text).
func badValues(c Column, style dateStyle) []badCase {
	var out []badCase
	if c.NotNull {
		out = append(out, badCase{"", "required value is empty"})
	}
	switch c.Kind {
	case Date:
		vs := []string{"DEC", "1/2/24", "24-02-01", "2024/02/01", "01.02.2024"}
		if style != isoDates {
			vs = append(vs, "31/02/2024", "00/01/2024", "13/13/2024")
		}
		if style != dmyDates {
			vs = append(vs, "2024-02-30", "2024-13-01", "2023-02-29")
		}
		for _, v := range vs {
			out = append(out, badCase{v, "not a date"})
		}
	case Flag:
		for _, v := range []string{"maybe", "2", "YN"} {
			out = append(out, badCase{v, "not a flag"})
		}
	case Int:
		for _, v := range []string{"two", "1.5", "1e3", "-1"} {
			out = append(out, badCase{v, "not a whole number"})
		}
	}
	if len(c.Allowed) > 0 {
		out = append(out, badCase{"CAT", "not one of"})
	}
	if c.Pattern != "" {
		for _, v := range []string{"2O2", "2020", "20", "E09000007"} {
			out = append(out, badCase{v, "not a local authority code"})
		}
	}
	return out
}

// goodValue is a value column c accepts, on good row i, its dates written
// in style (mixed: yyyy-mm-dd on every other row).
func goodValue(c Column, i int, style dateStyle) string {
	switch {
	case len(c.Allowed) > 0:
		return c.Allowed[i%len(c.Allowed)]
	case c.Kind == Date && (style == isoDates || style == mixedDates && i%2 == 1):
		return fmt.Sprintf("2024-02-%02d", i%28+1)
	case c.Kind == Date:
		return fmt.Sprintf("%d/02/2024", i%28+1)
	case c.Kind == Flag:
		return []string{"Y", "n", "Yes", "FALSE"}[i%4]
	case c.Kind == Int:
		return fmt.Sprint(i)
	case c.Pattern != "":
		return fmt.Sprintf("%03d", 201+i%700)
	case c.Kind == Code:
		return "X"
	}
	return fmt.Sprintf("C%d", i)
}

// tableRows builds every table of the contract with all its columns: three
// good rows, then one row per bad value of each column (the rest of the row
// good), then a good row. It returns the rows (header first) and, per table,
// the expected rejects by row number (header = 1).
func tableRows(t Table, style dateStyle) ([][]string, map[int]badCase, map[int]string) {
	header := make([]string, len(t.Columns))
	for i, c := range t.Columns {
		header[i] = c.Name
	}
	rows := [][]string{header}
	good := func(i int) []string {
		r := make([]string, len(t.Columns))
		for k, c := range t.Columns {
			r[k] = goodValue(c, i, style)
		}
		return r
	}
	for i := range 3 {
		rows = append(rows, good(i))
	}
	bad, col := map[int]badCase{}, map[int]string{}
	for k, c := range t.Columns {
		for _, b := range badValues(c, style) {
			r := good(len(rows))
			r[k] = b.value
			rows = append(rows, r)
			bad[len(rows)], col[len(rows)] = b, c.Name
		}
	}
	rows = append(rows, good(len(rows)))
	return rows, bad, col
}

// A bad value in any typed column of any table (a date, a flag, a whole
// number, a code outside its list, an empty required value) rejects its row
// with the file, line and column, and the row is not loaded: in a CSV
// column read natively as dates (dd/mm/yyyy or yyyy-mm-dd), in one read as
// text (both date formats in it), and in an XLSX sheet. The cases come from the contract (Tables), so
// a column added to it is covered.
func TestEveryTypedColumnRejectsBadValues(t *testing.T) {
	// A kind of value added to the contract needs its bad values here.
	for _, tb := range Tables {
		for _, c := range tb.Columns {
			if (c.Kind != Text && c.Kind != Code || len(c.Allowed) > 0) && len(badValues(c, mixedDates)) == 0 {
				t.Errorf("%s.%s (%s): no bad values to try", tb.Name, c.Name, c.Kind)
			}
		}
	}
	for _, v := range []struct {
		name  string
		style dateStyle
	}{{"csv-dmy-native", dmyDates}, {"csv-iso-native", isoDates}, {"csv-text", mixedDates}, {"xlsx", mixedDates}} {
		variant := v.name
		t.Run(variant, func(t *testing.T) {
			dir := t.TempDir()
			wantBad := map[string]map[int]badCase{}
			wantCol := map[string]map[int]string{}
			var f *excelize.File
			if variant == "xlsx" {
				f = excelize.NewFile()
			}
			for _, tb := range Tables {
				rows, bad, col := tableRows(tb, v.style)
				wantBad[tb.Name], wantCol[tb.Name] = bad, col
				if f != nil {
					if _, err := f.NewSheet(tb.Name); err != nil {
						t.Fatal(err)
					}
					for i, r := range rows {
						vals := make([]any, len(r))
						for k, v := range r {
							vals[k] = v
						}
						cell, _ := excelize.CoordinatesToCellName(1, i+1)
						if err := f.SetSheetRow(tb.Name, cell, &vals); err != nil {
							t.Fatal(err)
						}
					}
					continue
				}
				var b strings.Builder
				for _, r := range rows {
					for k, v := range r {
						if k > 0 {
							b.WriteByte(',')
						}
						b.WriteString(v)
					}
					b.WriteByte('\n')
				}
				write(t, dir, tb.Name+".csv", b.String())
				checkSniff(t, tb, filepath.Join(dir, tb.Name+".csv"), rows[0], v.style != mixedDates)
			}
			if f != nil {
				if err := f.DeleteSheet("Sheet1"); err != nil {
					t.Fatal(err)
				}
				if err := f.SaveAs(filepath.Join(dir, "extract.xlsx")); err != nil {
					t.Fatal(err)
				}
			}
			res, db, err := load(t, dir, 1)
			if err != nil {
				t.Fatal(err)
			}
			got := map[string]map[int64]RejectRow{}
			for _, r := range rejects(t, db) {
				if got[r.Table] == nil {
					got[r.Table] = map[int64]RejectRow{}
				}
				if _, dup := got[r.Table][r.Line]; dup {
					t.Errorf("%s line %d rejected twice: %+v", r.Source, r.Line, r)
				}
				got[r.Table][r.Line] = r
			}
			for _, tb := range Tables {
				st := res.Table(tb.Name)
				for line, b := range wantBad[tb.Name] {
					r, ok := got[tb.Name][int64(line)]
					switch {
					case !ok:
						t.Errorf("%s: line %d (%s = %q) not rejected", st.Source, line, wantCol[tb.Name][line], b.value)
					case r.Column != wantCol[tb.Name][line] || !strings.HasPrefix(r.Reason, b.reason) || r.Value != b.value:
						t.Errorf("%s: line %d rejected as %s = %q (%s), want %s = %q (%s...)", st.Source, line, r.Column, r.Value, r.Reason,
							wantCol[tb.Name][line], b.value, b.reason)
					}
				}
				for line, r := range got[tb.Name] {
					if _, ok := wantBad[tb.Name][int(line)]; !ok {
						t.Errorf("%s: good line %d rejected: %+v", st.Source, line, r)
					}
				}
				if st.Rejected != int64(len(wantBad[tb.Name])) || st.Read != int64(len(wantBad[tb.Name])+4) {
					t.Errorf("%s: read %d, rejected %d; want %d and %d", st.Source, st.Read, st.Rejected, len(wantBad[tb.Name])+4, len(wantBad[tb.Name]))
				}
				var n int
				if err := db.QueryRow("SELECT count(*) FROM " + tb.Name).Scan(&n); err != nil || n != 4 {
					t.Errorf("%s: %d rows loaded (%v), want the 4 good ones", st.Source, n, err)
				}
			}
		})
	}
}

// checkSniff makes sure that the CSV variant reads its date columns the way
// it means to: natively, or as text.
func checkSniff(t *testing.T, tb Table, path string, header []string, native bool) {
	t.Helper()
	cols, _, err := columnMap(tb, filepath.Base(path), header)
	if err != nil {
		t.Fatal(err)
	}
	_, got, err := sniffDates(context.Background(), readersDB(t), path, cols)
	if err != nil {
		t.Fatal(err)
	}
	var dates, wrong []string
	for i, c := range cols {
		if c.Kind == Date {
			dates = append(dates, c.Name)
			if got[i] != native {
				wrong = append(wrong, c.Name)
			}
		}
	}
	sort.Strings(wrong)
	if len(wrong) > 0 {
		t.Fatalf("%s: date columns %v not read natively = %v", filepath.Base(path), wrong, native)
	}
}

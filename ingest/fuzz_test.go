package ingest

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/xuri/excelize/v2"
)

// The Go check of a date (which decides whether a column is read again as
// text) and the SQL reader lac_date agree on every string.
func FuzzDateReadersAgree(f *testing.F) {
	for _, s := range []string{"01/02/2024", "1/2/2024", "2024-02-29", "2023-02-29", "31/02/2024", "", " 01/02/2024 ",
		"01/02/24", "2024/02/01", "01-02-2024", "0001-01-01", "29/02/2000", "1/13/2024", "01/02/+024", "2024-2-1",
		"02/07/2025 00:00", "02/07/2025 00:00:00", "02/07/2025 14:30", "2025-07-02T00:00:00", "2025-07-02T00:00:00Z",
		"2025-07-02 00:00", "2025-07-02T00:00:00.000", "2025-07-02T00:00:01", "31/02/2025 00:00", "2025-07-02T"} {
		f.Add(s)
	}
	ctx := context.Background()
	db := readersDB(f)
	f.Fuzz(func(t *testing.T, s string) {
		if !utf8.ValidString(s) || strings.ContainsRune(s, 0) {
			return
		}
		var ok bool
		if err := db.QueryRowContext(ctx, "SELECT lac_date(?) IS NOT NULL", s).Scan(&ok); err != nil {
			t.Fatal(err)
		}
		if strings.TrimSpace(s) == "" {
			ok = false
		}
		if got := validDate(s); got != ok {
			t.Errorf("validDate(%q) = %v, lac_date reads it: %v", s, got, ok)
		}
	})
}

// Any first line of a file is either a header or a clear error, never a panic.
func FuzzReadCSVHeader(f *testing.F) {
	f.Add([]byte("CHILD,DOB\n"))
	f.Add([]byte("\xEF\xBB\xBF\"CHILD\",\"D\"\"OB\"\r\n1,2\r\n"))
	f.Add([]byte{0, 1, 2, 0xff})
	dir := f.TempDir()
	path := filepath.Join(dir, "header.csv")
	f.Fuzz(func(t *testing.T, b []byte) {
		if err := os.WriteFile(path, b, 0o600); err != nil {
			t.Fatal(err)
		}
		h, err := readCSVHeader(path, "header.csv")
		if err == nil {
			if _, _, err := columnMap(Tables[0], "header.csv", h); err != nil {
				if _, ok := err.(*InputError); !ok {
					t.Errorf("columnMap error is not an input error: %v", err)
				}
			}
		} else if _, ok := err.(*InputError); !ok {
			t.Errorf("header error is not an input error: %v", err)
		}
	})
}

// Table discovery over arbitrary file names finds each table at most once
// and never panics; names that collide are an input error naming both.
func FuzzDiscover(f *testing.F) {
	f.Add("header.csv", "Episodes.CSV", "reviews.csv")
	f.Add("REVIEWS.csv", "reviews.csv", "x.xlsx")
	f.Add(" header .csv", "peps.txt", ".hidden.csv")
	f.Fuzz(func(t *testing.T, a, b, c string) {
		dir := t.TempDir()
		for _, name := range []string{a, b, c} {
			if name == "" || strings.ContainsAny(name, "/\x00") || name == "." || name == ".." || len(name) > 200 ||
				strings.HasSuffix(strings.ToLower(name), ".xlsx") || strings.HasSuffix(strings.ToLower(name), ".xlsm") {
				continue
			}
			_ = os.WriteFile(filepath.Join(dir, name), []byte("CHILD\n"), 0o600)
		}
		d, err := Discover(dir)
		if err != nil {
			if _, ok := err.(*InputError); !ok {
				t.Errorf("discovery error is not an input error: %v", err)
			}
			return
		}
		for table, s := range d.Sources {
			if _, ok := Lookup(table); !ok {
				t.Errorf("unknown table %q found in %s", table, s.Path)
			}
		}
	})
}

// prepareCSV takes any bytes without panicking: a file it refuses is an
// input error, and a private copy keeps every line on its line.
func FuzzPrepareCSV(f *testing.F) {
	f.Add([]byte("CHILD,REVIEW\r\n00123,20/03/2024\r\n"))
	f.Add([]byte("CHILD,REVIEW\r00123,20/03/2024\r"))
	f.Add([]byte("CHILD,WORKER\n1,Zo\xeb\r\n2,\"a\rb\"\n3,c\rd\n"))
	f.Add([]byte("\xFF\xFEC\x00H\x00"))
	f.Add([]byte("CHILD,REVIEW\n\"00123,2"))
	dir := f.TempDir()
	path := filepath.Join(dir, "reviews.csv")
	f.Fuzz(func(t *testing.T, b []byte) {
		if err := os.WriteFile(path, b, 0o600); err != nil {
			t.Fatal(err)
		}
		cf, err := prepareCSV(Source{Table: "reviews", Path: path}, dir)
		if err != nil {
			if _, ok := err.(*InputError); !ok {
				t.Errorf("not an input error: %v", err)
			}
			return
		}
		if cf.path == path {
			return
		}
		defer os.Remove(cf.path)
		c, err := os.ReadFile(cf.path)
		if err != nil {
			t.Fatal(err)
		}
		lines := bytes.Count(b, []byte("\n"))
		if bytes.IndexByte(b, '\n') < 0 {
			lines = bytes.Count(b, []byte("\r"))
		}
		if got := bytes.Count(c, []byte("\n")); got != lines {
			t.Errorf("copy has %d lines, the file %d", got, lines)
		}
	})
}

// openBook takes any bytes without panicking: a workbook it refuses is an
// input error.
func FuzzOpenBook(f *testing.F) {
	x := excelize.NewFile()
	x.SetSheetRow("Sheet1", "A1", &[]any{"CHILD", "REVIEW"})
	x.SetSheetRow("Sheet1", "A2", &[]any{123, 45000})
	var buf bytes.Buffer
	if err := x.Write(&buf); err != nil {
		f.Fatal(err)
	}
	f.Add(buf.Bytes())
	f.Add([]byte("PK\x03\x04"))
	dir := f.TempDir()
	path := filepath.Join(dir, "extract.xlsx")
	f.Fuzz(func(t *testing.T, b []byte) {
		if err := os.WriteFile(path, b, 0o600); err != nil {
			t.Fatal(err)
		}
		bk, err := openBook(path, dir, DefaultLimits(0))
		if err != nil {
			if _, ok := err.(*InputError); !ok {
				t.Errorf("not an input error: %v", err)
			}
			return
		}
		for _, s := range bk.sheets {
			if rows, err := bk.f.Rows(s.Name); err == nil {
				for rows.Next() {
					rows.Columns(excelize.Options{RawCellValue: true})
				}
				rows.Close()
			}
		}
		bk.close()
	})
}

package main

import (
	"archive/zip"
	"bytes"
	"flag"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"
)

var makeCorpus = flag.Bool("make-corpus", false, "rewrite testdata/real-world's variants from its clean extract")

// realWorld is the corpus of extracts as case-management systems, Excel
// and people make them: each a variant of real-world/clean.
var realWorld = filepath.Join("testdata", "real-world")

// TestMakeCorpus writes the variants of testdata/real-world from its clean
// extract, with their expect.txt (run with -make-corpus; the files are kept
// in the repository, so that they can be read and run without Go).
func TestMakeCorpus(t *testing.T) {
	if !*makeCorpus {
		t.Skip("run with -make-corpus to rewrite the corpus")
	}
	clean := filepath.Join(realWorld, "clean")
	files := map[string][]byte{}
	for _, n := range []string{"header.csv", "episodes.csv", "reviews.csv", "allocations.csv"} {
		b, err := os.ReadFile(filepath.Join(clean, n))
		if err != nil {
			t.Fatal(err)
		}
		files[n] = b
	}
	variant := func(name, expect string, edit func(map[string][]byte) map[string][]byte) {
		t.Helper()
		dir := filepath.Join(realWorld, name)
		os.RemoveAll(dir)
		if err := os.MkdirAll(dir, 0o755); err != nil {
			t.Fatal(err)
		}
		c := map[string][]byte{}
		for k, v := range files {
			c[k] = append([]byte(nil), v...)
		}
		for k, v := range edit(c) {
			if v == nil {
				continue
			}
			if err := os.WriteFile(filepath.Join(dir, k), v, 0o644); err != nil {
				t.Fatal(err)
			}
		}
		if err := os.WriteFile(filepath.Join(dir, "expect.txt"), []byte(strings.TrimSpace(expect)+"\n"), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	all := func(c map[string][]byte, f func([]byte) []byte) map[string][]byte {
		for k, v := range c {
			c[k] = f(v)
		}
		return c
	}
	crlf := func(b []byte) []byte { return bytes.ReplaceAll(b, []byte("\n"), []byte("\r\n")) }

	variant("excel-windows-1252", `
# "CSV (comma delimited)" saved by Excel on a UK Windows machine: Windows-1252, CRLF
exit 0
twin clean
norejects
stderr encoding=Windows-1252`, func(c map[string][]byte) map[string][]byte {
		return all(c, func(b []byte) []byte { return crlf(to1252(t, b)) })
	})
	variant("excel-utf8-bom", `
# "CSV UTF-8 (comma delimited)" saved by Excel: a byte order mark and CRLF
exit 0
twin clean
norejects
stderr encoding="UTF-8 with BOM"`, func(c map[string][]byte) map[string][]byte {
		return all(c, func(b []byte) []byte { return append([]byte("\xEF\xBB\xBF"), crlf(b)...) })
	})
	variant("cr-line-ends", `
# classic Mac OS line ends: a carriage return alone ends each line
exit 0
twin clean
norejects`, func(c map[string][]byte) map[string][]byte {
		return all(c, func(b []byte) []byte { return bytes.ReplaceAll(b, []byte("\n"), []byte("\r")) })
	})
	variant("cr-cr-lf-line-ends", `
# a Windows file whose line ends were converted a second time: CR CR LF
exit 0
twin clean
norejects
stderr encoding="UTF-8, CR CR LF line ends"`, func(c map[string][]byte) map[string][]byte {
		return all(c, func(b []byte) []byte { return bytes.ReplaceAll(b, []byte("\n"), []byte("\r\r\n")) })
	})
	variant("case-system-midnight-times", `
# a case-system export that writes every date with a midnight time part
exit 0
twin clean
norejects`, func(c map[string][]byte) map[string][]byte {
		c["episodes.csv"] = bytes.ReplaceAll(c["episodes.csv"], []byte("/2026,"), []byte("/2026 00:00,"))
		c["reviews.csv"] = []byte(isoMidnight(string(c["reviews.csv"])))
		return c
	})
	variant("year-suffixed-copy", `
# last year's reviews_2023.csv left beside reviews.csv: not read, with a hint
exit 0
twin clean
norejects
stderr file=reviews_2023.csv
stderr looks like the reviews table`, func(c map[string][]byte) map[string][]byte {
		c["reviews_2023.csv"] = []byte("CHILD,REVIEW,REVIEW_CODE\n007497,10/07/2026,PN1\n")
		return c
	})
	variant("bare-cr-in-field", `
# a carriage return typed into a worker's name (an extra copy of a row): that row is rejected with its line
exit 0
config reject_threshold_percent = 50
twin clean
rejects allocations.csv,7,"","",a carriage return inside a value that is not quoted`, func(c map[string][]byte) map[string][]byte {
		c["allocations.csv"] = crlf(append(c["allocations.csv"], []byte("007496,IRO,Chloë\rAshworth,15/03/2026,\n")...))
		return c
	})
	variant("header-only-episodes", `
# episodes.csv exported with its header and no rows
exit 3
stderr episodes.csv has no data rows`, func(c map[string][]byte) map[string][]byte {
		c["episodes.csv"] = []byte("CHILD,DECOM,RNE,LS,PLACE,DEC,REC\r\n")
		return c
	})
	variant("header-only-reviews", `
# reviews.csv exported with its header and no rows
exit 3
stderr reviews.csv has no data rows`, func(c map[string][]byte) map[string][]byte {
		c["reviews.csv"] = []byte("CHILD,REVIEW,REVIEW_CODE\n")
		return c
	})
	variant("csv-cut-mid-row", `
# reviews.csv cut off in transfer in the middle of a row
exit 3
stderr reviews.csv line 5: the last row has 2 of the header's 3 fields`, func(c map[string][]byte) map[string][]byte {
		b := c["reviews.csv"]
		c["reviews.csv"] = b[:bytes.Index(b, []byte("000012,01/11/2025"))+12]
		return c
	})
	variant("utf16", `
# saved as "Unicode Text" and renamed .csv: UTF-16
exit 3
stderr allocations.csv is UTF-16`, func(c map[string][]byte) map[string][]byte {
		c["allocations.csv"] = toUTF16(c["allocations.csv"])
		return c
	})
	variant("semicolons", `
# saved by Excel with a European list separator
exit 3
stderr reviews.csv line 1: the columns are separated by semicolons`, func(c map[string][]byte) map[string][]byte {
		c["reviews.csv"] = bytes.ReplaceAll(c["reviews.csv"], []byte(","), []byte(";"))
		return c
	})
	variant("tabs", `
# "Text (Tab delimited)" renamed .csv
exit 3
stderr header.csv line 1: the columns are separated by tabs`, func(c map[string][]byte) map[string][]byte {
		c["header.csv"] = bytes.ReplaceAll(c["header.csv"], []byte(","), []byte("\t"))
		return c
	})

	// Workbooks.
	book := func(c map[string][]byte, hidden func(*excelize.File)) []byte {
		f := excelize.NewFile()
		zeros, dmy := "000000", "dd/mm/yyyy"
		idStyle, _ := f.NewStyle(&excelize.Style{CustomNumFmt: &zeros})
		dateStyle, _ := f.NewStyle(&excelize.Style{CustomNumFmt: &dmy})
		first := true
		for _, n := range []string{"header", "episodes", "reviews", "allocations"} {
			sheet := strings.ToUpper(n[:1]) + n[1:]
			if first {
				f.SetSheetName("Sheet1", sheet)
				first = false
			} else {
				f.NewSheet(sheet)
			}
			lines := strings.Split(strings.TrimSpace(string(c[n+".csv"])), "\n")
			head := strings.Split(lines[0], ",")
			for r, line := range lines {
				for k, v := range strings.Split(line, ",") {
					cell, _ := excelize.CoordinatesToCellName(k+1, r+1)
					switch {
					case r == 0 || v == "":
						if v != "" {
							f.SetCellValue(sheet, cell, v)
						}
					case head[k] == "CHILD":
						n, _ := strconv.Atoi(v)
						f.SetCellValue(sheet, cell, n)
						f.SetCellStyle(sheet, cell, cell, idStyle)
					case strings.Count(v, "/") == 2:
						d, err := time.Parse("02/01/2006", v)
						if err != nil {
							t.Fatal(err)
						}
						f.SetCellValue(sheet, cell, d)
						f.SetCellStyle(sheet, cell, cell, dateStyle)
					default:
						f.SetCellValue(sheet, cell, v)
					}
				}
			}
		}
		if hidden != nil {
			hidden(f)
		}
		var buf bytes.Buffer
		if err := f.Write(&buf); err != nil {
			t.Fatal(err)
		}
		return buf.Bytes()
	}
	onlyBook := func(c map[string][]byte, b []byte) map[string][]byte {
		return map[string][]byte{"extract.xlsx": b}
	}
	staleSheets := func(f *excelize.File) {
		// Stale sheets someone hid rather than deleted: read, they would
		// add PEPs and a review.
		f.NewSheet("peps")
		f.SetSheetRow("peps", "A1", &[]any{"CHILD", "PEP_DATE"})
		f.SetSheetRow("peps", "A2", &[]any{"007495", "01/01/2020"})
		f.SetSheetVisible("peps", false)
		f.NewSheet("permanence_plans")
		f.SetSheetRow("permanence_plans", "A1", &[]any{"CHILD", "PLAN_DATE"})
		f.SetSheetRow("permanence_plans", "A2", &[]any{"007495", "01/01/2020"})
		f.SetSheetVisible("permanence_plans", false, true)
	}
	variant("xlsx-as-saved", `
# one workbook: identifiers as numbers formatted 000000, dates as date cells, stale hidden and very hidden sheets
exit 0
twin clean
norejects
stderr file=extract.xlsx[peps] why="a hidden sheet`, func(c map[string][]byte) map[string][]byte {
		return onlyBook(c, book(c, staleSheets))
	})
	variant("xlsx-number-in-date-column", `
# a plain number (a year) and numeric text typed into a date column: rejected rows, not 1905 dates
exit 0
config reject_threshold_percent = 50
twin clean
rejects extract.xlsx[Reviews],7,REVIEW,2010,not a date
rejects extract.xlsx[Reviews],8,REVIEW,45000,not a date`, func(c map[string][]byte) map[string][]byte {
		return onlyBook(c, book(c, func(f *excelize.File) {
			f.SetSheetRow("Reviews", "A7", &[]any{7495, 2010, "PN1"})
			f.SetSheetRow("Reviews", "A8", &[]any{7495, "45000", "PN1"})
			id, _ := f.GetCellStyle("Reviews", "A2")
			f.SetCellStyle("Reviews", "A7", "A8", id)
		}))
	})
	variant("xlsx-hidden-stale-table", `
# a stale hidden sheet "reviews" and this year's data on a visible "Reviews (2)": no reviews table, and the message lists what was found
exit 3
stderr core table "reviews" is missing
stderr extract.xlsx[Reviews (2)]
stderr extract.xlsx[reviews]`, func(c map[string][]byte) map[string][]byte {
		return onlyBook(c, book(c, func(f *excelize.File) {
			f.SetSheetName("Reviews", "Reviews (2)")
			f.NewSheet("reviews")
			f.SetSheetRow("reviews", "A1", &[]any{"CHILD", "REVIEW"})
			f.SetSheetRow("reviews", "A2", &[]any{"007495", "01/01/2020"})
			f.SetSheetVisible("reviews", false)
		}))
	})
	variant("xlsx-sheet-cut-off", `
# a workbook whose reviews sheet XML is cut off inside a whole zip
exit 3
stderr extract.xlsx is damaged: part xl/worksheets/sheet3.xml is cut off`, func(c map[string][]byte) map[string][]byte {
		return onlyBook(c, rezipPart(t, book(c, nil), "xl/worksheets/sheet3.xml", func(b []byte) []byte { return b[:len(b)*2/3] }))
	})
	variant("xlsx-bomb-shared-string", `
# a small workbook with one shared string of 48 MB
exit 3
stderr extract.xlsx is damaged
stderr longer than any Excel writes`, func(c map[string][]byte) map[string][]byte {
		return onlyBook(c, rezipPart(t, book(c, nil), "xl/sharedStrings.xml", func(b []byte) []byte {
			return bytes.Replace(b, []byte("<t>CHILD</t>"), []byte("<t>"+strings.Repeat("A", 48<<20)+"</t>"), 1)
		}))
	})
	variant("xlsx-bomb-part", `
# a small workbook with a 512 MB part
exit 3
stderr extract.xlsx unpacks to more than lacaudit allows`, func(c map[string][]byte) map[string][]byte {
		return onlyBook(c, rezipPart(t, book(c, nil), "docProps/app.xml", func([]byte) []byte { return bytes.Repeat([]byte{' '}, 512<<20) }))
	})
}

// to1252 encodes UTF-8 text in Windows-1252 (the characters the corpus uses).
func to1252(t *testing.T, b []byte) []byte {
	var out []byte
	for _, r := range string(b) {
		switch {
		case r < 0x80 || r >= 0xA0 && r <= 0xFF:
			out = append(out, byte(r))
		case r == '’':
			out = append(out, 0x92)
		default:
			t.Fatalf("no Windows-1252 for %q", r)
		}
	}
	return out
}

// toUTF16 encodes ASCII and Latin-1 text as UTF-16 little-endian with a
// byte order mark.
func toUTF16(b []byte) []byte {
	out := []byte{0xFF, 0xFE}
	for _, r := range string(b) {
		out = append(out, byte(r), byte(r>>8))
	}
	return out
}

// isoMidnight rewrites the dd/mm/yyyy dates of a CSV text as
// yyyy-mm-ddT00:00:00.
func isoMidnight(s string) string {
	var out []string
	for _, line := range strings.Split(s, "\n") {
		f := strings.Split(line, ",")
		for i, v := range f {
			if d, err := time.Parse("02/01/2006", v); err == nil {
				f[i] = d.Format("2006-01-02") + "T00:00:00"
			}
		}
		out = append(out, strings.Join(f, ","))
	}
	return strings.Join(out, "\n")
}

// rezipPart rewrites one part of a zip, compressed.
func rezipPart(t *testing.T, b []byte, part string, edit func([]byte) []byte) []byte {
	zr, err := zip.NewReader(bytes.NewReader(b), int64(len(b)))
	if err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	found := false
	for _, zf := range zr.File {
		rc, _ := zf.Open()
		c, _ := io.ReadAll(rc)
		rc.Close()
		if zf.Name == part {
			c, found = edit(c), true
		}
		w, _ := zw.Create(zf.Name)
		w.Write(c)
	}
	zw.Close()
	if !found {
		t.Fatalf("no part %s", part)
	}
	return buf.Bytes()
}

// sheetText is every cell of a workbook's sheet, one row a line.
func sheetText(t *testing.T, path, sheet string) string {
	t.Helper()
	f, err := excelize.OpenFile(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	rows, err := f.GetRows(sheet)
	if err != nil {
		t.Fatal(err)
	}
	var b strings.Builder
	for _, r := range rows {
		b.WriteString(strings.Join(r, "\t") + "\n")
	}
	return b.String()
}

// The input folder is read as the folder it is, even when its name holds
// characters DuckDB takes for a pattern; the Method sheet says how each CSV
// file was encoded and why each other file was not read.
func TestInputFolderIsNotAPatternAndMethodSaysWhatWasRead(t *testing.T) {
	root := t.TempDir()
	in, other := filepath.Join(root, "in?[1]"), filepath.Join(root, "inX1")
	copyDir(t, filepath.Join(realWorld, "excel-windows-1252"), in)
	copyDir(t, filepath.Join(realWorld, "clean"), other)
	os.WriteFile(filepath.Join(other, "reviews.csv"), []byte("CHILD,REVIEW\n999999,01/01/2026\n"), 0o600)
	os.WriteFile(filepath.Join(in, "reviews_2023.csv"), []byte("CHILD,REVIEW\n999999,01/01/2023\n"), 0o600)
	out, twinOut := t.TempDir(), t.TempDir()
	if r := lacaudit(t, "run", "--input", in, "--as-of", goldenAsOf, "--out", out); r.code != 0 {
		t.Fatalf("exit %d: %s", r.code, r.stderr)
	}
	if r := lacaudit(t, "run", "--input", filepath.Join(realWorld, "clean"), "--as-of", goldenAsOf, "--out", twinOut); r.code != 0 {
		t.Fatalf("exit %d: %s", r.code, r.stderr)
	}
	got, _ := os.ReadFile(filepath.Join(out, "findings.csv"))
	want, _ := os.ReadFile(filepath.Join(twinOut, "findings.csv"))
	if string(got) != string(want) {
		t.Errorf("findings differ from the clean extract's:\n%s\nwant\n%s", clipText(string(got)), clipText(string(want)))
	}
	method := sheetText(t, filepath.Join(out, "latest.xlsx"), "Method")
	for _, w := range []string{"reviews.csv\t", "Windows-1252", "reviews_2023.csv (not a table name; it looks like the reviews table"} {
		if !strings.Contains(method, w) {
			t.Errorf("Method sheet lacks %q:\n%s", w, clipText(method))
		}
	}
}

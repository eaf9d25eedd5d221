package ingest

import (
	"archive/zip"
	"bytes"
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"

	"github.com/lacaudit/lacaudit/store"
)

// wantInputError fails unless err is an *InputError whose message holds
// every one of parts.
func wantInputError(t *testing.T, err error, parts ...string) {
	t.Helper()
	ie, ok := err.(*InputError)
	if !ok {
		t.Fatalf("want an input error, got %v", err)
	}
	for _, p := range parts {
		if !strings.Contains(ie.Msg, p) {
			t.Errorf("message lacks %q: %s", p, ie.Msg)
		}
	}
}

func reviewDates(t *testing.T, db *store.DB) []string {
	t.Helper()
	rows, err := db.QueryContext(context.Background(), "SELECT child || ' ' || strftime(review, '%Y-%m-%d') FROM reviews ORDER BY ALL")
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var s string
		rows.Scan(&s)
		out = append(out, s)
	}
	return out
}

// A core table with a header and no rows is an export gone wrong: refused.
func TestCoreTableWithNoRowsIsRefused(t *testing.T) {
	dir := coreDir(t)
	write(t, dir, "reviews.csv", "CHILD,REVIEW\r\n")
	_, _, err := load(t, dir, 0.05)
	wantInputError(t, err, "reviews.csv has no data rows")

	dir = coreDir(t)
	os.Remove(filepath.Join(dir, "episodes.csv"))
	f := excelize.NewFile()
	f.SetSheetName("Sheet1", "Episodes")
	f.SetSheetRow("Episodes", "A1", &[]any{"CHILD", "DECOM", "RNE", "LS", "PLACE", "DEC", "REC"})
	if err := f.SaveAs(filepath.Join(dir, "extract.xlsx")); err != nil {
		t.Fatal(err)
	}
	_, _, err = load(t, dir, 0.05)
	wantInputError(t, err, "extract.xlsx[Episodes] has no data rows")
}

// A CSV file that ends inside a row (cut off in transfer) is refused whole,
// naming the line; a last row that is whole but lacks its line end is read.
func TestCSVCutOffIsRefused(t *testing.T) {
	for _, c := range []struct{ name, content, want string }{
		{"mid-row", "CHILD,REVIEW,REVIEW_CODE\n00123,20/03/2024,PN1\n00123,21/03/20", "line 3: the last row has 2 of the header's 3 fields"},
		{"in-quote", "CHILD,REVIEW\n00123,20/03/2024\n\"00123,21/03/2024\n", "line 3: a quoted value opens there and is never closed"},
	} {
		dir := coreDir(t)
		write(t, dir, "reviews.csv", c.content)
		_, _, err := load(t, dir, 0.9)
		wantInputError(t, err, "reviews.csv", c.want)
	}
	// A last row with all its fields but no line end may be cut inside its
	// last value (PN3 cut to nothing, a date cut short): refused too.
	dir := coreDir(t)
	write(t, dir, "reviews.csv", "CHILD,REVIEW,REVIEW_CODE\n00123,20/03/2024,PN1\n00123,21/03/2024,")
	_, _, err := load(t, dir, 0.9)
	wantInputError(t, err, "reviews.csv", "line 3: the last row has no line end")
	// A header alone without a line end is an empty table, refused as such;
	// every row ended is read.
	write(t, dir, "reviews.csv", "CHILD,REVIEW\n00123,20/03/2024\n00123,21/03/2024\n")
	if _, db, err := load(t, dir, 0.05); err != nil || len(reviewDates(t, db)) != 2 {
		t.Errorf("every row with its line end: %v", err)
	}
}

// A row longer than DuckDB's reader reads is neither read nor rejected by
// it: the file is refused rather than read without it.
func TestEveryRowReadOrRejected(t *testing.T) {
	dir := coreDir(t)
	write(t, dir, "reviews.csv", "CHILD,REVIEW,REVIEW_CODE\n00123,20/03/2024,PN1\n00123,21/03/2024,PN1"+strings.Repeat(" ", 34_000_000)+"\n00123,22/03/2024,PN1\n")
	_, _, err := load(t, dir, 0.9)
	wantInputError(t, err, "reviews.csv holds 3 rows of data, but 2 were read or rejected")
}

// Windows-1252 (Excel's "CSV (comma delimited)" on a UK machine) is read
// exactly and said; UTF-16 is refused naming it; UTF-8 with a BOM is said.
func TestEncodings(t *testing.T) {
	dir := coreDir(t)
	write(t, dir, "allocations.csv", "CHILD,ROLE,WORKER,START\n00123,SW,Zo\xeb Br\x92ien,01/03/2024\n")
	write(t, dir, "reviews.csv", "\xEF\xBB\xBF"+reviews)
	res, db, err := load(t, dir, 0.05)
	if err != nil {
		t.Fatal(err)
	}
	var worker string
	if err := db.QueryRowContext(context.Background(), "SELECT worker FROM allocations").Scan(&worker); err != nil {
		t.Fatal(err)
	}
	if worker != "Zoë Br’ien" {
		t.Errorf("worker %q", worker)
	}
	if e := res.Table("allocations").Encoding; e != EncodingWindows1252 {
		t.Errorf("allocations encoding %q", e)
	}
	if e := res.Table("reviews").Encoding; e != EncodingUTF8BOM {
		t.Errorf("reviews encoding %q", e)
	}
	if e := res.Table("header").Encoding; e != EncodingUTF8 {
		t.Errorf("header encoding %q", e)
	}
	var enc string
	if err := db.QueryRowContext(context.Background(), "SELECT encoding FROM input_tables WHERE table_name = 'allocations'").Scan(&enc); err != nil || enc != EncodingWindows1252 {
		t.Errorf("input_tables encoding %q %v", enc, err)
	}

	utf16 := []byte{0xFF, 0xFE}
	for _, r := range reviews {
		utf16 = append(utf16, byte(r), 0)
	}
	write(t, dir, "reviews.csv", string(utf16))
	_, _, err = load(t, dir, 0.05)
	wantInputError(t, err, "reviews.csv is UTF-16")
	write(t, dir, "reviews.csv", string(utf16[2:]))
	_, _, err = load(t, dir, 0.05)
	wantInputError(t, err, "reviews.csv looks like UTF-16")
	write(t, dir, "reviews.csv", "CHILD,REVIEW\n00123,20/03/2024\x81\n")
	_, _, err = load(t, dir, 0.05)
	wantInputError(t, err, "neither UTF-8 nor Windows-1252")
}

// A bare carriage return inside a value that is not quoted rejects that row
// with its line; the rows around it are read. No data is quoted.
func TestBareCarriageReturnRejectsItsRow(t *testing.T) {
	dir := coreDir(t)
	write(t, dir, "reviews.csv", "CHILD,REVIEW\r\n00123,20/03/2024\r\n00123,21/03\r/2024\r\n00123,22/03/2024\r\n\"00123\",\"23/03/2024\"\r\n")
	res, db, err := load(t, dir, 0.5)
	if err != nil {
		t.Fatal(err)
	}
	if got := reviewDates(t, db); strings.Join(got, ",") != "00123 2024-03-20,00123 2024-03-22,00123 2024-03-23" {
		t.Errorf("reviews read %v", got)
	}
	rj := rejects(t, db)
	if len(rj) != 1 || rj[0].Line != 3 || rj[0].Value != "" || !strings.Contains(rj[0].Reason, "carriage return") {
		t.Errorf("rejects %+v", rj)
	}
	if r := res.Table("reviews"); r.Read != 4 || r.Rejected != 1 {
		t.Errorf("reviews %+v", r)
	}
}

// CR-only line ends (classic Mac) are read as lines, with the lines of
// rejected rows right.
func TestCROnlyLineEnds(t *testing.T) {
	dir := coreDir(t)
	write(t, dir, "reviews.csv", "CHILD,REVIEW\r00123,20/03/2024\r00123,31/02/2024\r00123,22/03/2024\r")
	res, db, err := load(t, dir, 0.5)
	if err != nil {
		t.Fatal(err)
	}
	if got := reviewDates(t, db); len(got) != 2 {
		t.Errorf("reviews read %v", got)
	}
	rj := rejects(t, db)
	if len(rj) != 1 || rj[0].Line != 3 || rj[0].Column != "REVIEW" {
		t.Errorf("rejects %+v", rj)
	}
	if e := res.Table("reviews").Encoding; e != EncodingUTF8+crOnlyNote {
		t.Errorf("encoding %q", e)
	}
}

// CR CR LF line ends (a Windows file converted a second time) are read as
// lines, with the lines of rejected rows right; a header with some other
// bare carriage return is refused naming it, not as "not UTF-8".
func TestCRCRLFLineEnds(t *testing.T) {
	dir := coreDir(t)
	write(t, dir, "reviews.csv", "CHILD,REVIEW\r\r\n00123,20/03/2024\r\r\n00123,31/02/2024\r\r\n00123,22/03/2024\r\r\n")
	res, db, err := load(t, dir, 0.5)
	if err != nil {
		t.Fatal(err)
	}
	if got := strings.Join(reviewDates(t, db), ","); got != "00123 2024-03-20,00123 2024-03-22" {
		t.Errorf("reviews read %v", got)
	}
	rj := rejects(t, db)
	if len(rj) != 1 || rj[0].Line != 3 || rj[0].Column != "REVIEW" || rj[0].Value != "31/02/2024" {
		t.Errorf("rejects %+v", rj)
	}
	if e := res.Table("reviews").Encoding; e != EncodingUTF8+crcrlfNote {
		t.Errorf("encoding %q", e)
	}

	dir = coreDir(t)
	write(t, dir, "reviews.csv", "CHILD,REVIEW\r\r\r\n00123,20/03/2024\r\r\r\n")
	_, _, err = load(t, dir, 0.5)
	wantInputError(t, err, "reviews.csv line 1: the header holds a carriage return")
	if strings.Contains(err.Error(), "\n") {
		t.Errorf("message on more than one line: %s", err)
	}
}

// A file separated by semicolons or tabs is refused naming the separator.
func TestOtherSeparatorsAreNamed(t *testing.T) {
	for sep, name := range map[string]string{";": "semicolons", "\t": "tabs"} {
		dir := coreDir(t)
		write(t, dir, "reviews.csv", "CHILD"+sep+"REVIEW\n00123"+sep+"20/03/2024\n")
		_, _, err := load(t, dir, 0.05)
		wantInputError(t, err, "reviews.csv line 1: the columns are separated by "+name)
	}
}

// A midnight time part is the date; any other time is a rejected row.
func TestMidnightTimeParts(t *testing.T) {
	dir := coreDir(t)
	write(t, dir, "reviews.csv", "CHILD,REVIEW\n00123,02/07/2025 00:00\n00123,2025-07-03T00:00:00\n00123,04/07/2025 00:00:00\n00123,2025-07-05 00:00\n00123,06/07/2025 14:30\n00123,2025-07-07T09:00:00\n")
	_, db, err := load(t, dir, 0.5)
	if err != nil {
		t.Fatal(err)
	}
	if got := strings.Join(reviewDates(t, db), ","); got != "00123 2025-07-02,00123 2025-07-03,00123 2025-07-04,00123 2025-07-05" {
		t.Errorf("reviews read %s", got)
	}
	rj := rejects(t, db)
	if len(rj) != 2 || rj[0].Line != 6 || rj[1].Line != 7 {
		t.Errorf("rejects %+v", rj)
	}
}

// The input folder is a folder, not a pattern: a name with ? or * reads
// only its own files.
func TestInputFolderIsNotAPattern(t *testing.T) {
	root := t.TempDir()
	in, other := filepath.Join(root, "in?"), filepath.Join(root, "inX")
	for _, d := range []string{in, other} {
		os.Mkdir(d, 0o700)
		write(t, d, "header.csv", header)
		write(t, d, "episodes.csv", episodes)
	}
	write(t, in, "reviews.csv", reviews)
	write(t, other, "reviews.csv", "CHILD,REVIEW\n99999,01/01/2024\n99999,02/01/2024\n")
	_, db, err := load(t, in, 0.05)
	if err != nil {
		t.Fatal(err)
	}
	if got := strings.Join(reviewDates(t, db), ","); got != "00123 2024-03-20" {
		t.Errorf("reviews read %s", got)
	}
}

// Every file of the folder is accounted for, and a year-suffixed copy of a
// table gets a hint.
func TestEveryFileAccountedFor(t *testing.T) {
	dir := coreDir(t)
	write(t, dir, "reviews_2023.csv", reviews)
	write(t, dir, "notes.txt", "x")
	write(t, dir, "~$extract.xlsx", "x")
	os.Mkdir(filepath.Join(dir, "old"), 0o700)
	res, _, err := load(t, dir, 0.05)
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]InputFile{}
	for _, f := range res.Files {
		got[f.Name] = f
	}
	if len(got) != 7 {
		t.Errorf("files %+v", res.Files)
	}
	if f := got["reviews.csv"]; f.Table != "reviews" || f.Encoding != EncodingUTF8 {
		t.Errorf("reviews.csv %+v", f)
	}
	if f := got["reviews_2023.csv"]; f.Table != "" || !strings.Contains(f.Why, "looks like the reviews table") {
		t.Errorf("reviews_2023.csv %+v", f)
	}
	for _, n := range []string{"notes.txt", "~$extract.xlsx", "old/"} {
		if f := got[n]; f.Table != "" || f.Why == "" {
			t.Errorf("%s %+v", n, f)
		}
	}
}

func saveBook(t *testing.T, f *excelize.File, path string) {
	t.Helper()
	if err := f.SaveAs(path); err != nil {
		t.Fatal(err)
	}
}

// Hidden sheets are never tables: a stale hidden "reviews" beside a
// visible "Reviews (2)" leaves the table missing, and the message lists
// what was found.
func TestHiddenSheetsAreNotTables(t *testing.T) {
	dir := coreDir(t)
	os.Remove(filepath.Join(dir, "reviews.csv"))
	f := excelize.NewFile()
	f.SetSheetName("Sheet1", "Reviews (2)")
	f.SetSheetRow("Reviews (2)", "A1", &[]any{"CHILD", "REVIEW"})
	f.SetSheetRow("Reviews (2)", "A2", &[]any{"00123", "20/03/2024"})
	f.NewSheet("reviews")
	f.SetSheetRow("reviews", "A1", &[]any{"CHILD", "REVIEW"})
	f.SetSheetRow("reviews", "A2", &[]any{"00123", "20/03/2023"})
	f.SetSheetVisible("reviews", false)
	f.NewSheet("peps")
	f.SetSheetRow("peps", "A1", &[]any{"CHILD", "PEP_DATE"})
	f.SetSheetVisible("peps", false, true) // very hidden
	saveBook(t, f, filepath.Join(dir, "extract.xlsx"))
	_, _, err := load(t, dir, 0.05)
	wantInputError(t, err, `core table "reviews" is missing`, "extract.xlsx[Reviews (2)]", "extract.xlsx[reviews]", "header.csv")

	// A stale hidden sheet named like a table read from a CSV file is no
	// second source of it.
	f = excelize.NewFile()
	f.SetSheetName("Sheet1", "Reviews")
	f.SetSheetRow("Reviews", "A1", &[]any{"CHILD", "REVIEW"})
	f.SetSheetRow("Reviews", "A2", &[]any{"00123", "20/03/2024"})
	f.NewSheet("episodes")
	f.SetSheetRow("episodes", "A1", &[]any{"CHILD"})
	f.SetSheetVisible("episodes", false)
	f.NewSheet("peps")
	f.SetSheetRow("peps", "A1", &[]any{"CHILD", "PEP_DATE"})
	f.SetSheetVisible("peps", false, true) // very hidden
	saveBook(t, f, filepath.Join(dir, "extract.xlsx"))
	res, db, err := load(t, dir, 0.05)
	if err != nil {
		t.Fatal(err)
	}
	if got := strings.Join(reviewDates(t, db), ","); got != "00123 2024-03-20" {
		t.Errorf("reviews read %s", got)
	}
	if p := res.Table("peps"); p.Present {
		t.Errorf("very hidden peps read")
	}
	var hidden int
	for _, fl := range res.Files {
		if strings.Contains(fl.Why, "hidden sheet") {
			hidden++
		}
	}
	if hidden != 2 {
		t.Errorf("files %+v", res.Files)
	}
}

// Identifier columns are read as the cells show them; a date column takes
// date cells and the two text formats, and a plain number or numeric text
// in it is a rejected row.
func TestXLSXCellsAsShown(t *testing.T) {
	dir := coreDir(t)
	os.Remove(filepath.Join(dir, "reviews.csv"))
	f := excelize.NewFile()
	f.SetSheetName("Sheet1", "Reviews")
	zeros := "000000"
	idStyle, _ := f.NewStyle(&excelize.Style{CustomNumFmt: &zeros})
	dmy := "dd/mm/yyyy"
	dateStyle, _ := f.NewStyle(&excelize.Style{CustomNumFmt: &dmy})
	f.SetSheetRow("Reviews", "A1", &[]any{"CHILD", "REVIEW"})
	f.SetSheetRow("Reviews", "A2", &[]any{123, time.Date(2024, 3, 20, 0, 0, 0, 0, time.UTC)})
	f.SetSheetRow("Reviews", "A3", &[]any{123, "21/03/2024"})
	f.SetSheetRow("Reviews", "A4", &[]any{123, 2010})
	f.SetSheetRow("Reviews", "A5", &[]any{123, "45000"})
	f.SetSheetRow("Reviews", "A6", &[]any{123, 45000.5})
	f.SetCellStyle("Reviews", "A2", "A6", idStyle)
	f.SetCellStyle("Reviews", "B2", "B2", dateStyle)
	f.SetCellStyle("Reviews", "B6", "B6", dateStyle)
	saveBook(t, f, filepath.Join(dir, "extract.xlsx"))
	_, db, err := load(t, dir, 0.9)
	if err != nil {
		t.Fatal(err)
	}
	if got := strings.Join(reviewDates(t, db), ","); got != "000123 2024-03-20,000123 2024-03-21" {
		t.Errorf("reviews read %s", got)
	}
	rj := rejects(t, db)
	if len(rj) != 3 || rj[0].Line != 4 || rj[1].Line != 5 || rj[2].Line != 6 {
		t.Errorf("rejects %+v", rj)
	}
}

// rezip rewrites the workbook at path with the part name changed by edit
// (nil: removed), stored uncompressed.
func rezip(t *testing.T, path, part string, edit func([]byte) []byte) {
	t.Helper()
	zr, err := zip.OpenReader(path)
	if err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	for _, zf := range zr.File {
		rc, _ := zf.Open()
		b, _ := io.ReadAll(rc)
		rc.Close()
		if zf.Name == part {
			b = edit(b)
		}
		w, _ := zw.Create(zf.Name)
		w.Write(b)
	}
	zr.Close()
	zw.Close()
	if err := os.WriteFile(path, buf.Bytes(), 0o600); err != nil {
		t.Fatal(err)
	}
}

func xlsxReviewsDir(t *testing.T, n int) (string, string) {
	t.Helper()
	dir := coreDir(t)
	os.Remove(filepath.Join(dir, "reviews.csv"))
	f := excelize.NewFile()
	f.SetSheetName("Sheet1", "reviews")
	f.SetSheetRow("reviews", "A1", &[]any{"CHILD", "REVIEW"})
	for i := 2; i <= n+1; i++ {
		f.SetSheetRow("reviews", "A"+strconv.Itoa(i), &[]any{"00123", "20/03/2024"})
	}
	path := filepath.Join(dir, "extract.xlsx")
	saveBook(t, f, path)
	return dir, path
}

// A sheet whose XML is cut off inside a whole zip is refused, not read in
// part.
func TestXLSXCutOffSheetIsRefused(t *testing.T) {
	dir, path := xlsxReviewsDir(t, 40)
	if _, _, err := load(t, dir, 0.05); err != nil {
		t.Fatal(err)
	}
	rezip(t, path, "xl/worksheets/sheet1.xml", func(b []byte) []byte { return b[:len(b)/2] })
	_, _, err := load(t, dir, 0.05)
	wantInputError(t, err, "extract.xlsx is damaged", "xl/worksheets/sheet1.xml", "cut off")
	rezip(t, path, "xl/worksheets/sheet1.xml", func(b []byte) []byte { return bytes.Replace(b, []byte("</row>"), []byte("</rox>"), 1) })
	_, _, err = load(t, dir, 0.05)
	wantInputError(t, err, "extract.xlsx is damaged", "not well-formed")
}

// A workbook that unpacks to a huge shared string or part is refused
// before it is read into memory.
func TestXLSXBombsAreRefused(t *testing.T) {
	dir, path := xlsxReviewsDir(t, 2)
	rezip(t, path, "xl/sharedStrings.xml", func(b []byte) []byte {
		return bytes.Replace(b, []byte("<t>00123</t>"), append(append([]byte("<t>"), bytes.Repeat([]byte("A"), 40<<20)...), []byte("</t>")...), 1)
	})
	_, _, err := load(t, dir, 0.05)
	wantInputError(t, err, "extract.xlsx", "longer than any Excel writes")

	dir, path = xlsxReviewsDir(t, 2)
	rezip(t, path, "docProps/app.xml", func(b []byte) []byte { return bytes.Repeat([]byte(" "), 80<<20) })
	_, _, err = load(t, dir, 0.05)
	wantInputError(t, err, "extract.xlsx unpacks to more than lacaudit allows", "docProps/app.xml")
}

// A participation code outside PN0 to PN7 is a warning naming file and
// line, and the review is used.
func TestUnexpectedParticipationCodeWarns(t *testing.T) {
	dir := coreDir(t)
	write(t, dir, "reviews.csv", "CHILD,REVIEW,REVIEW_CODE\n00123,20/03/2024,PN1\n00123,21/03/2024,pn8\n00123,31/02/2024,XX\n00123,22/03/2024,\n00123,23/03/2024,P N2\n")
	_, db, err := load(t, dir, 0.5)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := Checks(context.Background(), db, time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)); err != nil {
		t.Fatal(err)
	}
	if got := len(reviewDates(t, db)); got != 4 {
		t.Errorf("%d reviews read, want 4", got)
	}
	rows, err := db.QueryContext(context.Background(), "SELECT detail, message, strftime(record_date, '%d/%m/%Y') FROM dq_warnings WHERE check_name = 'unexpected_value' ORDER BY detail")
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var got []string
	for rows.Next() {
		var d, m, r string
		rows.Scan(&d, &m, &r)
		got = append(got, d+" "+r+" "+m)
	}
	want := []string{
		"reviews.csv line 3 21/03/2024 REVIEW_CODE is not one of PN0, PN1, PN2, PN3, PN4, PN5, PN6, PN7 (the row is used)",
		"reviews.csv line 6 23/03/2024 REVIEW_CODE is not one of PN0, PN1, PN2, PN3, PN4, PN5, PN6, PN7 (the row is used)",
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("warnings\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}

// A column read natively as dd/mm/yyyy takes a midnight time part further
// down than the sniff looks, as the text reader does.
func TestMidnightTimePartBeyondTheSniff(t *testing.T) {
	dir := coreDir(t)
	var b strings.Builder
	b.WriteString("CHILD,REVIEW\n")
	for i := 0; i < sniffRows+10; i++ {
		b.WriteString("00123,20/03/2024\n")
	}
	b.WriteString("00123,02/07/2025 00:00\n")
	write(t, dir, "reviews.csv", b.String())
	_, db, err := load(t, dir, 0.05)
	if err != nil {
		t.Fatal(err)
	}
	if rj := rejects(t, db); len(rj) != 0 {
		t.Errorf("rejects %+v", rj)
	}
	var n int
	db.QueryRowContext(context.Background(), "SELECT count(*) FROM reviews WHERE review = DATE '2025-07-02'").Scan(&n)
	if n != 1 {
		t.Errorf("%d reviews on 2 July 2025", n)
	}
}

// Zero-padded number formats are recognised with their quoted text; others
// are not.
func TestZeroPaddedFormats(t *testing.T) {
	for code, want := range map[string]string{
		"000000":          "6||",
		`"C"00000`:        "5|C|",
		`\A0000"-X"`:      "4|A|-X",
		"000000;-000000":  "6||",
		"0":               "0||",
		"General":         "0||",
		"0.00":            "0||",
		"#,##0":           "0||",
		"dd/mm/yyyy":      "0||",
		`"ID "000000 "x"`: "0||",
	} {
		n, pre, suf := zeroPadded(code)
		if got := strconv.Itoa(n) + "|" + pre + "|" + suf; got != want {
			t.Errorf("%s: %s, want %s", code, got, want)
		}
	}
}

// A row numbered beyond Excel's last is a damaged sheet, refused before
// anything is sized by it.
func TestXLSXRowBeyondExcelIsRefused(t *testing.T) {
	dir, path := xlsxReviewsDir(t, 2)
	rezip(t, path, "xl/worksheets/sheet1.xml", func(b []byte) []byte {
		return bytes.Replace(b, []byte(`<row r="3"`), []byte(`<row r="999999999"`), 1)
	})
	_, _, err := load(t, dir, 0.05)
	wantInputError(t, err, "extract.xlsx is damaged", "beyond Excel's 1048576")
}

// Only regular files are extracts: a named pipe or a device named like a
// table would never end (the run hung, deaf to SIGTERM), a dangling link
// has nothing to read; each is refused naming it.
func TestOnlyRegularFilesAreRead(t *testing.T) {
	for _, c := range []struct {
		name string
		make func(path string) error
		want string
	}{
		{"fifo", func(p string) error { return syscall.Mkfifo(p, 0o600) }, "reviews.csv is not a regular file"},
		{"device", func(p string) error { return os.Symlink("/dev/zero", p) }, "reviews.csv is not a regular file"},
		{"dangling", func(p string) error { return os.Symlink(filepath.Join(t.TempDir(), "gone.csv"), p) }, "reviews.csv cannot be read"},
	} {
		dir := coreDir(t)
		path := filepath.Join(dir, "reviews.csv")
		os.Remove(path)
		if err := c.make(path); err != nil {
			t.Fatalf("%s: %v", c.name, err)
		}
		_, _, err := load(t, dir, 0.9)
		wantInputError(t, err, c.want)
	}
}

// A file whose lines end some in CR LF and some in LF alone (rows appended
// by another tool) is read as it reads either way, and said.
func TestMixedLineEnds(t *testing.T) {
	dir := coreDir(t)
	write(t, dir, "reviews.csv", "CHILD,REVIEW,REVIEW_CODE\r\n00123,20/03/2024,PN1\r\n00123,21/03/2024,PN1\n00123,22/03/2024,PN1\n")
	res, db, err := load(t, dir, 0.05)
	if err != nil {
		t.Fatal(err)
	}
	if got := len(reviewDates(t, db)); got != 3 {
		t.Errorf("%d reviews read, want 3", got)
	}
	if enc := res.Table("reviews").Encoding; !strings.Contains(enc, "mixed") {
		t.Errorf("encoding %q does not say the line ends are mixed", enc)
	}
}

// A file mostly UTF-8 with a Windows-1252 byte among it is refused, not read
// as Windows-1252 with its UTF-8 letters mangled.
func TestMixedEncodingsRefused(t *testing.T) {
	dir := coreDir(t)
	write(t, dir, "allocations.csv", "CHILD,ROLE,WORKER,START\n00123,SW,Zo\xc3\xab Brown,01/03/2024\n00123,IRO,Dav\xedes,01/03/2024\n")
	_, _, err := load(t, dir, 0.9)
	wantInputError(t, err, "allocations.csv mixes UTF-8 and Windows-1252 text")
}

// A ragged row is one reject with the line's own count of fields: DuckDB's
// reader reported a row with two extra fields twice ("5 found" and "6
// found"). A short row names the first column it lacks, not the last it
// has.
func TestRaggedRowsRejectedOnce(t *testing.T) {
	dir := coreDir(t)
	write(t, dir, "reviews.csv", strings.Join([]string{
		"CHILD,DOB,REVIEW,REVIEW_CODE",
		"00123,01/02/2010,20/03/2024,PN1",
		"00123,01/02/2010,21/03/2024,PN1,extra,X",
		"00123,01/02/2010,22/03/2024",
		"00123,01/02/2010",
		"00123,01/02/2010,24/03/2024,PN1",
	}, "\r\n")+"\r\n")
	res, db, err := load(t, dir, 0.9)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, r := range rejects(t, db) {
		got = append(got, fmt.Sprintf("%d %s: %s", r.Line, r.Column, r.Reason))
	}
	want := []string{
		"3 : wrong number of fields: expected 4, 6 found",
		"4 REVIEW_CODE: wrong number of fields: expected 4, 3 found",
		"5 REVIEW: wrong number of fields: expected 4, 2 found",
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("rejects\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	if r := res.Table("reviews"); r.Read != 5 || r.Rejected != 3 {
		t.Errorf("reviews read %d, rejected %d: want 5 and 3", r.Read, r.Rejected)
	}
}

package ingest

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"

	"github.com/lacaudit/lacaudit/store"
)

const (
	header   = "CHILD,DOB\n00123,01/02/2015\n123,2015-02-01\n"
	episodes = "CHILD,DECOM,RNE,LS,PLACE,DEC,REC\n00123,01/03/2024,S,C2,U3,,\n"
	reviews  = "CHILD,REVIEW\n00123,20/03/2024\n"
)

func write(t *testing.T, dir, name, content string) {
	t.Helper()
	if err := os.WriteFile(filepath.Join(dir, name), []byte(content), 0o600); err != nil {
		t.Fatal(err)
	}
}

func coreDir(t *testing.T) string {
	dir := t.TempDir()
	write(t, dir, "header.csv", header)
	write(t, dir, "episodes.csv", episodes)
	write(t, dir, "reviews.csv", reviews)
	return dir
}

// memDB is an in-memory database with one thread, closed by the test's cleanup.
func memDB(t testing.TB) *store.DB {
	t.Helper()
	db, err := store.Open(context.Background(), "", store.Options{Threads: 1})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

func load(t *testing.T, dir string, threshold float64) (*Result, *store.DB, error) {
	t.Helper()
	db := memDB(t)
	res, err := Load(context.Background(), db, Options{Dir: dir, RejectThreshold: threshold})
	return res, db, err
}

// readersDB is an in-memory database with the value readers of setup.sql
// (lac_date and its shapes), closed by the test's cleanup.
func readersDB(t testing.TB) *store.DB {
	t.Helper()
	db := memDB(t)
	if err := db.Exec(context.Background(), "setup", setupSQL); err != nil {
		t.Fatal(err)
	}
	return db
}

func rejects(t *testing.T, db *store.DB) []RejectRow {
	t.Helper()
	rows, err := FirstRejects(context.Background(), db, 1000)
	if err != nil {
		t.Fatal(err)
	}
	return rows
}

func TestDateFormatsAndTextIdentifiers(t *testing.T) {
	dir := coreDir(t)
	_, db, err := load(t, dir, 0.05)
	if err != nil {
		t.Fatal(err)
	}
	rows, err := db.Query("SELECT child, strftime(dob, '%Y-%m-%d') FROM header ORDER BY child")
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var got []string
	for rows.Next() {
		var c, d string
		if err := rows.Scan(&c, &d); err != nil {
			t.Fatal(err)
		}
		got = append(got, c+"="+d)
	}
	// dd/mm/yyyy and yyyy-mm-dd in one column; 00123 and 123 stay two children.
	want := []string{"00123=2015-02-01", "123=2015-02-01"}
	if strings.Join(got, " ") != strings.Join(want, " ") {
		t.Errorf("got %v, want %v", got, want)
	}
}

// A file in one format whose later rows switch to the other is re-read as
// text, so that no valid date is rejected, however far down it comes.
func TestMixedDateFormatsBeyondTheSniff(t *testing.T) {
	dir := coreDir(t)
	var b strings.Builder
	b.WriteString("CHILD,REVIEW\n")
	for i := 0; i < sniffRows+50; i++ {
		b.WriteString("00123,20/03/2024\n")
	}
	b.WriteString("00123,2024-03-21\n")
	write(t, dir, "reviews.csv", b.String())
	res, db, err := load(t, dir, 0.05)
	if err != nil {
		t.Fatal(err)
	}
	if r := res.Table("reviews"); r.Rejected != 0 || r.Read != int64(sniffRows+51) {
		t.Errorf("reviews: read %d rejected %d; rejects %v", r.Read, r.Rejected, rejects(t, db))
	}
	var n int
	if err := db.QueryRow("SELECT count(*) FROM reviews WHERE review = DATE '2024-03-21'").Scan(&n); err != nil || n != 1 {
		t.Errorf("the ISO date far down the file was not read: %d, %v", n, err)
	}
}

func TestBOMAndCRLF(t *testing.T) {
	dir := coreDir(t)
	write(t, dir, "episodes.csv", "\xEF\xBB\xBFchild , decom,RNE,LS,PLACE,DEC,REC\r\n00123,01/03/2024,s,c2,u3,,\r\n")
	res, db, err := load(t, dir, 0.05)
	if err != nil {
		t.Fatal(err)
	}
	if r := res.Table("episodes"); r.Read != 1 || r.Rejected != 0 {
		t.Fatalf("episodes: %+v", r)
	}
	var rne, place string
	if err := db.QueryRow("SELECT rne, place FROM episodes").Scan(&rne, &place); err != nil {
		t.Fatal(err)
	}
	if rne != "S" || place != "U3" {
		t.Errorf("codes not upper-cased: %q %q", rne, place)
	}
}

func TestRejectedRowsNameFileLineAndColumn(t *testing.T) {
	dir := coreDir(t)
	// Line 1 header; 2 good; 3-4 one record whose quoted field spans two
	// lines; 5 blank; 6 a bad date; 7 too many fields; 8 good; 9 an empty
	// required value; 10 a flag that is not one; 11 a whole number that is not.
	write(t, dir, "review_details.csv", strings.Join([]string{
		"CHILD,REVIEW,SW_PRESENT,ADJOURNMENTS",
		"00123,20/03/2024,Y,0",
		`"00123",20/03/2024,"Y`,
		`",0`,
		"",
		"00123,31/02/2024,N,0",
		"00123,20/03/2024,N,0,extra",
		"00123,21/03/2024,yes,1",
		",22/03/2024,N,0",
		"00123,23/03/2024,maybe,0",
		"00123,24/03/2024,N,two",
	}, "\n")+"\n")
	_, db, err := load(t, dir, 0.9)
	if err != nil {
		t.Fatal(err)
	}
	got := map[int64]RejectRow{}
	for _, r := range rejects(t, db) {
		if r.Source != "review_details.csv" {
			t.Errorf("reject from %s", r.Source)
		}
		got[r.Line] = r
	}
	want := map[int64][2]string{
		3:  {"SW_PRESENT", "not a flag"}, // "Y\n" is not a flag
		6:  {"REVIEW", "not a date"},
		7:  {"", "wrong number of fields"},
		9:  {"CHILD", "required value is empty"},
		10: {"SW_PRESENT", "not a flag"},
		11: {"ADJOURNMENTS", "not a whole number"},
	}
	for line, w := range want {
		r, ok := got[line]
		if !ok {
			t.Errorf("line %d not rejected; rejects: %v", line, got)
			continue
		}
		if r.Column != w[0] || !strings.HasPrefix(r.Reason, w[1]) {
			t.Errorf("line %d: column %q reason %q, want %q %q", line, r.Column, r.Reason, w[0], w[1])
		}
	}
	if len(got) != len(want) {
		t.Errorf("rejected lines %v, want exactly %v", keys(got), want)
	}
	var v string
	if err := db.QueryRow("SELECT value FROM rejects WHERE line = 6").Scan(&v); err != nil || v != "31/02/2024" {
		t.Errorf("line 6 value %q (%v), want the bad date", v, err)
	}
	var n int
	if err := db.QueryRow("SELECT count(*) FROM review_details").Scan(&n); err != nil || n != 2 {
		t.Errorf("%d rows kept, want the 2 good ones (%v)", n, err)
	}
}

func keys(m map[int64]RejectRow) []int64 {
	var out []int64
	for k := range m {
		out = append(out, k)
	}
	return out
}

func TestRejectThreshold(t *testing.T) {
	dir := coreDir(t)
	write(t, dir, "reviews.csv", "CHILD,REVIEW\n00123,20/03/2024\n00123,not a date\n00123,21/03/2024\n")
	_, _, err := load(t, dir, 0.05) // 1 of 3 rejected: over 5 %
	var ie *InputError
	if !errors.As(err, &ie) || !ie.Rejects || !strings.Contains(err.Error(), "reviews.csv: 1 of 3 rows rejected") {
		t.Fatalf("err = %v, want the threshold error naming reviews.csv", err)
	}
	if _, _, err := load(t, dir, 0.5); err != nil {
		t.Fatalf("under the threshold: %v", err)
	}
}

func TestMissingTableAndColumn(t *testing.T) {
	dir := coreDir(t)
	os.Remove(filepath.Join(dir, "reviews.csv"))
	_, _, err := load(t, dir, 0.05)
	var ie *InputError
	if !errors.As(err, &ie) || !strings.Contains(err.Error(), `core table "reviews" is missing`) {
		t.Errorf("missing table: %v", err)
	}
	dir = coreDir(t)
	write(t, dir, "episodes.csv", "CHILD,DECOM,RNE,LS,DEC,REC\n00123,01/03/2024,S,C2,,\n")
	_, _, err = load(t, dir, 0.05)
	if !errors.As(err, &ie) || !strings.Contains(err.Error(), "episodes.csv: required column PLACE is missing") {
		t.Errorf("missing column: %v", err)
	}
	dir = coreDir(t)
	write(t, dir, "visits.csv", "CHILD,SEEN\n00123,Y\n")
	_, _, err = load(t, dir, 0.05)
	if !errors.As(err, &ie) || !strings.Contains(err.Error(), "visits.csv: required column VISIT_DATE is missing") {
		t.Errorf("missing column of an extension table: %v", err)
	}
	dir = coreDir(t)
	write(t, dir, "header.csv", "")
	_, _, err = load(t, dir, 0.05)
	if !errors.As(err, &ie) || !strings.Contains(err.Error(), "header.csv is empty") {
		t.Errorf("empty file: %v", err)
	}
}

func TestTableFoundTwiceAndUnknownColumns(t *testing.T) {
	dir := coreDir(t)
	write(t, dir, "Reviews.CSV", reviews)
	_, _, err := load(t, dir, 0.05)
	if err == nil || !strings.Contains(err.Error(), `table "reviews" found twice`) {
		t.Errorf("duplicate table: %v", err)
	}
	dir = coreDir(t)
	write(t, dir, "reviews.csv", "CHILD,REVIEW,PANEL_NOTES\n00123,20/03/2024,x\n")
	write(t, dir, "oc2.csv", "CHILD\n1\n")
	res, _, err := load(t, dir, 0.05)
	if err != nil {
		t.Fatal(err)
	}
	if u := res.Table("reviews").Unknown; len(u) != 1 || u[0] != "PANEL_NOTES" {
		t.Errorf("unknown columns %v", u)
	}
	if len(res.Ignored) != 1 || res.Ignored[0] != "oc2.csv" {
		t.Errorf("ignored %v", res.Ignored)
	}
	if p := res.Table("peps"); p.Present {
		t.Errorf("absent peps reported present")
	}
}

func TestXLSXDateCellsAndTextDates(t *testing.T) {
	dir := coreDir(t)
	os.Remove(filepath.Join(dir, "reviews.csv"))
	f := excelize.NewFile()
	f.SetSheetName("Sheet1", "Reviews")
	style, _ := f.NewStyle(&excelize.Style{NumFmt: 14})
	f.SetSheetRow("Reviews", "A1", &[]any{"CHILD", "REVIEW", "REVIEW_CODE"})
	f.SetSheetRow("Reviews", "A2", &[]any{"00123", time.Date(2024, 3, 20, 0, 0, 0, 0, time.UTC), "pn1"})
	f.SetCellStyle("Reviews", "B2", "B2", style)
	f.SetSheetRow("Reviews", "A3", &[]any{"00123", "21/03/2024", "PN2"})
	f.SetSheetRow("Reviews", "A5", &[]any{"00123", "2024-03-22", "PN3"}) // row 4 blank
	f.SetSheetRow("Reviews", "A6", &[]any{"00123", "March 23rd", "PN3"})
	if err := f.SaveAs(filepath.Join(dir, "extract.xlsx")); err != nil {
		t.Fatal(err)
	}
	res, db, err := load(t, dir, 0.5)
	if err != nil {
		t.Fatal(err)
	}
	if r := res.Table("reviews"); r.Source != "extract.xlsx[Reviews]" || r.Read != 4 || r.Rejected != 1 {
		t.Errorf("reviews: %+v", r)
	}
	var dates string
	if err := db.QueryRow("SELECT string_agg(strftime(review, '%Y-%m-%d') || review_code, ' ' ORDER BY review) FROM reviews").Scan(&dates); err != nil {
		t.Fatal(err)
	}
	if dates != "2024-03-20PN1 2024-03-21PN2 2024-03-22PN3" {
		t.Errorf("dates %q", dates)
	}
	rj := rejects(t, db)
	if len(rj) != 1 || rj[0].Line != 6 || rj[0].Column != "REVIEW" || rj[0].Source != "extract.xlsx[Reviews]" {
		t.Errorf("rejects %+v, want sheet row 6 column REVIEW", rj)
	}
}

func TestRecordLines(t *testing.T) {
	path := filepath.Join(t.TempDir(), "x.csv")
	// header, a, blank, "b\nb" (2 lines), rejected, c
	content := "H\r\na\r\n\r\n\"b\r\nb\"\r\nbad\r\nc\r\n"
	if err := os.WriteFile(path, []byte(content), 0o600); err != nil {
		t.Fatal(err)
	}
	// DuckDB numbers the rejected record 5: header, a, blank, "b b", bad.
	lines, rej, err := recordLines(path, map[int64]bool{5: true}, []int64{0, 1, 2})
	if err != nil {
		t.Fatal(err)
	}
	if lines[0] != 2 || lines[1] != 4 || lines[2] != 7 || rej[5] != 6 {
		t.Errorf("lines %v, rejected %v", lines, rej)
	}
}

// The sniff types a date column natively when a file's sample holds one
// format (trimmed as the readers trim), and leaves a column of both formats,
// or of neither, to the text reader.
func TestSniffDates(t *testing.T) {
	ctx := context.Background()
	db := readersDB(t)
	var reviews Table
	for _, tb := range Tables {
		if tb.Name == "reviews" {
			reviews = tb
		}
	}
	dir := t.TempDir()
	for _, c := range []struct {
		name, body, format string
		native             bool
	}{
		{"dmy", "1,01/02/2024,PN1\n2,\t3/4/2024 ,PN2\n3,,PN3\n", formatDMY, true},
		{"iso", "1,2024-02-01,PN1\n2,2024-04-03,PN2\n", formatISO, true},
		{"both", "1,01/02/2024,PN1\n2,2024-04-03,PN2\n", "", false},
		{"neither", "1,1/2/24,PN1\n2,1/1/000,PN2\n", "", false},
	} {
		path := filepath.Join(dir, c.name+".csv")
		if err := os.WriteFile(path, []byte("CHILD,REVIEW,REVIEW_CODE\n"+c.body), 0o600); err != nil {
			t.Fatal(err)
		}
		cols, _, err := columnMap(reviews, c.name+".csv", []string{"CHILD", "REVIEW", "REVIEW_CODE"})
		if err != nil {
			t.Fatal(err)
		}
		format, native, err := sniffDates(ctx, db, path, cols)
		if err != nil {
			t.Fatal(err)
		}
		if format != c.format || native[1] != c.native {
			t.Errorf("%s: format %q, REVIEW native %v; want %q, %v", c.name, format, native[1], c.format, c.native)
		}
	}
}

// FormatOf is how Discover (and the automatic memory limit) sorts the input
// folder's files.
func TestFormatOf(t *testing.T) {
	for name, want := range map[string]Format{
		"episodes.csv": CSV, "Episodes.CSV": CSV, "extract.xlsx": XLSX, "extract.XLSM": XLSX,
		"notes.txt": Other, "episodes": Other, "extract.xls": Other,
		".hidden.csv": Skipped, "~$extract.xlsx": Skipped,
	} {
		if got := FormatOf(name); got != want {
			t.Errorf("FormatOf(%q) = %d, want %d", name, got, want)
		}
	}
}

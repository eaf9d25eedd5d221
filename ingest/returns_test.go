package ingest

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"
)

// returnsData is testdata/returns: one folder per layout, name and
// conflict of DATA.md's "A folder of returns".
var returnsData = filepath.Join("testdata", "returns")

// The three returns of 2022-23, 2023-24 and 2024-25, as sub-folders named
// in every way DATA.md reads (2022-23/, 903_2024-25/, 2023/ for 2022-23) and
// as files named with their year (episodes_2023-24.csv, Reviews 2024.csv,
// a workbook 903 2024-25.xlsx), all read as the same three years and merged
// newest return first: child 00123's episode, open in 2022-23 and ended in
// 2023-24, is the ended one; 00456's is 2024-25's row; the superseded rows
// stay in episodes_all with their source and year.
func TestReturnLayouts(t *testing.T) {
	for _, c := range []struct {
		dir     string
		sources []string // year table source, for the episodes
	}{
		{"folders", []string{"2022-23 episodes 2022-23/episodes.csv", "2023-24 episodes 2023-24/episodes.csv", "2024-25 episodes 903_2024-25/episodes.csv"}},
		{"single-years", []string{"2022-23 episodes 2023/episodes.csv", "2023-24 episodes 2024/episodes.csv", "2024-25 episodes 2025/episodes.csv"}},
		{"files", []string{"2022-23 episodes episodes_2022-23.csv", "2023-24 episodes episodes_2023-24.csv", "2024-25 episodes 903 2024-25.xlsx[episodes]"}},
	} {
		t.Run(c.dir, func(t *testing.T) {
			res, db, err := load(t, filepath.Join(returnsData, c.dir), 0.05)
			if err != nil {
				t.Fatal(err)
			}
			var got []string
			for _, f := range res.Returns {
				if f.Table == "episodes" {
					got = append(got, f.Year+" "+f.Table+" "+f.Source)
				}
			}
			if strings.Join(got, "\n") != strings.Join(c.sources, "\n") {
				t.Errorf("returns:\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(c.sources, "\n"))
			}
			if len(res.Returns) != 9 {
				t.Errorf("%d return files, want 9: %+v", len(res.Returns), res.Returns)
			}
			eps := column(t, db, `SELECT child || ' ' || strftime(decom, '%d/%m/%Y') || ' ' || coalesce(strftime(dec, '%d/%m/%Y'), 'open') FROM episodes ORDER BY ALL`)
			if want := "00123 01/03/2023 10/10/2023; 00456 01/06/2023 open"; strings.Join(eps, "; ") != want {
				t.Errorf("episodes %q, want %q", strings.Join(eps, "; "), want)
			}
			all := column(t, db, `SELECT collection_year || ' ' || child || ' ' || used || ' ' || coalesce(why_not, '') FROM episodes_all ORDER BY ALL`)
			want := []string{
				"2022-23 00123 false superseded by the 2023-24 return",
				"2023-24 00123 true ",
				"2023-24 00456 false superseded by the 2024-25 return",
				"2024-25 00456 true ",
			}
			if strings.Join(all, "\n") != strings.Join(want, "\n") {
				t.Errorf("episodes_all:\n%s\nwant\n%s", strings.Join(all, "\n"), strings.Join(want, "\n"))
			}
			if r := reviewDates(t, db); strings.Join(r, ", ") != "00123 2023-03-20, 00123 2023-04-20, 00456 2023-06-20, 00456 2024-12-15" {
				t.Errorf("reviews %v", r)
			}
			if h := column(t, db, "SELECT child || ' ' || collection_year FROM header_all WHERE used ORDER BY ALL"); strings.Join(h, ", ") != "00123 2023-24, 00456 2024-25" {
				t.Errorf("header used %v", h)
			}
			if n := column(t, db, "SELECT count(*)::VARCHAR FROM input_returns"); n[0] != "9" {
				t.Errorf("input_returns has %s rows", n[0])
			}
		})
	}
}

// One authority whose newest return only has the LA column: the older
// returns' rows are that authority's before the merge, so a record matches
// itself across the returns (no LA and LA 101 are one authority) and the merge
// is the one without LA, every used row with LA 101.
func TestLAColumnInTheNewestReturnOnly(t *testing.T) {
	_, db, err := load(t, filepath.Join(returnsData, "la-newest-only"), 0.05)
	if err != nil {
		t.Fatal(err)
	}
	all := column(t, db, `SELECT collection_year || ' ' || child || ' ' || used || ' ' || coalesce(why_not, '') FROM episodes_all ORDER BY ALL`)
	want := []string{
		"2022-23 00123 false superseded by the 2023-24 return",
		"2023-24 00123 true ",
		"2023-24 00456 false superseded by the 2024-25 return",
		"2024-25 00456 true ",
	}
	if strings.Join(all, "\n") != strings.Join(want, "\n") {
		t.Errorf("episodes_all:\n%s\nwant\n%s", strings.Join(all, "\n"), strings.Join(want, "\n"))
	}
	if h := column(t, db, "SELECT child || ' ' || collection_year FROM header_all WHERE used ORDER BY ALL"); strings.Join(h, ", ") != "00123 2023-24, 00456 2024-25" {
		t.Errorf("header used %v", h)
	}
	if la := column(t, db, "SELECT DISTINCT coalesce(la, 'none') FROM episodes UNION SELECT DISTINCT coalesce(la, 'none') FROM header"); strings.Join(la, ",") != "101" {
		t.Errorf("LA of the used rows %v, want 101", la)
	}
}

// Two sources of one year's table, two folders of one year, a name whose
// year cannot be read, both layouts in one folder and a year without a
// core table are refused, naming them.
func TestReturnConflicts(t *testing.T) {
	for _, c := range []struct {
		dir   string
		parts []string
	}{
		{"conflict-folders", []string{"two folders of the 2024-25 return", "2025/", "903_2024-25/"}},
		{"conflict-files", []string{"2023-24 return's episodes table is found twice", "Episodes 2024.csv", "episodes_2023-24.csv"}},
		{"conflict-workbook", []string{"2024-25 return's episodes table is found twice", "903 2024-25.xlsx[episodes]", "episodes_2024-25.csv"}},
		{"ambiguous-folder", []string{"collection year of 2024-03-31/ cannot be read"}},
		{"ambiguous-file", []string{"collection year of reviews_2024-03-31.csv cannot be read"}},
		{"mixed-workbook", []string{"holds both plain extracts (notes.xlsx) and returns (2022-23/)", "move notes.xlsx into the folder of its return"}},
		{"mixed-csv", []string{"holds both plain extracts (header.csv) and returns (episodes_2022-23.csv)", "move header.csv"}},
		{"no-year-form", []string{"collection year of return 2025 v2/ cannot be read (expected one year"}},
		{"no-year-eight", []string{"collection year of 20242025/ cannot be read (expected one year"}},
		{"both-layouts", []string{"both folders of returns (2023-24/)", "episodes_2024-25.csv"}},
		{"core-missing", []string{`core table "reviews" is missing from the 2024-25 return`}},
	} {
		t.Run(c.dir, func(t *testing.T) {
			_, _, err := load(t, filepath.Join(returnsData, c.dir), 0.05)
			wantInputError(t, err, c.parts...)
		})
	}
}

// A plain folder stays one: a year-named copy beside the tables is not read
// (with its hint), as before there were folders of returns.
func TestPlainFolderWithAYearNamedCopy(t *testing.T) {
	res, db, err := load(t, filepath.Join(returnsData, "plain-with-year-copy"), 0.05)
	if err != nil {
		t.Fatal(err)
	}
	if res.Returns != nil {
		t.Errorf("read as returns: %+v", res.Returns)
	}
	if r := reviewDates(t, db); strings.Join(r, ", ") != "00123 2023-03-20" {
		t.Errorf("reviews %v", r)
	}
	found := false
	for _, f := range res.Files {
		found = found || (f.Name == "reviews_2022.csv" && f.Table == "" && strings.Contains(f.Why, "looks like the reviews table"))
	}
	if !found {
		t.Errorf("reviews_2022.csv not listed as not read: %+v", res.Files)
	}
}

// Two returns one after the other in one file: the episode open in the
// older and ended in the newer is the ended one, with a warning; without
// the rule the open row would win (an episode open for ever).
func TestEndedAndOpenRowsOfOneEpisodeInOneFile(t *testing.T) {
	_, db, err := load(t, filepath.Join(returnsData, "concatenated"), 0.05)
	if err != nil {
		t.Fatal(err)
	}
	eps := column(t, db, `SELECT child || ' ' || coalesce(strftime(dec, '%d/%m/%Y'), 'open') FROM episodes ORDER BY ALL`)
	if strings.Join(eps, ", ") != "00123 10/10/2023, 00456 open" {
		t.Errorf("episodes %v", eps)
	}
	w := column(t, db, "SELECT check_name || ' ' || child || ' ' || detail FROM load_warnings")
	if strings.Join(w, "\n") != "episode_ended_and_open 00123 episodes.csv" {
		t.Errorf("warnings %v", w)
	}
}

// An episode left open in an older return that the newer return, which has
// the child, does not carry: a warning, and not an open episode for ever.
func TestOpenEpisodeNotCarriedByTheNewerReturn(t *testing.T) {
	_, db, err := load(t, filepath.Join(returnsData, "open-not-carried"), 0.05)
	if err != nil {
		t.Fatal(err)
	}
	eps := column(t, db, `SELECT child || ' ' || strftime(decom, '%d/%m/%Y') FROM episodes ORDER BY ALL`)
	if strings.Join(eps, ", ") != "00123 01/05/2024" {
		t.Errorf("episodes %v", eps)
	}
	w := column(t, db, "SELECT check_name || ': ' || detail FROM load_warnings")
	if want := "open_episode_not_carried: 2023-24/episodes.csv (collection year 2023-24); the child is in the 2024-25 return"; strings.Join(w, "\n") != want {
		t.Errorf("warnings %q, want %q", w, want)
	}
	why := column(t, db, "SELECT why_not FROM episodes_all WHERE NOT used")
	if strings.Join(why, "") != "open here, and missing from the 2024-25 return, which has the child" {
		t.Errorf("why not used: %v", why)
	}
}

// An episode an older return ended and a newer return has open: the newer
// row is used (newest first), with a warning naming both files.
func TestEndedEpisodeOpenAgainInANewerReturn(t *testing.T) {
	_, db, err := load(t, filepath.Join(returnsData, "ended-then-open"), 0.05)
	if err != nil {
		t.Fatal(err)
	}
	eps := column(t, db, `SELECT child || ' ' || coalesce(strftime(dec, '%d/%m/%Y'), 'open') FROM episodes`)
	if strings.Join(eps, ", ") != "00123 open" {
		t.Errorf("episodes %v", eps)
	}
	w := column(t, db, "SELECT check_name || ': ' || detail FROM load_warnings")
	if want := "ended_episode_open_again: 2024-25/episodes.csv (collection year 2024-25); ended in 2023-24/episodes.csv"; strings.Join(w, "\n") != want {
		t.Errorf("warnings %q, want %q", w, want)
	}
}

// What is not a return keeps a folder as it was: a plain folder with a
// year-named sub-folder holding no table is plain (the sub-folder listed,
// not read), and a folder of returns with a workbook of notes (no sheet
// named after a table) is a folder of returns (the workbook listed, not
// read).
func TestNotAReturnBesideTheOtherLayout(t *testing.T) {
	res, _, err := load(t, filepath.Join(returnsData, "plain-with-year-folder"), 0.05)
	if err != nil {
		t.Fatal(err)
	}
	if res.Returns != nil {
		t.Errorf("read as returns: %+v", res.Returns)
	}
	dir := t.TempDir()
	for _, y := range []string{"2022-23", "2023-24", "903_2024-25"} {
		if err := os.Mkdir(filepath.Join(dir, y), 0o700); err != nil {
			t.Fatal(err)
		}
		for _, n := range []string{"header.csv", "episodes.csv", "reviews.csv"} {
			b, err := os.ReadFile(filepath.Join(returnsData, "folders", y, n))
			if err != nil {
				t.Fatal(err)
			}
			write(t, filepath.Join(dir, y), n, string(b))
		}
	}
	f := excelize.NewFile()
	if err := f.SetSheetName("Sheet1", "notes"); err != nil {
		t.Fatal(err)
	}
	if err := f.SaveAs(filepath.Join(dir, "notes.xlsx")); err != nil {
		t.Fatal(err)
	}
	res, _, err = load(t, dir, 0.05)
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Returns) != 9 {
		t.Errorf("%d return files, want 9", len(res.Returns))
	}
	found := false
	for _, f := range res.Files {
		found = found || (f.Name == "notes.xlsx" && f.Table == "")
	}
	if !found {
		t.Errorf("notes.xlsx not listed as not read: %+v", res.Files)
	}
}

// Two returns, as folders and as one plain folder whose files hold the two
// one after the other, in either order: the record of a review completed
// (its dates filled) and the allocation ended in the newer return are the
// rows used, in every layout; in one file, with a warning naming the table
// and the file.
func TestOneRecordTwiceInOneFile(t *testing.T) {
	older := map[string]string{
		"header.csv":         "CHILD,DOB\n00123,01/02/2015\n",
		"episodes.csv":       "CHILD,DECOM,RNE,LS,PLACE,DEC,REC\n00123,01/03/2023,S,C2,U3,,\n",
		"reviews.csv":        "CHILD,REVIEW\n00123,20/03/2023\n",
		"review_details.csv": "CHILD,REVIEW,DECISIONS_ISSUED,RECORD_DISTRIBUTED\n00123,20/03/2023,,\n",
		"allocations.csv":    "CHILD,ROLE,WORKER,START,END\n00123,IRO,W1,01/03/2023,\n",
	}
	newer := map[string]string{
		"header.csv":         "CHILD,DOB\n00123,01/02/2015\n",
		"episodes.csv":       "CHILD,DECOM,RNE,LS,PLACE,DEC,REC\n00123,01/03/2023,S,C2,U3,10/10/2024,E11\n",
		"reviews.csv":        "CHILD,REVIEW\n00123,20/03/2023\n00123,20/09/2023\n",
		"review_details.csv": "CHILD,REVIEW,DECISIONS_ISSUED,RECORD_DISTRIBUTED\n00123,20/03/2023,25/03/2023,01/04/2023\n",
		"allocations.csv":    "CHILD,ROLE,WORKER,START,END\n00123,IRO,W1,01/03/2023,10/10/2024\n",
	}
	body := func(csv string) string { return csv[strings.Index(csv, "\n")+1:] }
	folders := t.TempDir()
	for y, files := range map[string]map[string]string{"2023-24": older, "2024-25": newer} {
		if err := os.Mkdir(filepath.Join(folders, y), 0o700); err != nil {
			t.Fatal(err)
		}
		for n, c := range files {
			write(t, filepath.Join(folders, y), n, c)
		}
	}
	oldFirst, newFirst := t.TempDir(), t.TempDir()
	for n := range older {
		write(t, oldFirst, n, older[n]+body(newer[n]))
		write(t, newFirst, n, newer[n]+body(older[n]))
	}
	// A folder of returns whose newest return's files hold both states.
	inReturn := t.TempDir()
	for y, files := range map[string]map[string]string{"2023-24": older, "2024-25": newer} {
		if err := os.Mkdir(filepath.Join(inReturn, y), 0o700); err != nil {
			t.Fatal(err)
		}
		for n, c := range files {
			if y == "2024-25" {
				c = older[n] + body(c)
			}
			write(t, filepath.Join(inReturn, y), n, c)
		}
	}
	const q = `SELECT 'details ' || child || ' ' || review || ' ' || coalesce(decisions_issued::VARCHAR, '-') || ' ' || coalesce(record_distributed::VARCHAR, '-') FROM review_details
		UNION ALL SELECT 'allocation ' || child || ' ' || role || ' ' || start || ' ' || coalesce("end"::VARCHAR, 'open') FROM allocations ORDER BY 1`
	want := "allocation 00123 IRO 2023-03-01 2024-10-10; details 00123 2023-03-20 2023-03-25 2023-04-01"
	for _, dir := range []string{folders, oldFirst, newFirst, inReturn} {
		_, db, err := load(t, dir, 0.05)
		if err != nil {
			t.Fatal(err)
		}
		if got := strings.Join(column(t, db, q), "; "); got != want {
			t.Errorf("%s: %q, want %q", filepath.Base(dir), got, want)
		}
		w := strings.Join(column(t, db, "SELECT table_name || ' ' || check_name || ' ' || detail FROM load_warnings WHERE check_name LIKE 'record_twice%' ORDER BY 1"), "; ")
		wantW := map[string]string{
			folders:  "",
			inReturn: "allocations record_twice_states 2024-25/allocations.csv (collection year 2024-25); review_details record_twice_states 2024-25/review_details.csv (collection year 2024-25)",
		}[dir]
		if dir == oldFirst || dir == newFirst {
			wantW = "allocations record_twice_states allocations.csv; review_details record_twice_states review_details.csv"
		}
		if w != wantW {
			t.Errorf("%s: warnings %q", filepath.Base(dir), w)
		}
	}

	// As many dates filled, different values: the later row in the file,
	// with a warning.
	tie := t.TempDir()
	for n, c := range older {
		write(t, tie, n, c)
	}
	write(t, tie, "review_details.csv", "CHILD,REVIEW,MEETING_HELD,DECISIONS_ISSUED\n00123,20/03/2023,N,25/03/2023\n00123,20/03/2023,Y,25/03/2023\n")
	_, db, err := load(t, tie, 0.05)
	if err != nil {
		t.Fatal(err)
	}
	if got := strings.Join(column(t, db, "SELECT meeting_held::VARCHAR FROM review_details"), " "); got != "true" {
		t.Errorf("tie: meeting_held %q, want the later row's true", got)
	}
	if w := strings.Join(column(t, db, "SELECT check_name || ' ' || detail FROM load_warnings"), "; "); w != "record_twice_differing review_details.csv" {
		t.Errorf("tie: warnings %q", w)
	}
}

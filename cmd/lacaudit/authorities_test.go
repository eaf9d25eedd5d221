package main

import (
	"bufio"
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"

	"github.com/lacaudit/lacaudit/store"
)

// splitByAuthority writes each authority's rows of a sample's CSV files to
// a folder of its own (the LA column kept), and returns the folders by code.
func splitByAuthority(t *testing.T, in string, codes ...string) map[string]string {
	t.Helper()
	out := map[string]string{}
	files, err := filepath.Glob(filepath.Join(in, "*.csv"))
	if err != nil || len(files) == 0 {
		t.Fatalf("no CSV files in %s: %v", in, err)
	}
	for _, code := range codes {
		dir := t.TempDir()
		out[code] = dir
		for _, f := range files {
			b, err := os.ReadFile(f)
			if err != nil {
				t.Fatal(err)
			}
			var keep []string
			for i, line := range strings.SplitAfter(string(b), "\n") {
				if i == 0 || strings.HasPrefix(line, code+",") {
					keep = append(keep, line)
				}
			}
			if err := os.WriteFile(filepath.Join(dir, filepath.Base(f)), []byte(strings.Join(keep, "")), 0o600); err != nil {
				t.Fatal(err)
			}
		}
	}
	return out
}

// csvLines reads a CSV output's header and rows (its lines: no value of
// these files holds a line end).
func csvLines(t *testing.T, path string) (string, []string) {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	var lines []string
	for sc.Scan() {
		lines = append(lines, sc.Text())
	}
	if err := sc.Err(); err != nil || len(lines) == 0 {
		t.Fatalf("read %s: %v", path, err)
	}
	return strings.TrimPrefix(lines[0], "\uFEFF"), lines[1:]
}

// runInto runs the nightly job on in into a new folder and returns it.
func runInto(t *testing.T, in string, extra ...string) string {
	t.Helper()
	out := t.TempDir()
	r := lacaudit(t, append([]string{"run", "--input", in, "--out", out, "--as-of", "2026-10-30"}, extra...)...)
	if r.code != 0 {
		t.Fatalf("run on %s: exit %d: %s", in, r.code, r.stderr)
	}
	return out
}

// Two authorities with the same child ids stay apart in every output: the
// audit of their joint extract is the audit of each alone, row for row,
// each row with its la.
func TestTwoAuthoritiesStayApart(t *testing.T) {
	in := t.TempDir()
	if r := lacaudit(t, "sample", "--children", "240", "--authorities", "2", "--seed", "5", "--extract-date", "2026-10-30", "--out", in); r.code != 0 {
		t.Fatal(r.stderr)
	}
	alone := splitByAuthority(t, in, "101", "102")
	if r := lacaudit(t, "check", "--input", in, "--as-of", "2026-10-30"); r.code != 0 || !strings.Contains(r.stdout, "2 authorities: LA 101, LA 102;") {
		t.Errorf("check: exit %d, does not name the authorities:\n%s", r.code, r.stdout)
	}
	both := runInto(t, in)
	head, rows := csvLines(t, filepath.Join(both, "findings.csv"))
	if want := "rule,child,period_start,due,done,status,days_late,team,social_worker,iro,la"; head != want {
		t.Fatalf("findings.csv header %q, want %q", head, want)
	}
	var union []string
	outs := map[string]string{}
	for _, code := range []string{"101", "102"} {
		outs[code] = runInto(t, alone[code])
		h, r := csvLines(t, filepath.Join(outs[code], "findings.csv"))
		if h != head {
			t.Fatalf("%s alone: header %q", code, h)
		}
		union = append(union, r...)
	}
	// The joint file is ordered by rule, then authority, then child.
	key := func(line string) string {
		f := strings.Split(line, ",")
		return f[0] + "," + f[len(f)-1] + "," + f[1]
	}
	if !slices.IsSortedFunc(rows, func(a, b string) int { return strings.Compare(key(a), key(b)) }) {
		t.Error("findings.csv is not ordered by rule, la, child")
	}
	slices.Sort(union)
	sorted := slices.Clone(rows)
	slices.Sort(sorted)
	if !slices.Equal(sorted, union) {
		t.Errorf("the joint audit's %d findings are not the two authorities' %d", len(sorted), len(union))
		for i := 0; i < min(len(sorted), len(union)); i++ {
			if sorted[i] != union[i] {
				t.Fatalf("first difference: joint %q, alone %q", sorted[i], union[i])
			}
		}
	}
	// The sample's ids overlap: some child has findings in both.
	las := map[string]map[string]bool{}
	for _, r := range rows {
		f := strings.Split(r, ",")
		if las[f[1]] == nil {
			las[f[1]] = map[string]bool{}
		}
		las[f[1]][f[len(f)-1]] = true
	}
	shared := 0
	for _, m := range las {
		if len(m) == 2 {
			shared++
		}
	}
	if shared == 0 {
		t.Error("no child id has findings in both authorities: the test proves nothing")
	}

	workbookApart(t, both, outs)
	annualApart(t, in, alone)

	// A pseudonymised run keeps the LA code; the child is its pseudonym,
	// and the findings are the same but for it.
	pseud := runInto(t, in, "--pseudonymise", "--pseudonymise-key-file", newKey(t))
	_, prows := csvLines(t, filepath.Join(pseud, "findings.csv"))
	withoutChild := func(rows []string) []string {
		var out []string
		for _, r := range rows {
			f := strings.Split(r, ",")
			out = append(out, f[0]+","+strings.Join(f[2:7], ",")+","+f[10])
		}
		slices.Sort(out)
		return out
	}
	for _, r := range prows {
		if f := strings.Split(r, ","); !strings.HasPrefix(f[1], "C-") {
			t.Fatalf("pseudonymised row %q: the child is not a pseudonym", r)
		}
	}
	if !slices.Equal(withoutChild(prows), withoutChild(rows)) {
		t.Error("the pseudonymised run's findings, child apart, are not the run's: an LA code was lost or two children merged")
	}
	// Its shared database keeps the codes and the pairs, never a raw id.
	db, err := store.Open(context.Background(), filepath.Join(pseud, "lacaudit.duckdb"), store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	for q, want := range map[string]int{
		"SELECT count(*) FROM authorities": 2,
		"SELECT count(*) FROM findings WHERE NOT regexp_full_match(child, '10[12]:C-[0-9a-f]{16}')": 0,
		"SELECT count(*) FROM header WHERE NOT regexp_full_match(child, '10[12]:C-[0-9a-f]{16}')":   0,
		"SELECT count(*) FROM header WHERE la <> substr(child, 1, 3)":                               0,
		"SELECT (count(DISTINCT substr(child, 5)) < count(DISTINCT child))::INTEGER FROM header":    1,
	} {
		var n int
		if err := db.QueryRowContext(context.Background(), q).Scan(&n); err != nil || n != want {
			t.Errorf("shared database: %s: %d (%v), want %d", q, n, err, want)
		}
	}
	db.Close()

	// Its workbook has the same figures by authority, and the lists the codes.
	psheets, jsheets := sheetsOf(t, filepath.Join(pseud, "latest.xlsx")), sheetsOf(t, filepath.Join(both, "latest.xlsx"))
	if !slices.EqualFunc(psheets["By authority"], jsheets["By authority"], slices.Equal) {
		t.Error("the pseudonymised workbook's By authority sheet is not the run's")
	}
	if list, ok := listAfter(psheets["Action list"], "LA", "Child"); !ok || len(list) == 0 || (list[0][0] != "101" && list[0][0] != "102") || !strings.HasPrefix(list[0][1], "C-") {
		t.Errorf("the pseudonymised Action list does not show the LA code and the child's pseudonym: %q", list)
	}

	// LibreOffice opens the joint workbook, By authority and all.
	if _, err := exec.LookPath("soffice"); err == nil || os.Getenv("LACAUDIT_REQUIRE_SOFFICE") != "" {
		conv := t.TempDir()
		if err := sofficeCSV(filepath.Join(both, "latest.xlsx"), conv); err != nil {
			t.Fatal(err)
		}
		b, err := os.ReadFile(filepath.Join(conv, "latest-By authority.csv"))
		if err != nil || !strings.Contains(string(b), "LA 101") {
			t.Errorf("LibreOffice did not read the By authority sheet: %v", err)
		}
	}
}

// listAfter is the rows of the first table of rows whose header starts
// with first (and second, when given), down to its first empty row.
func listAfter(rows [][]string, first, second string) ([][]string, bool) {
	for i, r := range rows {
		if len(r) > 1 && r[0] == first && (second == "" || r[1] == second) {
			var out [][]string
			for _, d := range rows[i+1:] {
				if len(d) == 0 || d[0] == "" {
					break
				}
				if len(d) == 1 && d[0] == "None." { // an empty table
					continue
				}
				out = append(out, d)
			}
			return out, true
		}
	}
	return nil, false
}

// joined is rows as lines, sorted, each prefixed with prefix.
func joined(rows [][]string, prefix string) []string {
	var out []string
	for _, r := range rows {
		out = append(out, prefix+strings.Join(r, "|"))
	}
	slices.Sort(out)
	return out
}

// workbookApart checks the joint run's workbook against each authority's
// own: every list is the two authorities' lists, each row with its LA
// column, and the By authority sheet gives each authority's Summary
// figures, and all of them together the joint Summary's.
func workbookApart(t *testing.T, both string, alone map[string]string) {
	t.Helper()
	joint := sheetsOf(t, filepath.Join(both, "latest.xlsx"))
	single := map[string]map[string][][]string{}
	for code, dir := range alone {
		single[code] = sheetsOf(t, filepath.Join(dir, "latest.xlsx"))
		if _, ok := single[code]["By authority"]; ok {
			t.Errorf("one authority's workbook has a By authority sheet")
		}
	}
	// Each list's header, alone and joint, and where the LA column goes.
	lists := []struct {
		sheet, first, second, jointFirst, jointSecond string
		at                                            int
	}{
		{"Action list", "Child", "Review", "LA", "Child", 0},
		{"Reviews", "Obligation", "Child", "Obligation", "LA", 1},
		{"Plans and education", "Obligation", "Child", "Obligation", "LA", 1},
		{"Health and visits", "Obligation", "Child", "Obligation", "LA", 1},
		{"Warnings", "Table", "Warning", "Table", "Warning", 2},
	}
	for _, l := range lists {
		var want []string
		for code, sh := range single {
			rows, ok := listAfter(sh[l.sheet], l.first, l.second)
			if !ok {
				t.Fatalf("%s alone: no list on %s", code, l.sheet)
			}
			for _, r := range rows {
				for len(r) < l.at {
					r = append(r, "")
				}
				withLA := append(append(append([]string{}, r[:l.at]...), code), r[l.at:]...)
				want = append(want, strings.Join(withLA, "|"))
			}
		}
		slices.Sort(want)
		rows, ok := listAfter(joint[l.sheet], l.jointFirst, l.jointSecond)
		if !ok {
			t.Fatalf("joint workbook: no list on %s headed %s, %s", l.sheet, l.jointFirst, l.jointSecond)
		}
		got := joined(rows, "")
		if len(want) == 0 {
			t.Fatalf("%s: both authorities' lists are empty: the test proves nothing", l.sheet)
		}
		if !slices.Equal(got, want) {
			t.Errorf("%s: the joint list's %d rows are not the authorities' %d", l.sheet, len(got), len(want))
		}
	}
	// By team and By IRO: each authority's teams and workers apart, the
	// authority's code before the name.
	groups := []struct{ sheet, first, second string }{
		{"By team", "Team", "Children now"}, {"By team", "Social worker", "Team"}, {"By IRO", "IRO", "Children now"},
	}
	for _, g := range groups {
		var want []string
		for code, sh := range single {
			rows, ok := listAfter(sh[g.sheet], g.first, g.second)
			if !ok {
				t.Fatalf("%s alone: no %s table on %s", code, g.first, g.sheet)
			}
			for _, r := range rows {
				want = append(want, code+" "+strings.Join(r, "|"))
			}
		}
		slices.Sort(want)
		rows, ok := listAfter(joint[g.sheet], g.first, g.second)
		if !ok || len(want) == 0 {
			t.Fatalf("joint workbook: no %s table on %s, or nothing to compare", g.first, g.sheet)
		}
		if got := joined(rows, ""); !slices.Equal(got, want) {
			t.Errorf("%s, %s: the joint table's %d rows are not the authorities' %d", g.sheet, g.first, len(got), len(want))
		}
	}
	if r, ok := listAfter(joint["Method"], "Item", "Value"); !ok || !slices.ContainsFunc(r, func(r []string) bool {
		return r[0] == "Authorities (LA)" && strings.HasPrefix(at(r, 1), "2: 101, 102")
	}) {
		t.Error("the Method sheet does not list the authorities")
	}
	// Each share with a target is coloured red, amber or green, on every
	// authority's cell and the total's (D, F and H; E, G and I are "x of y").
	wb, err := excelize.OpenFile(filepath.Join(both, "latest.xlsx"))
	if err != nil {
		t.Fatal(err)
	}
	cf, err := wb.GetConditionalFormats("By authority")
	wb.Close()
	if err != nil {
		t.Fatal(err)
	}
	targets := 0
	for i, r := range joint["By authority"] {
		if at(r, 1) != "" && at(r, 1) != "Green from" {
			targets++
			for _, c := range "DFH" {
				if _, ok := cf[fmt.Sprintf("%c%d", c, i+1)]; !ok {
					t.Errorf("By authority: %q, column %c, is not coloured against its target", r[0], c)
				}
			}
		}
	}
	if targets < 10 || len(cf) != 3*targets {
		t.Errorf("By authority: %d figures with a target, %d coloured ranges", targets, len(cf))
	}
	table, ok := listAfter(joint["By authority"], "Figure", "Green from")
	if !ok {
		t.Fatal("no By authority sheet in the joint workbook")
	}
	var by [][]string
	for _, r := range table {
		if len(r) > 1 { // the note beneath is one cell
			by = append(by, r)
		}
	}
	// A figure of the Summary: its value, "x of y" and link to the detail.
	type fig struct{ value, of, detail string }
	summary := func(sh map[string][][]string) map[string]fig {
		rows, ok := listAfter(sh["Summary"], "Figure", "Value")
		if !ok {
			t.Fatal("no headline figures on the Summary")
		}
		m := map[string]fig{}
		for _, r := range rows {
			if len(r) > 1 { // the notes beneath are one cell
				m[r[0]] = fig{r[1], at(r, 2), at(r, 5)}
			}
		}
		return m
	}
	if h := joint["By authority"]; !slices.ContainsFunc(h, func(r []string) bool {
		return slices.Equal(r, []string{"Figure", "Green from", "Amber from", "LA 101", "LA 101 of", "LA 102", "LA 102 of", "All", "All of", "Detail"})
	}) {
		t.Error("By authority: no header Figure, targets, each LA's share and its x of y, All, Detail")
	}
	jointSummary := summary(joint)
	says := func(sh map[string][][]string) bool {
		return slices.ContainsFunc(sh["Summary"], func(r []string) bool {
			return strings.HasPrefix(at(r, 0), "By authority: the figures above for each of the 2 authorities of the extract (101, 102)")
		})
	}
	if !says(joint) || says(single["101"]) {
		t.Error("the Summary does not point to By authority, or one authority's does")
	}
	if len(by) != len(jointSummary) {
		t.Errorf("By authority has %d figures, the Summary %d", len(by), len(jointSummary))
	}
	for i, code := range []string{"101", "102"} {
		s := summary(single[code])
		for _, r := range by {
			if got, want := (fig{at(r, 3+2*i), at(r, 4+2*i), s[r[0]].detail}), s[r[0]]; got != want {
				t.Errorf("By authority, %s, LA %s: %q, its own Summary %q", r[0], code, got, want)
			}
		}
	}
	ofs := 0
	for _, r := range by {
		if got, want := (fig{at(r, 7), at(r, 8), at(r, 9)}), jointSummary[r[0]]; got != want {
			t.Errorf("By authority, %s, All: %q, the Summary %q", r[0], got, want)
		}
		if strings.Contains(at(r, 4), " of ") {
			ofs++
		}
	}
	if ofs < 10 {
		t.Errorf("By authority: %d shares with an x of y", ofs)
	}
	// The links go where the Summary's go.
	links := 0
	for i, r := range joint["By authority"] {
		if strings.HasPrefix(at(r, 9), "See ") {
			wb, err := excelize.OpenFile(filepath.Join(both, "latest.xlsx"))
			if err != nil {
				t.Fatal(err)
			}
			ok, target, err := wb.GetCellHyperLink("By authority", fmt.Sprintf("J%d", i+1))
			wb.Close()
			if want := "'" + strings.TrimPrefix(r[9], "See ") + "'!A1"; err != nil || !ok || target != want {
				t.Errorf("By authority row %d: link %v %q (%v), want %q", i+1, ok, target, err, want)
			}
			links++
			break // one is enough: they are made alike
		}
	}
	if links == 0 {
		t.Error("By authority: no link to a detail sheet")
	}
}

// at is r[i], or empty past the row's last cell.
func at(r []string, i int) string {
	if i < len(r) {
		return r[i]
	}
	return ""
}

// annualApart checks the joint annual report against each authority's
// own: its By authority tables are each authority's Overview and
// Timeliness by review, with the authority's code in the first column.
func annualApart(t *testing.T, in string, alone map[string]string) {
	t.Helper()
	annual := func(in string) map[string][][]string {
		out := t.TempDir()
		if r := lacaudit(t, "annual", "--year", "2025", "--input", in, "--out", out, "--as-of", "2026-10-30"); r.code != 0 {
			t.Fatalf("annual on %s: exit %d: %s", in, r.code, r.stderr)
		}
		return sheetsOf(t, filepath.Join(out, "lacaudit-annual-2025-26.xlsx"))
	}
	joint := annual(in)
	own := map[string]map[string][][]string{}
	for code, dir := range alone {
		own[code] = annual(dir)
	}
	// The IRO caseloads: each authority's IROs apart, its code before the name.
	var want []string
	for code, sh := range own {
		rows, ok := listAfter(sh["IRO caseloads"], "IRO", "")
		if !ok {
			t.Fatalf("%s alone: no IRO caseloads", code)
		}
		for _, r := range rows {
			want = append(want, code+" "+strings.Join(r, "|"))
		}
	}
	slices.Sort(want)
	rows, ok := listAfter(joint["IRO caseloads"], "IRO", "")
	if got := joined(rows, ""); !ok || len(want) == 0 || !slices.Equal(got, want) {
		t.Errorf("IRO caseloads: the joint report's %d rows are not the authorities' %d", len(got), len(want))
	}
	tables := []struct{ sheet, first, second, heading string }{
		{"Overview", "Figure", "2025-26", "By authority"},
		{"Timeliness", "Reviews", "Due in the year", "By review and authority"},
	}
	// The authority is the first column of every table of these sheets
	// (a label, read before the figures); all of them together are "All".
	for _, tb := range tables {
		if _, ok := listAfter(joint[tb.sheet], "Authority", tb.first); !ok {
			t.Errorf("joint annual report, %s: no table whose first column is the Authority", tb.sheet)
		}
		if rows, ok := listAfter(joint[tb.sheet], "Authority", tb.first); ok && (len(rows) == 0 || rows[0][0] != "All") {
			t.Errorf("joint annual report, %s: the first table is not all the authorities': %q", tb.sheet, rows)
		}
	}
	for _, tb := range tables {
		var want []string
		for code, sh := range own {
			rows, ok := listAfter(sh[tb.sheet], tb.first, tb.second)
			if !ok {
				t.Fatalf("%s alone: no table on %s", code, tb.sheet)
			}
			for _, r := range rows {
				if len(r) < 2 { // the notes beneath
					continue
				}
				// Alone, the timeliness rows name the timescale in force.
				r[0], _, _ = strings.Cut(r[0], " (")
				want = append(want, code+"|"+strings.Join(r, "|"))
			}
		}
		slices.Sort(want)
		if len(want) == 0 {
			t.Fatalf("%s: the authorities' own tables are empty: the test proves nothing", tb.sheet)
		}
		var sub [][]string
		for i, r := range joint[tb.sheet] {
			if len(r) == 1 && r[0] == tb.heading {
				sub = joint[tb.sheet][i:]
			}
		}
		rows, ok := listAfter(sub, "Authority", tb.first)
		if !ok {
			t.Fatalf("joint annual report: no %s table on %s", tb.heading, tb.sheet)
		}
		var got []string
		for _, r := range rows {
			if len(r) > 2 {
				r[1], _, _ = strings.Cut(r[1], " (")
				got = append(got, strings.Join(r, "|"))
			}
		}
		slices.Sort(got)
		if !slices.Equal(got, want) {
			t.Errorf("%s, %s: the joint report's %d rows are not the authorities' own %d:\n%q\n%q", tb.sheet, tb.heading, len(got), len(want), got, want)
		}
	}
}

// A record whose LA code no row of header carries (a wrong code on one
// review) is a warning naming the code, not an authority: the By
// authority sheet has no column for it but a line saying so, the Summary
// and the annual report count two authorities.
func TestStrayAuthorityCode(t *testing.T) {
	in := t.TempDir()
	if r := lacaudit(t, "sample", "--children", "200", "--authorities", "2", "--seed", "5", "--extract-date", "2026-10-30", "--out", in); r.code != 0 {
		t.Fatal(r.stderr)
	}
	path := filepath.Join(in, "reviews.csv")
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.SplitAfter(string(b), "\n")
	if !strings.HasPrefix(lines[4], "101,") {
		t.Fatalf("reviews.csv line 5: %q", lines[4])
	}
	lines[4] = "103," + strings.TrimPrefix(lines[4], "101,")
	if err := os.WriteFile(path, []byte(strings.Join(lines, "")), 0o600); err != nil {
		t.Fatal(err)
	}
	out := runInto(t, in)
	sh := sheetsOf(t, filepath.Join(out, "latest.xlsx"))
	contains := func(sheet, text string) bool {
		return slices.ContainsFunc(sh[sheet], func(r []string) bool {
			return slices.ContainsFunc(r, func(c string) bool { return strings.Contains(c, text) })
		})
	}
	if !contains("Warnings", "record of LA 103, which no row of header carries") {
		t.Error("the Warnings sheet does not name the stray code 103")
	}
	if !contains("Data quality", "1 record of LA 103") && !contains("Data quality", "record of LA 103") {
		t.Error("the Data quality sheet does not count the stray code's records")
	}
	if contains("By authority", "LA 103 of") || contains("By authority", "no data") {
		t.Error("By authority shows the stray code as an authority, or an empty column")
	}
	if !contains("By authority", "LA 103 is not an authority of the extract: no row of header carries it, yet 1 record of other tables do") {
		t.Error("By authority does not say that LA 103 is no authority")
	}
	if !contains("Summary", "each of the 2 authorities of the extract (101, 102)") {
		t.Error("the Summary counts the stray code as an authority")
	}
	ann := t.TempDir()
	if r := lacaudit(t, "annual", "--year", "2025", "--input", in, "--out", ann, "--as-of", "2026-10-30"); r.code != 0 {
		t.Fatalf("annual: exit %d: %s", r.code, r.stderr)
	}
	as := sheetsOf(t, filepath.Join(ann, "lacaudit-annual-2025-26.xlsx"))
	for _, sheet := range []string{"Overview", "Timeliness"} {
		for _, r := range as[sheet] {
			if at(r, 0) == "103" {
				t.Errorf("annual report, %s: a row of the stray code 103: %q", sheet, r)
				break
			}
		}
	}
	// Print titles: only a sheet of one long table repeats its header on
	// each printed page; the sheets of several tables, or of one short
	// table and notes, repeat none.
	titles := printTitles(t, filepath.Join(out, "latest.xlsx"))
	for sheet := range titles {
		if !slices.Contains([]string{"Reviews", "Plans and education", "Health and visits", "Action list", "Warnings", "After-review records", "Allocation", "Placements and disruption"}, sheet) {
			t.Errorf("nightly %s repeats a header on printed pages: %s", sheet, titles[sheet])
		}
	}
	if len(titles) == 0 {
		t.Error("no list of the nightly workbook repeats its header on printed pages")
	}
	if titles := printTitles(t, filepath.Join(ann, "lacaudit-annual-2025-26.xlsx")); len(titles) != 0 {
		t.Errorf("the annual report's sheets of several tables repeat a header on printed pages: %v", titles)
	}
}

// printTitles is each sheet's repeated print rows in the workbook at path.
func printTitles(t *testing.T, path string) map[string]string {
	t.Helper()
	wb, err := excelize.OpenFile(path)
	if err != nil {
		t.Fatal(err)
	}
	defer wb.Close()
	out := map[string]string{}
	for _, d := range wb.GetDefinedName() {
		if d.Name == "_xlnm.Print_Titles" {
			out[d.Scope] = d.RefersTo
		}
	}
	return out
}

package main

import (
	"context"
	"encoding/csv"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/lacaudit/lacaudit/store"
)

// readFindings returns findings.csv's rows (without its header) in out.
func readFindings(t *testing.T, out string) [][]string {
	t.Helper()
	f, err := os.Open(filepath.Join(out, "findings.csv"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	rows, err := csv.NewReader(f).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	return rows[1:]
}

// sample writes a synthetic extract with the given extra flags into a new
// folder and returns it.
func sample(t *testing.T, args ...string) string {
	t.Helper()
	dir := filepath.Join(t.TempDir(), "extract")
	if r := lacaudit(t, append([]string{"sample", "--out", dir}, args...)...); r.code != 0 {
		t.Fatalf("sample: exit %d: %s", r.code, r.stderr)
	}
	return dir
}

func runOK(t *testing.T, args ...string) result {
	t.Helper()
	r := lacaudit(t, args...)
	if r.code != 0 {
		t.Fatalf("%s: exit %d: %s", args[0], r.code, r.stderr)
	}
	return r
}

// multiset counts rows, each joined into one string.
func multiset(rows [][]string) map[string]int {
	m := map[string]int{}
	for _, r := range rows {
		m[strings.Join(r, ",")]++
	}
	return m
}

// diffRows lists the rows of a that b lacks (as many times as it lacks them).
func diffRows(a, b map[string]int) []string {
	var out []string
	for k, n := range a {
		for i := b[k]; i < n; i++ {
			out = append(out, k)
		}
	}
	sort.Strings(out)
	return out
}

// The audit of N consecutive returns cut by sample --returns equals the
// audit of the full history they were cut from, for every obligation due
// within the years the returns cover, with one exception the cut
// genuinely hides: a period of care that began before the first return's
// 1 April (W). The returns hold the episodes open on that day with their
// original start, but neither that period's earlier episodes nor its
// reviews before the first return, so its period start and its review chain
// are not the full history's: its first review in the returns is due by W
// + 183 days (RULES.md §2.2). Those obligations are compared apart: they
// must differ somewhere (or the test would not show the exception is
// real), and everything else must be equal, row for row. The children
// overdue for a review now must be the same, among them a child in care
// through every return whose reviews in them are taken out.
// findings.csv columns: rule, child, period_start, due, ...
func TestReturnsAuditEqualsFullHistory(t *testing.T) {
	for _, c := range []struct {
		seed, returns, first, firstDue string
	}{
		{"1", "3", "2024-04-01", "2024-10-01"},
		{"5", "4", "2023-04-01", "2023-10-01"},
	} {
		t.Run("seed "+c.seed+" returns "+c.returns, func(t *testing.T) {
			common := []string{"--children", "200", "--seed", c.seed, "--extract-date", "2026-10-30", "--years", "6"}
			full := sample(t, common...)
			rets := sample(t, append(common, "--returns", c.returns)...)
			for _, d := range []string{"2023-24", "2024-25", "2025-26", "2026-27"} {
				_, err := os.Stat(filepath.Join(rets, d))
				if want := d >= c.first[:4]; (err == nil) != want {
					t.Errorf("folder %s exists %v, want %v", d, err == nil, want)
				}
			}
			// One child in care throughout, never reviewed in a return.
			never := neverReviewed(t, full, rets, c.first)
			outFull, outRets := t.TempDir(), t.TempDir()
			runOK(t, "run", "--input", full, "--as-of", "2026-10-30", "--out", outFull)
			runOK(t, "run", "--input", rets, "--as-of", "2026-10-30", "--out", outRets)
			split := func(rows [][]string) (kept, earlier [][]string) {
				for _, r := range rows {
					switch {
					case r[3] < c.first: // due before the returns: not covered
					case r[2] >= c.first:
						kept = append(kept, r)
					default:
						earlier = append(earlier, r)
					}
				}
				return kept, earlier
			}
			fk, fe := split(readFindings(t, outFull))
			rk, re := split(readFindings(t, outRets))
			if len(fk) < 1000 {
				t.Fatalf("only %d obligations compared: the sample is too small to show anything", len(fk))
			}
			a, b := multiset(rk), multiset(fk)
			if d := diffRows(a, b); len(d) > 0 {
				t.Errorf("%d obligations of the returns not in the full history, such as %v", len(d), d[:min(5, len(d))])
			}
			if d := diffRows(b, a); len(d) > 0 {
				t.Errorf("%d obligations of the full history not in the returns, such as %v", len(d), d[:min(5, len(d))])
			}
			// The exception is real: the periods begun before the first
			// return do not come out the same.
			if len(fe) == 0 || len(diffRows(multiset(fe), multiset(re))) == 0 {
				t.Errorf("periods begun before %s: %d obligations, all equal; the exception is not shown", c.first, len(fe))
			}
			// But the children overdue for a review now are the same: a
			// period begun before the returns has a review due by their
			// first day + 183 days (RULES.md §2.2), so a child in care
			// through every return with no review in any is overdue from
			// the returns as from the full history.
			overdue := func(rows [][]string) map[string]bool {
				m := map[string]bool{}
				for _, r := range rows {
					if strings.HasPrefix(r[0], "REV_") && r[5] == "overdue" {
						m[r[1]] = true
					}
				}
				return m
			}
			fo, ro := overdue(append(fk, fe...)), overdue(append(rk, re...))
			for child := range fo {
				if !ro[child] {
					t.Errorf("child %s is overdue for a review in the full history, not from the returns", child)
				}
			}
			for child := range ro {
				if !fo[child] {
					t.Errorf("child %s is overdue for a review from the returns, not in the full history", child)
				}
			}
			found := false
			for _, r := range re {
				found = found || r[1] == never && r[0] == "REV_SUBSEQUENT" && r[3] == c.firstDue && r[4] == "" && r[5] == "overdue"
			}
			if !found || !fo[never] {
				t.Errorf("child %s, in care through every return and never reviewed in one: overdue from the returns from %s %v, in the full history %v",
					never, c.firstDue, found, fo[never])
			}
		})
	}
}

// neverReviewed picks a child looked after in one period of care from
// before first (yyyy-mm-dd) to the extract date, outside short breaks and
// adoption, and takes out its reviews on or after first from the full
// history and every review from the returns: in care through every return,
// never reviewed in one. It returns the child.
func neverReviewed(t *testing.T, full, rets, first string) string {
	t.Helper()
	eps := readCSV(t, filepath.Join(full, "episodes.csv"))
	col := columns(eps[0])
	ok, seen := map[string]bool{}, map[string]bool{}
	var order []string
	for _, r := range eps[1:] {
		c := r[col["CHILD"]]
		if !seen[c] {
			seen[c], ok[c] = true, isoDay(r[col["DECOM"]]) < first
			order = append(order, c)
		}
		open := r[col["DEC"]] == ""
		ok[c] = ok[c] && (open || r[col["REC"]] == "X1") && !strings.HasPrefix(r[col["LS"]], "V") &&
			!strings.Contains("A3 A4 A5 A6", r[col["PLACE"]])
		if open { // the last episode: no episode may follow it
			seen[c+"\x00open"] = true
		} else if seen[c+"\x00open"] {
			ok[c] = false
		}
	}
	child := ""
	for _, c := range order {
		if ok[c] && seen[c+"\x00open"] {
			child = c
			break
		}
	}
	if child == "" {
		t.Fatal("no child in care throughout the returns in the sample")
	}
	drop := func(path, from string) {
		rows := readCSV(t, path)
		col := columns(rows[0])
		out := rows[:1]
		for _, r := range rows[1:] {
			if r[col["CHILD"]] != child || isoDay(r[col["REVIEW"]]) < from {
				out = append(out, r)
			}
		}
		writeCSV(t, path, out)
	}
	drop(filepath.Join(full, "reviews.csv"), first)
	years, _ := filepath.Glob(filepath.Join(rets, "*", "reviews.csv"))
	for _, y := range years {
		drop(y, "")
	}
	return child
}

func readCSV(t *testing.T, path string) [][]string {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	rows, err := csv.NewReader(f).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	return rows
}

func writeCSV(t *testing.T, path string, rows [][]string) {
	t.Helper()
	var b strings.Builder
	w := csv.NewWriter(&b)
	if err := w.WriteAll(rows); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, []byte(b.String()), 0o600); err != nil {
		t.Fatal(err)
	}
}

func columns(head []string) map[string]int {
	m := map[string]int{}
	for i, h := range head {
		m[strings.ToUpper(strings.TrimPrefix(h, "\ufeff"))] = i
	}
	return m
}

// isoDay turns the sample's dd/mm/yyyy into yyyy-mm-dd, to compare as text.
func isoDay(d string) string {
	if len(d) == 10 && d[2] == '/' {
		return d[6:] + "-" + d[3:5] + "-" + d[:2]
	}
	return d
}

// The annual report's year-before column from the returns equals the full
// history's. From two returns (the year and the year before) every count
// and snapshot of the year before is equal, and so is the whole of this
// year's column; the year before's review timeliness is not known (its
// reviews due early in the year hang on reviews before 1 April, in the
// return before, which is not there): it is n/a, with no change, and the
// Overview says why. From three returns the whole Overview is equal.
func TestAnnualYearBeforeFromReturns(t *testing.T) {
	common := []string{"--children", "150", "--seed", "1", "--extract-date", "2026-03-31", "--years", "6"}
	var notes string
	overview := func(in string) map[string][]string {
		out := t.TempDir()
		runOK(t, "annual", "--year", "2025", "--as-of", "2026-03-31", "--input", in, "--out", out)
		method := sheetText(t, filepath.Join(out, "lacaudit-annual-2025-26.xlsx"), "Method")
		if _, err := os.Stat(filepath.Join(in, "2025-26")); err == nil && !strings.Contains(method, "2025-26\treviews\t2025-26/reviews.csv\t") {
			t.Errorf("the annual report's Method sheet does not list the returns:\n%s", clipText(method))
		}
		rows := map[string][]string{}
		notes = sheetText(t, filepath.Join(out, "lacaudit-annual-2025-26.xlsx"), "Overview")
		for _, line := range strings.Split(notes, "\n") {
			// A row without a change ends at the year before (no empty cell).
			f := strings.Split(line, "\t")
			if len(f) == 3 || len(f) == 4 {
				rows[strings.TrimSpace(f[0])] = append(f[1:], "")[:3]
			}
		}
		return rows
	}
	full := overview(sample(t, common...))
	three := overview(sample(t, append(common, "--returns", "3")...))
	if strings.Contains(notes, "n/a") {
		t.Errorf("three returns: the Overview has a figure not available:\n%s", clipText(notes))
	}
	two := overview(sample(t, append(common, "--returns", "2")...))
	if !strings.Contains(notes, "2024-25's review timeliness is not available (no return before 2024-25)") {
		t.Errorf("two returns: the Overview does not say why the year before's timeliness is not shown:\n%s", clipText(notes))
	}
	if len(full) < 15 {
		t.Fatalf("the Overview has %d figures: %v", len(full), full)
	}
	chain := map[string]bool{
		"Reviews in timescale (obligations due in the year)": true, "initial reviews": true, "second reviews": true,
		"subsequent reviews": true, "Permanence plan by the second review": true,
	}
	differ := 0
	for name, f := range full {
		if got := three[name]; strings.Join(got, "|") != strings.Join(f, "|") {
			t.Errorf("three returns: %s is %v, full history %v", name, got, f)
		}
		got := two[name]
		if len(got) != 3 {
			t.Errorf("two returns: no %s", name)
			continue
		}
		if got[0] != f[0] {
			t.Errorf("two returns: this year's %s is %s, full history %s", name, got[0], f[0])
		}
		switch {
		case chain[name]:
			if got[1] != "n/a" || got[2] != "" {
				t.Errorf("two returns: the year before's %s is %q, change %q; want n/a and no change", name, got[1], got[2])
			}
			differ++
		case got[1] != f[1]:
			t.Errorf("two returns: the year before's %s is %s, full history %s", name, got[1], f[1])
		}
	}
	if differ != len(chain) {
		t.Errorf("two returns: %d of the %d timeliness figures found", differ, len(chain))
	}
}

// From a folder of returns, a year no return covers is refused as a plain
// folder's uncovered year is (exit 3), and a year whose year before no
// return covers shows none of the year before's figures, nor its own
// review timeliness (the first return's year): n/a with the reason, no
// change. Its counts stay.
func TestAnnualFromReturnsNotAvailable(t *testing.T) {
	in := sample(t, "--children", "150", "--seed", "1", "--extract-date", "2026-03-31", "--years", "6", "--returns", "2")
	r := lacaudit(t, "annual", "--year", "2023", "--as-of", "2026-03-31", "--input", in, "--out", t.TempDir())
	if want := "no return in the folder covers 2023-24 (1 April 2023 to 31 March 2024): its returns are 2024-25 to 2025-26"; r.code != 3 || !strings.Contains(r.stderr, want) {
		t.Errorf("annual --year 2023 from the returns 2024-25 and 2025-26: exit %d, %q; want exit 3 saying %q", r.code, r.stderr[strings.LastIndex(strings.TrimRight(r.stderr, "\n"), "\n")+1:], want)
	}
	out := t.TempDir()
	runOK(t, "annual", "--year", "2024", "--as-of", "2026-03-31", "--input", in, "--out", out)
	text := sheetText(t, filepath.Join(out, "lacaudit-annual-2024-25.xlsx"), "Overview")
	rows := map[string][]string{}
	for _, line := range strings.Split(text, "\n") {
		if f := strings.Split(line, "\t"); len(f) == 3 || len(f) == 4 {
			rows[strings.TrimSpace(f[0])] = append(f[1:], "")[:3]
		}
	}
	for _, name := range []string{"Children looked after during the year", "Reviews held", "Reviews in timescale (obligations due in the year)", "second reviews"} {
		got := rows[name]
		if len(got) != 3 || got[1] != "n/a" || got[2] != "" {
			t.Errorf("%s: %q; want 2023-24 n/a and no change", name, got)
		}
	}
	if got := rows["Reviews held"]; len(got) != 3 || got[0] == "n/a" || got[0] == "" || got[0] == "0" {
		t.Errorf("Reviews held in 2024-25: %q; want the count the 2024-25 return gives", got)
	}
	if got := rows["Reviews in timescale (obligations due in the year)"]; len(got) != 3 || got[0] != "n/a" {
		t.Errorf("2024-25's timeliness: %q; want n/a (the first return's year)", got)
	}
	for _, want := range []string{"2023-24 is not available (no return before 2024-25)", "2024-25's review timeliness is not available (no return before 2024-25)"} {
		if !strings.Contains(text, want) {
			t.Errorf("the Overview does not say %q:\n%s", want, clipText(text))
		}
	}
	timeliness := sheetText(t, filepath.Join(out, "lacaudit-annual-2024-25.xlsx"), "Timeliness")
	if !strings.Contains(timeliness, "All looked-after reviews\tn/a\tn/a\tn/a") || !strings.Contains(timeliness, "not available (no return before 2024-25)") {
		t.Errorf("the Timeliness sheet of the first return's year shows its timeliness:\n%s", clipText(timeliness))
	}
}

// Two returns one after the other in one folder's files (a regional
// extract that appends each year's return): read as the folder of the same
// two returns is, because the episode open in the older return and ended in
// the newer is the ended one (without that rule the open row won, and the
// sample's overdue reviews rose), with a warning each; but for the periods
// begun before the first return, which only the folder of returns can
// date.
func TestTwoReturnsInOneFile(t *testing.T) {
	rets := sample(t, "--children", "150", "--seed", "1", "--extract-date", "2026-10-30", "--returns", "2")
	core := []string{"header", "episodes", "reviews"}
	split, joined := filepath.Join(t.TempDir(), "returns"), filepath.Join(t.TempDir(), "joined")
	for _, table := range core {
		var all []byte
		for i, year := range []string{"2025-26", "2026-27"} {
			b, err := os.ReadFile(filepath.Join(rets, year, table+".csv"))
			if err != nil {
				t.Fatal(err)
			}
			os.MkdirAll(filepath.Join(split, year), 0o700)
			if err := os.WriteFile(filepath.Join(split, year, table+".csv"), b, 0o600); err != nil {
				t.Fatal(err)
			}
			if i > 0 {
				_, rest, _ := strings.Cut(string(b), "\n")
				all = append(all, rest...)
				continue
			}
			all = append(all, b...)
		}
		os.MkdirAll(joined, 0o700)
		if err := os.WriteFile(filepath.Join(joined, table+".csv"), all, 0o600); err != nil {
			t.Fatal(err)
		}
	}
	outSplit, outJoined := t.TempDir(), t.TempDir()
	runOK(t, "run", "--input", split, "--as-of", "2026-10-30", "--out", outSplit)
	runOK(t, "run", "--input", joined, "--as-of", "2026-10-30", "--out", outJoined)
	// A period begun before the first return (1 April 2025) is compared
	// apart: the folder of returns knows that day and holds such a period
	// to a review due by 1 October 2025, one file does not (RULES.md §2.2).
	since := func(rows [][]string) (kept [][]string) {
		for _, r := range rows {
			if r[2] >= "2025-04-01" {
				kept = append(kept, r)
			}
		}
		return kept
	}
	a, b := multiset(since(readFindings(t, outJoined))), multiset(since(readFindings(t, outSplit)))
	if d := append(diffRows(a, b), diffRows(b, a)...); len(d) > 0 {
		t.Errorf("%d findings differ between one file and two returns, such as %v", len(d), d[:min(5, len(d))])
	}
	r := runOK(t, "check", "--input", joined, "--as-of", "2026-10-30")
	if !strings.Contains(r.stdout, "one episode recorded twice in one file, ended and open (the ended row is used)") {
		t.Errorf("check does not warn of the episodes recorded twice:\n%s", r.stdout)
	}
}

// returnsData is the ingest package's folders of returns, one a layout.
var returnsData = filepath.Join("..", "..", "ingest", "testdata", "returns")

// check and the Method sheet show how each file's collection year was read
// (Reviews 2024.csv is 2023-24), and a rejected row and a warning name
// their return's file.
func TestReturnsShownInCheckAndMethod(t *testing.T) {
	r := runOK(t, "check", "--input", filepath.Join(returnsData, "files"), "--as-of", "2025-01-01")
	for _, w := range []string{"returns by collection year", "2023-24   reviews              Reviews 2024.csv", "2024-25   episodes             903 2024-25.xlsx[episodes]"} {
		if !strings.Contains(r.stdout, w) {
			t.Errorf("check lacks %q:\n%s", w, r.stdout)
		}
	}
	in := filepath.Join(t.TempDir(), "in")
	for _, y := range []string{"2023-24", "2024-25"} {
		copyDir(t, filepath.Join(returnsData, "open-not-carried", y), filepath.Join(in, y))
	}
	os.WriteFile(filepath.Join(in, "2023-24", "reviews.csv"), []byte("CHILD,REVIEW\r\n00123,20/04/2023\r\n00123,31/02/2024\r\n00123,20/09/2023\r\n00123,20/12/2023\r\n00123,20/01/2024\r\n00123,20/03/2024\r\n00123,21/03/2024\r\n00123,22/03/2024\r\n00123,23/03/2024\r\n00123,24/03/2024\r\n00123,25/03/2024\r\n00123,26/03/2024\r\n00123,27/03/2024\r\n00123,28/03/2024\r\n00123,29/03/2024\r\n00123,30/03/2024\r\n00123,31/03/2024\r\n00123,01/03/2024\r\n00123,02/03/2024\r\n00123,03/03/2024\r\n00123,04/03/2024\r\n"), 0o600)
	out := t.TempDir()
	runOK(t, "run", "--input", in, "--as-of", "2025-01-01", "--out", out)
	method := sheetText(t, filepath.Join(out, "latest.xlsx"), "Method")
	for _, w := range []string{"Returns read, by collection year", "2023-24\tepisodes\t2023-24/episodes.csv\t1\t0\t0", "2024-25\tepisodes\t2024-25/episodes.csv\t1\t0\t1", "a single year such as 2024 is the year the collection year ends in"} {
		if !strings.Contains(method, w) {
			t.Errorf("Method sheet lacks %q:\n%s", w, clipText(method))
		}
	}
	rejects, _ := os.ReadFile(filepath.Join(out, "rejects.csv"))
	if !strings.Contains(string(rejects), "2023-24/reviews.csv,3,REVIEW") {
		t.Errorf("rejects.csv does not name the return's file and line:\n%s", rejects)
	}
	quality := sheetText(t, filepath.Join(out, "latest.xlsx"), "Warnings")
	if !strings.Contains(quality, "2023-24/episodes.csv (collection year 2023-24); the child is in the 2024-25 return") {
		t.Errorf("Warnings sheet does not name the return:\n%s", clipText(quality))
	}
}

// Each return's file is held to the reject threshold on its own: half of
// an older return's reviews unreadable stops the run, though the returns'
// reviews together are within it. And every conflict of DATA.md's "A
// folder of returns" is exit status 3 naming what it found.
func TestReturnsRefused(t *testing.T) {
	in := filepath.Join(t.TempDir(), "in")
	for _, y := range []string{"2023-24", "2024-25"} {
		copyDir(t, filepath.Join(returnsData, "open-not-carried", y), filepath.Join(in, y))
	}
	os.WriteFile(filepath.Join(in, "2023-24", "reviews.csv"), []byte("CHILD,REVIEW\r\n00123,20/04/2023\r\n00123,31/02/2024\r\n"), 0o600)
	many := "CHILD,REVIEW\r\n"
	for d := 1; d <= 28; d++ {
		many += fmt.Sprintf("00123,%02d/05/2024\r\n", d)
	}
	os.WriteFile(filepath.Join(in, "2024-25", "reviews.csv"), []byte(many), 0o600)
	r := lacaudit(t, "run", "--input", in, "--as-of", "2025-01-01", "--out", t.TempDir())
	if r.code != 3 || !strings.Contains(r.stderr, "2023-24/reviews.csv: 1 of 2 rows rejected (50.0 %)") {
		t.Errorf("exit %d: %s", r.code, r.stderr)
	}
	for _, c := range []struct{ dir, want string }{
		{"conflict-folders", "two folders of the 2024-25 return: 2025/ and 903_2024-25/"},
		{"conflict-files", "in Episodes 2024.csv and in episodes_2023-24.csv"},
		{"ambiguous-file", "reviews_2024-03-31.csv cannot be read"},
		{"both-layouts", "keep one layout"},
		{"core-missing", `core table "reviews" is missing from the 2024-25 return`},
	} {
		r := lacaudit(t, "check", "--input", filepath.Join(returnsData, c.dir), "--as-of", "2025-01-01")
		if r.code != 3 || !strings.Contains(r.stderr, c.want) {
			t.Errorf("%s: exit %d, want 3 naming %q: %s", c.dir, r.code, c.want, r.stderr)
		}
	}
}

// The database of a run on a folder of returns keeps every return's rows
// with their file and year; a pseudonymised run's shared database has none
// of them (TABLE_all holds raw identifiers), only the merged tables,
// pseudonymised.
func TestReturnsInTheDatabase(t *testing.T) {
	in := sample(t, "--children", "100", "--seed", "2", "--extract-date", "2026-10-30", "--returns", "2")
	out, shared := t.TempDir(), t.TempDir()
	runOK(t, "run", "--input", in, "--as-of", "2026-10-30", "--out", out)
	runOK(t, "run", "--input", in, "--as-of", "2026-10-30", "--out", shared, "--pseudonymise", "--pseudonymise-key-file", newKey(t))
	count := func(dir, q string) int {
		t.Helper()
		db, err := store.Open(context.Background(), filepath.Join(dir, "lacaudit.duckdb"), store.Options{})
		if err != nil {
			t.Fatal(err)
		}
		defer db.Close()
		var n int
		if err := db.QueryRow(q).Scan(&n); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
		return n
	}
	if n := count(out, "SELECT count(DISTINCT source || collection_year) FROM episodes_all WHERE source IN ('2025-26/episodes.csv', '2026-27/episodes.csv')"); n != 2 {
		t.Errorf("episodes_all has %d of the 2 returns' files", n)
	}
	if n := count(out, "SELECT count(*) FROM episodes_all WHERE NOT used AND why_not = 'superseded by the 2026-27 return'"); n == 0 {
		t.Errorf("no superseded episode kept")
	}
	if a, b := count(out, "SELECT count(*) FROM episodes"), count(out, "SELECT count(*) FROM episodes_all WHERE used"); a != b || a == 0 {
		t.Errorf("episodes %d, used rows of episodes_all %d", a, b)
	}
	if n := count(shared, "SELECT count(*) FROM duckdb_tables() WHERE table_name LIKE '%_all' OR table_name = 'input_returns'"); n != 0 {
		t.Errorf("the shared database has %d tables of the returns' raw rows", n)
	}
	if n := count(shared, "SELECT count(*) FROM episodes WHERE child NOT LIKE 'C-%'"); n != 0 {
		t.Errorf("%d episodes not pseudonymised", n)
	}
}

// The oldest return taken out of a folder of returns (a moving window):
// the partial-export guard stops the run in one readable line that names
// the return no longer in the folder; the falls of each table are in the
// log, not in the message.
func TestPartialExportNamesTheReturnThatLeft(t *testing.T) {
	in := sample(t, "--children", "100", "--seed", "2", "--extract-date", "2026-10-30", "--returns", "3")
	out := t.TempDir()
	runOK(t, "run", "--input", in, "--as-of", "2026-10-30", "--out", out)
	all, err := os.ReadDir(in)
	var entries []os.DirEntry
	for _, e := range all {
		if e.IsDir() {
			entries = append(entries, e)
		}
	}
	if err != nil || len(entries) != 3 {
		t.Fatalf("%d returns, %v", len(entries), err)
	}
	oldest := entries[0].Name()
	if err := os.RemoveAll(filepath.Join(in, oldest)); err != nil {
		t.Fatal(err)
	}
	r := lacaudit(t, "run", "--input", in, "--as-of", "2026-10-30", "--out", out)
	var line string
	for _, l := range strings.Split(r.stderr, "\n") {
		if strings.Contains(l, "looks partial") {
			line = l
		}
	}
	if r.code != 3 || !strings.Contains(line, oldest+"/, read by the last successful run") || !strings.Contains(line, "is no longer in the input folder") {
		t.Fatalf("exit %d, stderr %s", r.code, r.stderr)
	}
	if strings.Contains(line, "; "+entries[1].Name()) || len(line) > 600 {
		t.Errorf("the message lists the tables' files, or is long (%d characters): %s", len(line), line)
	}
}

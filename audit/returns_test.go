package audit_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// returnsFolder writes a folder of returns, one sub-folder per collection
// year, each a small hand-built extract, and returns it.
func returnsFolder(t *testing.T, years map[string]extract) string {
	t.Helper()
	dir := t.TempDir()
	for year, ex := range years {
		if err := os.Mkdir(filepath.Join(dir, year), 0o700); err != nil {
			t.Fatal(err)
		}
		for name, lines := range ex {
			if err := os.WriteFile(filepath.Join(dir, year, name+".csv"), []byte(strings.Join(lines, "\n")+"\n"), 0o600); err != nil {
				t.Fatal(err)
			}
		}
	}
	return dir
}

// A folder of returns knows its first day W, 1 April of its first return's
// year (here 1 April 2023): a period of care begun before W has a review
// due by W + 183 days at the latest (RULES.md §2.2), 1 October 2023, a
// Sunday (calendar days: no weekend or bank holiday moves it). Every due
// date below is worked out by hand beside it.
func TestReturnsFirstReviewDue(t *testing.T) {
	common := func(episodes, reviews []string) extract {
		ex := extract{"header": {hHeader}, "episodes": append([]string{hEpisodes}, episodes...), "reviews": append([]string{hReviews}, reviews...)}
		seen := map[string]bool{}
		for _, e := range episodes {
			if c := e[:strings.IndexByte(e, ',')]; !seen[c] {
				seen[c] = true
				ex["header"] = append(ex["header"], c+",01/01/2012")
			}
		}
		return ex
	}
	dir := returnsFolder(t, map[string]extract{
		"2023-24": common([]string{
			"NOREV,10/05/2021,S,C2,U3,,,",  // in care throughout, never reviewed in the returns
			"LATE,15/08/2020,S,C2,U3,,,",   // RNE S, but before W: its start is known, its reviews are not
			"ONTIME,10/01/2022,P,C2,U3,,,", // RNE P: anchored as in a single extract
			"ENDED,01/06/2022,P,C2,U3,15/09/2023,E4A,",
			"MISSED,01/06/2022,P,C2,U3,05/10/2023,E4A,",
			"BEFORE,31/03/2023,S,C2,U3,,,", // one day before W
			"ONW,01/04/2023,S,C2,U3,,,",    // on W: the returns hold its whole chain
			"ONWP,01/04/2023,P,C2,U3,,,",   // on W, RNE P: anchored as in a single extract
		}, []string{
			"LATE,02/10/2023,PN1",
			"ONTIME,29/09/2023,PN1", "ONTIME,20/03/2024,PN1",
			"ONW,03/05/2023,PN1",
			"ONWP,01/06/2023,PN1",
		}),
		"2024-25": common([]string{
			"NOREV,10/05/2021,S,C2,U3,,,",
			"LATE,15/08/2020,S,C2,U3,,,",
			"ONTIME,10/01/2022,P,C2,U3,,,",
			"BEFORE,31/03/2023,S,C2,U3,,,",
			"ONW,01/04/2023,S,C2,U3,,,",
			"ONWP,01/04/2023,P,C2,U3,,,",
		}, []string{"LATE,02/04/2024,PN1"}),
	})
	fs, _, _ := auditedDir(t, dir, "2024-10-30")
	// Due 1 Oct 2023, none held by 30 Oct 2024: 395 days overdue.
	expect(t, fs, chain, "NOREV", want{"REV_SUBSEQUENT", "2023-10-01", "", "overdue", 395})
	// Held Mon 2 Oct: one day late (the Sunday due date does not move);
	// then 2 Oct + 183 = 2 Apr 2024 (the Tuesday after Easter Monday), met
	// on the day; then 2 Apr + 183 = 2 Oct 2024, 28 days overdue.
	expect(t, fs, chain, "LATE",
		want{"REV_SUBSEQUENT", "2023-10-01", "2023-10-02", "late", 1},
		want{"REV_SUBSEQUENT", "2024-04-02", "2024-04-02", "met", 0},
		want{"REV_SUBSEQUENT", "2024-10-02", "", "overdue", 28})
	// 29 Sep 2023 met; 29 Sep + 183 = 30 Mar 2024 (Easter Saturday), held
	// 20 Mar; 20 Mar + 183 = 19 Sep 2024, 41 days overdue.
	expect(t, fs, chain, "ONTIME",
		want{"REV_SUBSEQUENT", "2023-10-01", "2023-09-29", "met", 0},
		want{"REV_SUBSEQUENT", "2024-03-30", "2024-03-20", "met", 0},
		want{"REV_SUBSEQUENT", "2024-09-19", "", "overdue", 41})
	// Ended 15 Sep 2023, before the review was due: no obligation.
	expect(t, fs, chain, "ENDED")
	// Ended 5 Oct 2023 with no review since 1 Oct: missed, 4 days.
	expect(t, fs, chain, "MISSED", want{"REV_SUBSEQUENT", "2023-10-01", "", "missed", 4})
	// Began 31 Mar 2023, the day before W: anchored, due 1 Oct 2023.
	expect(t, fs, chain, "BEFORE", want{"REV_SUBSEQUENT", "2023-10-01", "", "overdue", 395})
	// Began on W, Saturday 1 Apr 2023: not anchored. 20 working days after
	// it (Good Friday 7 Apr, Easter Monday 10 Apr, 1 May): 3-6 Apr (4),
	// 11-14 (8), 17-21 (13), 24-28 (18), 2 May (19), 3 May (20). Second:
	// 3 May + 91 = 2 Aug 2023, 455 days overdue.
	// Began on W with RNE P: anchored at its first review, 1 Jun 2023, as
	// in a single extract (§2.2 above); 1 Jun + 183 = 1 Dec 2023, 334 days
	// overdue.
	expect(t, fs, chain, "ONWP", want{"REV_SUBSEQUENT", "2023-12-01", "", "overdue", 334})
	expect(t, fs, chain, "ONW",
		want{"REV_INITIAL", "2023-05-03", "2023-05-03", "met", 0},
		want{"REV_SECOND", "2023-08-02", "", "overdue", 455})
}

// A plain folder does not know its first day: a period begun before the
// extract with no review has no review obligation (RULES.md §2.2), and
// one whose first episode has RNE S is not anchored.
func TestPlainFolderKeepsAnchoring(t *testing.T) {
	ex := extract{
		"header":   {hHeader, "NOREV,01/01/2012", "S1,01/01/2012"},
		"episodes": {hEpisodes, "NOREV,10/05/2021,P,C2,U3,,,", "S1,10/05/2021,S,C2,U3,,,"},
		"reviews":  {hReviews, "S1,2021-06-07,PN1"},
	}
	fs, _, _ := audited(t, ex, "2024-10-30")
	expect(t, fs, chain, "NOREV")
	// 20 working days after Mon 10 May 2021 (31 May a bank holiday):
	// 11-14 (4), 17-21 (9), 24-28 (14), 1-4 Jun (18), 7 Jun (19), 8 Jun (20).
	expect(t, fs, chain, "S1",
		want{"REV_INITIAL", "2021-06-08", "2021-06-07", "met", 0},
		want{"REV_SECOND", "2021-09-06", "", "overdue", 1150})
}

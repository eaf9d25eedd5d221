package main

import (
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

// nightlyExtract is a hand-built extract audited as of Monday 30 June 2025;
// every figure of its workbook's Summary, By team and By IRO sheets is
// worked out below by hand, not from findings.csv. The 12 months are
// 1 July 2024 to 30 June 2025. Bank holidays in reach: 26 Aug, 25 and
// 26 Dec 2024, 1 Jan, 18 and 21 Apr, 5 and 26 May 2025; none in July 2025.
// Teams North and South; social workers Sam (North) and Sue (South); IROs
// Iris and Ivan; N3 has no IRO. Sue's allocation to S1 ends on the as-of
// date: S1 is still allocated that day.
//
//	N1 (North, Iris): in care before the extract (RNE P, 1 Jan 2024),
//	   anchored at its review of 1 Jun 2024. Subsequent due 1 Dec 2024, held
//	   25 Nov: met. Due 25 Nov + 183 = 27 May 2025, held 10 Jun: late. Next
//	   due 10 Dec 2025. Placement broke down 1 Oct 2024 (X1, CREQB; new
//	   placement that day): disruption meeting due 12 Nov, held 20 Nov:
//	   late. School age (born 2012): PEP 1 Mar 2025, next due 31 Aug: met.
//	   Health assessment 1 Aug 2024 (aged 12), next 1 Aug 2025: met. Visit
//	   1 Jun 2025 in the placement, bedroom seen: both met.
//	N2 (North, Iris): came into care Mon 3 Mar 2025 (born 2008: not school
//	   age). Initial due 31 Mar, held Fri 28 Mar (no participation code):
//	   met. Second due 28 Mar + 91 = 27 Jun, not held: overdue. Permanence
//	   plan 1 Apr, by the second review's due date: met. Placement broke
//	   down 1 May (X1, CHILD): meeting due 12 Jun, none: overdue. No health
//	   assessment: due 31 Mar, overdue. Visit 1 May (the new placement's
//	   first day; bedroom seen): next due 12 Jun, overdue (the visit of
//	   25 Jun at which she was not seen does not count); bedroom met.
//	N3 (North, no IRO): anchored at 1 Dec 2023 (RNE P, 1 Nov 2023); due
//	   1 Jun 2024, before the 12 months, never held: overdue now, but due
//	   before the 12 months, so in no share (as a year of the annual
//	   report would not count one due the year before). School
//	   age (born 2010), no PEP: overdue. Health assessment 1 Jan 2024 (aged
//	   14), next due 31 Dec 2024: overdue. No visit: both overdue.
//	N4 (North, Iris): came into care today, 30 Jun 2025 (born 2015: school
//	   age). Initial review due 28 Jul, 20 working days ahead, so due in the
//	   next 20 working days (its consultation, 20 working days before, is
//	   due today: upcoming). First PEP and health assessment due 28 Jul,
//	   first visit and bedroom 7 Jul: all not yet due.
//	S1 (South, Ivan): anchored at 1 Jun 2024 (RNE P, 1 Jan 2024).
//	   Subsequent due 1 Dec 2024, held on the day: met. Placed for adoption
//	   1 Jan 2025 (A3; the looked-after review due 2 Jun lapses). Adoption
//	   reviews: first due 29 Jan, held 5 Feb: late; second due 7 May, held
//	   1 May: met; third due 31 Oct 2025, held early on 25 Jun: met, but due
//	   after the as-of date so not counted yet. Born 2023 (not school age):
//	   health assessment 1 Mar 2025 (aged 1: next in 183 days, 31 Aug): met.
//	   Visit 20 Jun (bedroom not seen): statutory met; bedroom never seen in
//	   the placement, due 8 Jan: overdue.
//	S2 (South, Ivan, to 15 Nov 2024): came into care Mon 1 Jul 2024.
//	   Initial due 29 Jul, held on the day: met. Second due 28 Oct, not held,
//	   left care 15 Nov: missed; permanence plan by then: none, missed.
//
// Reviews held (both chains, in the 12 months): N1 2, N2 1, S1 4, S2 1 = 8.
// Participation (every held review in the 12 months): N1 2 and S1 4, S2 1
// coded; N2's not.
var nightlyExtract = map[string]string{
	"header.csv": "CHILD,DOB,SEX,ETHNIC\nN1,01/01/2012,1,WBRI\nN2,01/01/2008,2,WBRI\nN3,01/01/2010,1,WBRI\n" +
		"N4,01/01/2015,2,WBRI\nS1,01/06/2023,1,WBRI\nS2,01/01/2014,2,WBRI\n",
	"episodes.csv": "CHILD,DECOM,RNE,LS,PLACE,DEC,REC,REASON_PLACE_CHANGE\n" +
		"N1,01/01/2024,P,C2,U1,01/10/2024,X1,CREQB\nN1,01/10/2024,P,C2,U4,,,\n" +
		"N2,03/03/2025,S,V2,U1,01/05/2025,X1,CHILD\nN2,01/05/2025,P,V2,U1,,,\n" +
		"N3,01/11/2023,P,C2,U1,,,\nN4,30/06/2025,S,V2,U1,,,\n" +
		"S1,01/01/2024,P,C2,U1,01/01/2025,X1,\nS1,01/01/2025,P,E1,A3,,,\n" +
		"S2,01/07/2024,S,C2,U1,15/11/2024,E4A,\n",
	"reviews.csv": "CHILD,REVIEW,REVIEW_CODE\n" +
		"N1,01/06/2024,PN1\nN1,25/11/2024,PN1\nN1,10/06/2025,PN1\nN2,28/03/2025,\nN3,01/12/2023,PN1\n" +
		"S1,01/06/2024,PN0\nS1,01/12/2024,PN1\nS1,05/02/2025,PN0\nS1,01/05/2025,PN0\nS1,25/06/2025,PN0\n" +
		"S2,29/07/2024,PN1\n",
	"allocations.csv": "CHILD,ROLE,WORKER,START,END\n" +
		"N1,TEAM,North,2024-01-01,\nN1,SW,Sam,2024-01-01,\nN1,IRO,Iris,2024-01-01,\n" +
		"N2,TEAM,North,2025-03-03,\nN2,SW,Sam,2025-03-03,\nN2,IRO,Iris,2025-03-03,\n" +
		"N3,TEAM,North,2023-11-01,\nN3,SW,Sam,2023-11-01,\n" +
		"N4,TEAM,North,2025-06-30,\nN4,SW,Sam,2025-06-30,\nN4,IRO,Iris,2025-06-30,\n" +
		"S1,TEAM,South,2024-01-01,\nS1,SW,Sue,2024-01-01,2025-06-30\nS1,IRO,Ivan,2024-01-01,\n" +
		"S2,TEAM,South,2024-07-01,2024-11-15\nS2,SW,Sue,2024-07-01,2024-11-15\nS2,IRO,Ivan,2024-07-01,2024-11-15\n",
	"peps.csv":                "CHILD,PEP_DATE\nN1,2025-03-01\n",
	"health_assessments.csv":  "CHILD,ASSESSMENT_DATE\nN1,2024-08-01\nN3,2024-01-01\nS1,2025-03-01\n",
	"visits.csv":              "CHILD,VISIT_DATE,CHILD_SEEN,BEDROOM_SEEN\nN1,2025-06-01,Y,Y\nN2,2025-05-01,Y,Y\nN2,2025-06-25,N,N\nS1,2025-06-20,Y,N\n",
	"permanence_plans.csv":    "CHILD,PLAN_DATE\nN2,2025-04-01\n",
	"disruption_meetings.csv": "CHILD,MEETING_DATE,SENIOR_MANAGER\nN1,2024-11-20,N\n",
}

// nightlyWorkbook runs the binary on extract as of 30 June 2025 and returns
// the workbook's sheets, raw values.
func nightlyWorkbook(t *testing.T, extract map[string]string) map[string][][]string {
	t.Helper()
	in, out := t.TempDir(), t.TempDir()
	for name, content := range extract {
		if err := os.WriteFile(filepath.Join(in, name), []byte(content), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	if r := lacaudit(t, "run", "--input", in, "--out", out, "--as-of", "2025-06-30"); r.code != 0 {
		t.Fatalf("exit %d: %s", r.code, r.stderr)
	}
	return sheetsOf(t, filepath.Join(out, "latest.xlsx"))
}

// lookup is row without stopping the test: the row whose first cell is
// label, padded to 20 cells, or an error.
func lookup(t *testing.T, rows [][]string, label string) []string {
	t.Helper()
	for _, r := range rows {
		if len(r) > 0 && strings.TrimSpace(r[0]) == label {
			return append(r, make([]string, 20)...)
		}
	}
	t.Errorf("no row %q", label)
	return make([]string, 20)
}

// share is a figure's expected numerator and denominator.
type share struct{ n, d int }

func TestNightlySummaryByHand(t *testing.T) {
	s := nightlyWorkbook(t, nightlyExtract)
	sum := s["Summary"]
	counts := []struct {
		label string
		want  float64
	}{
		{"Children looked after now", 5}, // N1 N2 N3 N4 S1 (S2 left)
		{"Reviews held in the last 12 months", 8},
		{"Reviews overdue now", 2},                                        // N2's second, N3's of 1 Jun 2024
		{"Reviews due in the next 20 working days", 1},                    // N4's initial, 28 Jul
		{"school-age children whose first PEP is not yet due", 1},         // N4
		{"Breakdowns without a disruption meeting (open now)", 1},         // N2
		{"children whose first health assessment is not yet due", 1},      // N4
		{"children whose first visit in the placement is not yet due", 1}, // N4
	}
	for _, c := range counts {
		r := lookup(t, sum, c.label)
		near(t, c.label, r[1], c.want)
	}
	shares := []struct {
		label string
		want  share
	}{
		// Looked-after chain due in the 12 months: N1 met and late, N2 met
		// and overdue, S1 met, S2 met and missed.
		{"Reviews held in timescale, of those due in the last 12 months", share{4, 7}},
		{"initial reviews", share{2, 2}},    // N2, S2
		{"second reviews", share{0, 2}},     // N2 overdue, S2 missed
		{"subsequent reviews", share{2, 3}}, // N1 met, N1 late, S1 met
		// S1: first late, second met; the third, held early, is due in October.
		{"Adoption reviews held in timescale, of those due in the last 12 months", share{1, 2}},
		{"School-age children with a current PEP", share{1, 2}},                              // N1 of N1, N3
		{"Permanence plan by the second review, last 12 months", share{1, 2}},                // N2 met, S2 missed
		{"Breakdowns followed by a disruption meeting in time, last 12 months", share{0, 2}}, // N1 late, N2 overdue
		{"Health assessments in date", share{2, 4}},                                          // N1, S1 of N1, N2, N3, S1
		{"Statutory visits in date", share{2, 4}},                                            // N1, S1 of N1, N2, N3, S1
		{"Children with an allocated social worker", share{5, 5}},
		{"Children with an allocated IRO", share{4, 5}}, // N3 has none
	}
	for _, c := range shares {
		r := lookup(t, sum, c.label)
		near(t, c.label, r[1], float64(c.want.n)/float64(c.want.d))
		if want := itoa(c.want.n) + " of " + itoa(c.want.d); r[2] != want {
			t.Errorf("%s: %q, want %q", c.label, r[2], want)
		}
	}
	// Every figure of the Summary is one of the above.
	n := 0
	in := false
	for _, r := range sum {
		if len(r) > 0 && r[0] == "Figure" {
			in = true
			continue
		}
		if in && (len(r) < 2 || r[1] == "") {
			break
		}
		if in {
			n++
		}
	}
	if n != len(counts)+len(shares) {
		t.Errorf("the Summary has %d figures; this test checks %d", n, len(counts)+len(shares))
	}

	// By team and By IRO: per family, met and counted (in timescale,
	// obligations); families Reviews, After review, Plans, Placements,
	// Health & visits, Allocation. A family with none is empty.
	type group struct {
		name  string
		extra []float64
		fam   [6]share
	}
	check := func(sheet string, groups []group) {
		t.Helper()
		rows := s[sheet]
		// the table holds these groups and no other
		var names, got []string
		for _, g := range groups {
			names = append(names, g.name)
		}
		in := false
		for _, r := range rows {
			if len(r) > 1 && (r[0] == "Team" || r[0] == "IRO") {
				in = true
				continue
			}
			if in && (len(r) == 0 || r[0] == "") {
				break
			}
			if in {
				got = append(got, r[0])
			}
		}
		if strings.Join(got, "|") != strings.Join(names, "|") {
			t.Errorf("%s has rows %q, want %q", sheet, got, names)
		}
		for _, g := range groups {
			r := lookup(t, rows, g.name)
			for i, e := range g.extra {
				near(t, sheet+" "+g.name+" column "+itoa(i+2), r[1+i], e)
			}
			for f, sh := range g.fam {
				at := 1 + len(g.extra) + 2*f
				got := r[at]
				if sh.d == 0 {
					if got != "" {
						t.Errorf("%s %s family %d: %q, want empty", sheet, g.name, f+1, got)
					}
					continue
				}
				near(t, sheet+" "+g.name+" family "+itoa(f+1)+" share", got, float64(sh.n)/float64(sh.d))
				near(t, sheet+" "+g.name+" family "+itoa(f+1)+" obligations", r[at+1], float64(sh.d))
			}
		}
	}
	check("By team", []group{
		// Reviews: N1 met, late; N2 met, overdue (N3's is due before the 12
		// months; the preparation of N1's, N4's and S1's next reviews is all
		// upcoming). After review:
		// participation at N1's two reviews, N2's uncoded. Plans: PEP N1 met,
		// N3 overdue; permanence N2 met. Placements: N1 late, N2 overdue.
		// Health and visits: health N1 met, N2 and N3 overdue; visits the
		// same; bedroom N1, N2 met, N3 overdue. Allocation: social worker 4 of
		// 4, IRO 3 of 4.
		{"North", []float64{4}, [6]share{{2, 4}, {2, 3}, {2, 3}, {0, 2}, {4, 9}, {7, 8}}},
		// Reviews: S1 looked-after met, adoption late and met (the early one
		// not yet counted), S2 met and missed. After review: S1 4, S2 1, all
		// coded. Plans: S2's permanence missed. Health: S1 health and visit
		// met, bedroom overdue. Allocation: S1 both.
		{"South", []float64{1}, [6]share{{3, 5}, {5, 5}, {0, 1}, {}, {2, 3}, {2, 2}}},
	})
	check("By IRO", []group{
		// children now, reviews chaired in the 12 months
		{"(none recorded)", []float64{1, 0}, [6]share{{}, {}, {0, 1}, {}, {0, 3}, {1, 2}}}, // N3
		{"Iris", []float64{3, 3}, [6]share{{2, 4}, {2, 3}, {2, 2}, {0, 2}, {4, 6}, {6, 6}}},
		{"Ivan", []float64{1, 5}, [6]share{{3, 5}, {5, 5}, {0, 1}, {}, {2, 3}, {2, 2}}},
	})
	for _, c := range []struct {
		worker, team string
		children     float64
	}{{"Sam", "North", 4}, {"Sue", "South", 1}} {
		r := lookup(t, s["By team"], c.worker)
		if r[1] != c.team {
			t.Errorf("%s's team %q, want %q", c.worker, r[1], c.team)
		}
		near(t, c.worker+"'s caseload", r[2], c.children)
	}
}

func itoa(n int) string { return strconv.Itoa(n) }

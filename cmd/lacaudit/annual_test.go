package main

import (
	"fmt"
	"math"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"
)

// annualExtract is a hand-built extract for the year 2024-25; every figure
// of its annual report is worked out below.
//
//	A: came into care Mon 4 Mar 2024. Initial due 3 Apr 2024 (20 working days,
//	   Good Friday and Easter Monday skipped), held 2 Apr: met. Second due
//	   2 Jul, held 10 Jul: late. Subsequent due 10 Jul + 183 = 9 Jan 2025,
//	   held on the day: met. IRO Iris to 30 Sep 2024, then Ivan.
//	B: came into care Fri 14 Feb 2025. Initial due 14 Mar 2025, held on
//	   31 Mar 2025, the year's last day: late. IRO Ivan.
//	C: came into care 1 Jun 2023, left 31 May 2024. Initial due 29 Jun 2023
//	   held 28 Jun, second due 27 Sep 2023 held on the day: both met in
//	   2023-24. Subsequent due 28 Mar 2024 (2023-24), held 1 Apr 2024.
//	D: in care before the extract (first RNE P, 2 May 2023): anchored at
//	   1 Jul 2023. Due 31 Dec 2023, held 1 Oct 2023: met (2023-24). Due
//	   1 Apr 2024, the year's first day, held on it: met. Due 1 Oct 2024,
//	   not held: overdue.
//	E: anchored at 20 Mar 2024 (first RNE P, 10 Jan 2024). Due 19 Sep 2024,
//	   held 29 Sep: late. Due 29 Sep + 183 = 31 Mar 2025, held on the day:
//	   met. The next is due 30 Sep 2025, in the next year.
var annualExtract = map[string]string{
	"header.csv": "CHILD,DOB,SEX,ETHNIC\nA,01/05/2012,1,WBRI\nB,01/01/2022,2,BAFR\nC,01/01/2010,1,WBRI\nD,01/01/2008,2,APKN\nE,01/01/2015,1,MWBC\n",
	"episodes.csv": "CHILD,DECOM,RNE,LS,PLACE,DEC,REC\n" +
		"A,04/03/2024,S,C2,U3,,\nB,14/02/2025,S,V2,U1,,\nC,01/06/2023,S,C2,U3,31/05/2024,E4A\n" +
		"D,02/05/2023,P,C2,K2,,\nE,10/01/2024,P,E1,U4,,\n",
	"reviews.csv": "CHILD,REVIEW,REVIEW_CODE\n" +
		"A,02/04/2024,PN1\nA,10/07/2024,PN7\nA,09/01/2025,PN1\nB,31/03/2025,PN0\n" +
		"C,28/06/2023,PN1\nC,27/09/2023,PN1\nC,01/04/2024,PN2\n" +
		"D,01/07/2023,PN1\nD,01/10/2023,PN1\nD,01/04/2024,PN1\n" +
		"E,20/03/2024,PN3\nE,29/09/2024,PN3\nE,31/03/2025,\n",
	"allocations.csv": "CHILD,ROLE,WORKER,START,END\n" +
		"A,IRO,Iris,2024-03-04,2024-09-30\nA,IRO,Ivan,2024-10-01,\nB,IRO,Ivan,2025-02-14,\n",
	"qa_alerts.csv": "ALERT_ID,CHILD,RAISED,REASON,LEVEL,RESOLVED,ESCALATED\n" +
		"Q1,A,2024-06-03,Care plan drift,1,2024-06-14,N\n" + // 9 working days: resolved in time
		// 20 Dec + 10 working days (25, 26 Dec and 1 Jan skipped) = 8 Jan: the 9th is late.
		"Q2,D,2024-12-20,No current PEP,2,2025-01-09,Y\n" +
		"Q3,C,2024-03-28,Care plan drift,1,,N\n", // the year before
}

func annualReport(t *testing.T, extra ...string) map[string][][]string {
	t.Helper()
	return annualReportOf(t, annualExtract, extra...)
}

func annualReportOf(t *testing.T, extract map[string]string, extra ...string) map[string][][]string {
	t.Helper()
	in := t.TempDir()
	for name, content := range extract {
		os.WriteFile(filepath.Join(in, name), []byte(content), 0o600)
	}
	out := t.TempDir()
	args := append([]string{"annual", "--year", "2024", "--input", in, "--out", out, "--as-of", "2025-06-30"}, extra...)
	r := lacaudit(t, args...)
	if r.code != 0 {
		t.Fatalf("exit %d: %s", r.code, r.stderr)
	}
	path := filepath.Join(out, "lacaudit-annual-2024-25.xlsx")
	sheets := sheetsOf(t, path)
	sheets["_path"] = [][]string{{path}}
	return sheets
}

// sheetsOf reads every sheet of a workbook, its cells' raw values.
func sheetsOf(t *testing.T, path string) map[string][][]string {
	t.Helper()
	wb, err := excelize.OpenFile(path)
	if err != nil {
		t.Fatal(err)
	}
	defer wb.Close()
	sheets := map[string][][]string{}
	for _, s := range wb.GetSheetList() {
		rows, _ := wb.GetRows(s, excelize.Options{RawCellValue: true})
		sheets[s] = rows
	}
	return sheets
}

// row finds the row whose first cell is label.
func row(t *testing.T, rows [][]string, label string) []string {
	t.Helper()
	for _, r := range rows {
		if len(r) > 0 && strings.TrimSpace(r[0]) == label {
			return r
		}
	}
	t.Fatalf("no row %q", label)
	return nil
}

func near(t *testing.T, what, got string, want float64) {
	t.Helper()
	f, err := strconv.ParseFloat(got, 64)
	if err != nil || math.Abs(f-want) > 1e-9 {
		t.Errorf("%s = %q, want %v", what, got, want)
	}
}

func TestAnnualReport(t *testing.T) {
	s := annualReport(t)
	ov := s["Overview"]
	// Looked after during 2024-25: A, B, C (left 31 May 2024), D, E; in
	// 2023-24 (as of 31 Mar 2024): A, C, D, E.
	for _, c := range []struct {
		label    string
		cur, old float64
	}{
		{"Children looked after during the year", 5, 4},
		{"Children looked after at 31 March", 4, 4},
		{"Children who started to be looked after", 1, 2}, // B; A and C (D and E came before the extract)
		{"Children who ceased to be looked after", 1, 0},  // C
		// A 3, B 1, C 1, D 1, E 2; the year before C 2, D 2, E 1 (anchors are held reviews).
		{"Reviews held", 8, 5},
		// Due in 2024-25: A 3 (2 met), B 1 (late), D 2 (1 met), E 2 (1 met):
		// 4 of 8. In 2023-24: C 3 (2 met; the third overdue on 31 Mar 2024), D 1 met: 3 of 4.
		{"Reviews in timescale (obligations due in the year)", 0.5, 0.75},
		{"initial reviews", 0.5, 1},      // A met, B late; C met
		{"second reviews", 0, 1},         // A late; C met
		{"subsequent reviews", 0.6, 0.5}, // A, D met, D overdue, E late, E met; D met, C overdue
		{"Quality assurance alerts raised", 2, 1},
	} {
		r := row(t, ov, c.label)
		near(t, c.label+" this year", r[1], c.cur)
		near(t, c.label+" last year", r[2], c.old)
		near(t, c.label+" change", r[3], c.cur-c.old)
	}
	tl := s["Timeliness"]
	near(t, "quarter 1 due", row(t, tl, "Q1: Apr 2024 to Jun 2024")[1], 2) // A initial, D 1 Apr
	near(t, "quarter 4 due", row(t, tl, "Q4: Jan 2025 to Mar 2025")[1], 3) // A 9 Jan, B 14 Mar, E 31 Mar
	near(t, "quarter 4 met", row(t, tl, "Q4: Jan 2025 to Mar 2025")[2], 2)

	pa := s["Participation"]
	near(t, "PN1 reviews", row(t, pa, "PN1")[2], 3)   // A twice, D
	near(t, "PN1 share", row(t, pa, "PN1")[3], 3.0/7) // of the 7 reviews of children 4 and over
	near(t, "no code", row(t, pa, "(none)")[2], 1)    // E on 31 Mar 2025
	near(t, "PN0 apart", row(t, pa, "PN0")[2], 1)     // B

	iro := s["IRO caseloads"]
	// Iris: A from 1 Apr to 30 Sep 2024, 183 of 365 days. Ivan: A from
	// 1 Oct (182 days) and B from 14 Feb 2025 (46 days).
	near(t, "Iris at 31 March", row(t, iro, "Iris")[1], 0)
	near(t, "Iris average", row(t, iro, "Iris")[2], 183.0/365)
	near(t, "Iris chaired", row(t, iro, "Iris")[3], 2)
	near(t, "Iris in timescale", row(t, iro, "Iris")[4], 0.5)
	near(t, "Ivan at 31 March", row(t, iro, "Ivan")[1], 2)
	near(t, "Ivan average", row(t, iro, "Ivan")[2], 228.0/365)
	near(t, "Ivan chaired", row(t, iro, "Ivan")[3], 2)

	es := s["Escalations"]
	near(t, "alerts raised", row(t, es, "Alerts raised")[1], 2)
	near(t, "resolved in 10 working days", row(t, es, "Resolved within 10 working days of being raised")[1], 1)
	near(t, "escalated", row(t, es, "Escalated")[1], 1)

	eq := s["Equalities"]
	near(t, "female reviews due", row(t, eq, "Female")[1], 3) // B 1, D 2
	near(t, "female in timescale", row(t, eq, "Female")[2], 1.0/3)
}

// Small counts are suppressed for reports shared outside the authority.
func TestAnnualSuppression(t *testing.T) {
	s := annualReport(t, "--suppress-small", "3")
	ov := s["Overview"]
	if r := row(t, ov, "Children who ceased to be looked after"); r[1] != "[c]" || (len(r) > 3 && r[3] != "") {
		t.Errorf("1 child ceased: %q, change %q; want [c] and no change", r[1], r[3])
	}
	if r := row(t, ov, "Children looked after during the year"); r[1] != "5" {
		t.Errorf("5 children: %q", r[1])
	}
	if r := row(t, ov, "initial reviews"); r[1] != "[c]" {
		t.Errorf("1 of 2 initial reviews: %q, want [c]", r[1])
	}
	near(t, "4 of 8 reviews", row(t, ov, "Reviews in timescale (obligations due in the year)")[1], 0.5)
	// A share hidden for a small count never stands beside both its counts,
	// which would give it away (5 due, 3 in time: the 2 not in time).
	for _, sheet := range []string{"Timeliness", "Care planning"} {
		for _, r := range s[sheet] {
			if len(r) == 4 && r[3] == "[c]" && r[1] != "[c]" && r[2] != "[c]" {
				t.Errorf("%s: %q shows both counts of a suppressed share", sheet, r)
			}
		}
	}
	found := false
	for _, r := range s["Method"] {
		if len(r) > 1 && strings.Contains(r[1], "shown as [c]") {
			found = true
		}
	}
	if !found {
		t.Error("the Method sheet does not explain the suppression")
	}
}

func TestAnnualOpensInLibreOffice(t *testing.T) {
	requireSoffice(t)
	s := annualReport(t)
	conv := t.TempDir()
	path := s["_path"][0][0]
	if err := sofficeCSV(path, conv); err != nil {
		t.Fatal(err)
	}
	for _, sheet := range []string{"Overview", "Timeliness", "Participation", "Equalities", "IRO caseloads", "Care planning", "Escalations", "Method"} {
		if _, err := os.Stat(filepath.Join(conv, fmt.Sprintf("lacaudit-annual-2024-25-%s.csv", sheet))); err != nil {
			t.Errorf("LibreOffice wrote no CSV for %s: %v", sheet, err)
		}
	}
}

// annualCases is a second hand-built extract for 2024-25, one child for each
// way a figure of the annual report could be read two ways (issue 20).
// Bank holidays in reach: 6 and 27 May, 26 Aug 2024; 18 and 21 Apr 2025.
//
//	F: in care before the extract (RNE P), anchored at 1 Oct 2023. Due
//	   1 Oct 2023 + 183 = 1 Apr 2024, the year's first day, held on it: met.
//	   Due 1 Oct 2024, held on it: met. Next due 2 Apr 2025, next year.
//	   IRO Kate. Health assessment 1 Jun 2024 (aged 14: next due 1 Jun
//	   2025): in date. PEP 1 Mar 2025: current.
//	H: anchored at Sun 29 Sep 2024. Due 29 Sep + 183 = 31 Mar 2025, the
//	   year's last day, held on 3 Apr 2025: as of 31 March not held, so
//	   late against 2024-25 (never "upcoming" in a year that is over).
//	   IRO Hugo. School age, no PEP, no health assessment: both overdue.
//	I: as H, but the 31 March review is never held. IRO Hugo. Aged 19.
//	J: starts twice and ceases twice in the year: 1 May to 1 Jun 2024
//	   (initial due 31 May, held 30 May: met) and 1 Aug to 1 Sep 2024
//	   (initial due 30 Aug, 26 Aug skipped, held 29 Aug: met). The second
//	   reviews would fall after each period ended: no obligation. No IRO.
//	K: anchored at 1 Jan 2024 (placement U1, care order), placed for adoption
//	   1 Jul 2024 (A3, placement order): the looked-after review due 2 Jul
//	   lapses. Adoption reviews: first due 29 Jul, held 25 Jul: met; second
//	   due 24 Oct, held 30 Oct: late; third due 1 May 2025. IRO Kate. Aged 2,
//	   the 30 Oct review coded PN2.
//	L: came into care Mon 3 Mar 2025 (care order, foster placement U1);
//	   initial due 31 Mar 2025, held 17 Mar: met. Moved on 19 Mar to a
//	   children's home (R1), accommodated (V2), and left care 20 Mar,
//	   before the review's due date. IRO Lena from 3 Mar, the allocation
//	   never closed.
//	M: came into care Mon 17 Mar 2025; initial review, first PEP and first
//	   health assessment all due 14 Apr 2025: not yet due at 31 March.
var annualCases = map[string]string{
	"header.csv": "CHILD,DOB,SEX,ETHNIC\nF,01/01/2010,1,WBRI\nH,01/01/2012,2,WBRI\nI,01/01/2005,1,WBRI\n" +
		"J,01/01/2009,2,WBRI\nK,01/01/2022,1,WBRI\nL,01/01/2011,2,WBRI\nM,01/06/2012,1,WBRI\n",
	"episodes.csv": "CHILD,DECOM,RNE,LS,PLACE,DEC,REC\n" +
		"F,01/09/2023,P,C2,U1,,\nH,01/09/2024,P,V2,U1,,\nI,01/09/2024,P,V2,U1,,\n" +
		"J,01/05/2024,S,V2,U1,01/06/2024,E11\nJ,01/08/2024,S,V2,U1,01/09/2024,E4A\n" +
		"K,01/01/2024,P,C2,U1,01/07/2024,X1\nK,01/07/2024,P,E1,A3,,\n" +
		"L,03/03/2025,S,C2,U1,19/03/2025,X1\nL,19/03/2025,P,V2,R1,20/03/2025,E4A\nM,17/03/2025,S,C2,U1,,\n",
	"reviews.csv": "CHILD,REVIEW,REVIEW_CODE\n" +
		"F,01/10/2023,PN1\nF,01/04/2024,PN1\nF,01/10/2024,PN1\n" +
		"H,29/09/2024,PN1\nH,03/04/2025,PN1\nI,29/09/2024,PN1\n" +
		"J,30/05/2024,PN1\nJ,29/08/2024,PN1\n" +
		"K,01/01/2024,PN0\nK,25/07/2024,PN0\nK,30/10/2024,PN2\nL,17/03/2025,PN1\n",
	"allocations.csv": "CHILD,ROLE,WORKER,START,END\n" +
		"F,IRO,Kate,2023-09-01,\nK,IRO,Kate,2024-01-01,\nH,IRO,Hugo,2024-09-01,\nI,IRO,Hugo,2024-09-01,\nL,IRO,Lena,2025-03-03,\n",
	"health_assessments.csv": "CHILD,ASSESSMENT_DATE\nF,2024-06-01\n",
	"peps.csv":               "CHILD,PEP_DATE\nF,2025-03-01\n",
}

func TestAnnualFigureDefinitions(t *testing.T) {
	s := annualReportOf(t, annualCases)
	ov := s["Overview"]
	for _, c := range []struct {
		label string
		want  float64
	}{
		{"Children looked after during the year", 7},   // F H I J K L M
		{"Children looked after at 31 March", 5},       // F H I K M
		{"Children who started to be looked after", 3}, // J (twice, counted once), L, M
		{"Children who ceased to be looked after", 2},  // J (twice, counted once), L
		// F 1 Apr, 1 Oct; H, I 29 Sep; J 30 May, 29 Aug; K 25 Jul, 30 Oct;
		// L 17 Mar (H's 3 Apr 2025 is next year's)
		{"Reviews held", 9},
		// Looked-after chain due in the year: F 2 met, H and I due 31 Mar
		// not held that day, J 2 met, L met: 5 of 7 (K's are adoption
		// reviews; M's is due 14 Apr 2025).
		{"Reviews in timescale (obligations due in the year)", 5.0 / 7},
		{"initial reviews", 1},          // J twice, L
		{"subsequent reviews", 2.0 / 4}, // F twice met; H, I not held on 31 Mar
		{"Adoption reviews in timescale", 0.5},
		{"School-age children with a current PEP at 31 March", 0.5}, // F of F and H
		{"first PEP not yet due (left out of the share)", 1},        // M
		{"Health assessments in date at 31 March", 0.25},            // F of F, H, I, K
		{"first assessment not yet due (left out of the share)", 1}, // M
	} {
		near(t, c.label, row(t, ov, c.label)[1], c.want)
	}
	// The year before (as of 31 March 2024): F and K, anchored, nothing due.
	near(t, "looked after during 2023-24", row(t, ov, "Children looked after during the year")[2], 2)
	near(t, "started in 2023-24", row(t, ov, "Children who started to be looked after")[2], 0)
	if r := row(t, ov, "Reviews in timescale (obligations due in the year)"); len(r) > 2 && r[2] != "" {
		t.Errorf("2023-24 had no review due, shows %q", r[2])
	}

	tl := s["Timeliness"]
	for _, c := range []struct {
		label           string
		due, met, share float64
	}{
		{"Q1: Apr 2024 to Jun 2024", 2, 2, 1},       // F 1 Apr, J 31 May
		{"Q2: Jul 2024 to Sep 2024", 1, 1, 1},       // J 30 Aug
		{"Q3: Oct 2024 to Dec 2024", 1, 1, 1},       // F 1 Oct
		{"Q4: Jan 2025 to Mar 2025", 3, 1, 1.0 / 3}, // H, I, L on 31 Mar; L met
		{"All looked-after reviews", 7, 5, 5.0 / 7},
		{"Adoption reviews (reported apart)", 2, 1, 0.5},
	} {
		r := row(t, tl, c.label)
		near(t, c.label+" due", r[1], c.due)
		near(t, c.label+" met", r[2], c.met)
		near(t, c.label+" share", r[3], c.share)
	}

	iro := s["IRO caseloads"]
	// Kate: F and K all year (730 days); her looked-after reviews F 2 of 2,
	// adoption K 1 of 2; she chaired F 1 Apr, 1 Oct, K 25 Jul, 30 Oct.
	k := row(t, iro, "Kate")
	near(t, "Kate at 31 March", k[1], 2)
	near(t, "Kate average", k[2], 2)
	near(t, "Kate chaired", k[3], 4)
	near(t, "Kate looked-after reviews in timescale", k[4], 1)
	near(t, "Kate adoption reviews in timescale", k[5], 0.5)
	// Hugo: H and I from 1 Sep 2024 to 31 Mar 2025, 212 days each; he
	// chaired their first reviews (29 Sep, anchors of the chains: held
	// reviews, though no obligation); their 31 March reviews were not held
	// on the day.
	h := row(t, iro, "Hugo")
	near(t, "Hugo at 31 March", h[1], 2)
	near(t, "Hugo average", h[2], 424.0/365)
	near(t, "Hugo chaired", h[3], 2)
	near(t, "Hugo in timescale", h[4], 0)
	// Lena: L looked after 3 to 19 Mar 2025 (17 days; she left on the 20th,
	// the allocation still open); not looked after at 31 March.
	l := row(t, iro, "Lena")
	near(t, "Lena at 31 March", l[1], 0)
	near(t, "Lena average", l[2], 17.0/365)
	near(t, "Lena chaired", l[3], 1)
	near(t, "Lena in timescale", l[4], 1)
	// Reviews chaired add up to the Overview's 9 reviews held with J's 2,
	// which had no IRO allocated.

	eq := s["Equalities"]
	// Legal status on the day held (not held: due): care order F twice, L
	// (held 17 Mar under a care order; due 31 Mar, after she had moved and
	// left); accommodated H, I (due 31 Mar, in care) and J twice. All seven
	// were in foster placements on the day.
	near(t, "care order due", row(t, eq, "Care order (interim or full)")[1], 3)
	near(t, "care order in timescale", row(t, eq, "Care order (interim or full)")[2], 1)
	near(t, "accommodated due", row(t, eq, "Accommodated (section 20)")[1], 4)
	near(t, "accommodated in timescale", row(t, eq, "Accommodated (section 20)")[2], 0.5)
	for _, r := range eq {
		if len(r) > 0 && (r[0] == "Other or not recorded" || r[0] == "Other placements") {
			t.Errorf("a review is grouped with no episode: %q", r)
		}
	}
	near(t, "foster placement due", row(t, eq, "Foster placement")[1], 7)

	pa := s["Participation"]
	// Not PN0: 8 of the 9 reviews held (K's 25 Jul is PN0; his 30 Oct, PN2,
	// counts though he is 2): PN1 F 2, H, I, J 2, L.
	near(t, "PN1 reviews", row(t, pa, "PN1")[2], 7)
	near(t, "PN1 share", row(t, pa, "PN1")[3], 7.0/8)
	near(t, "PN2 share", row(t, pa, "PN2")[3], 1.0/8)
	near(t, "PN0 apart", row(t, pa, "PN0")[2], 1)

	cp := s["Care planning"]
	hr := row(t, cp, "Children with an in-date health assessment at 31 March")
	near(t, "health in date", hr[1], 1)
	near(t, "health of", hr[2], 4)
	near(t, "health first not yet due", row(t, cp, "children whose first health assessment is not yet due (left out)")[1], 1)
	near(t, "PEP first not yet due", row(t, cp, "school-age children whose first PEP is not yet due (left out)")[1], 1)

	method := ""
	for _, r := range s["Method"] {
		method += strings.Join(r, " ") + "\n"
	}
	for _, want := range []string{"counts against the year", "counts once", "not coded PN0", "children looked after that day", "not yet due"} {
		if !strings.Contains(method, want) {
			t.Errorf("Method does not say %q", want)
		}
	}
}

// A year still running is a year to date: the title and the year's column
// say so, the snapshot lines name the as-of date (last year's, its 31
// March), and counts of part of a year are not compared with the whole of
// the last (percentages are). As of 31 January 2025, in 2024-25.
func TestAnnualYearToDate(t *testing.T) {
	sheets := annualReport(t, "--as-of", "2025-01-31")
	ov := sheets["Overview"]
	if got := ov[1][0]; got != "IRO service annual report 2024-25 to date" {
		t.Errorf("title %q", got)
	}
	head := row(t, ov, "Figure")
	if head[1] != "2024-25 to date" || head[2] != "2023-24" {
		t.Errorf("columns %q", head)
	}
	at := row(t, ov, "Children looked after at 31 January 2025 (2023-24: at 31 March)")
	if len(at) > 3 && at[3] != "" {
		t.Errorf("a count of part of a year is compared: %q", at)
	}
	if r := row(t, ov, "Reviews held"); len(r) > 3 && r[3] != "" {
		t.Errorf("reviews held compared: %q", r)
	}
	if r := row(t, ov, "Reviews in timescale (obligations due in the year)"); len(r) < 4 || r[3] == "" {
		t.Errorf("a percentage is not compared: %q", r)
	}
	// The year over, as the other tests see it: no "to date", changes shown.
	ov = annualReport(t)["Overview"]
	if r := row(t, ov, "Children looked after at 31 March"); len(r) < 4 || r[3] == "" {
		t.Errorf("a finished year's count is not compared: %q", r)
	}
}

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
	in := t.TempDir()
	for name, content := range annualExtract {
		os.WriteFile(filepath.Join(in, name), []byte(content), 0o600)
	}
	out := t.TempDir()
	args := append([]string{"annual", "--year", "2024", "--input", in, "--out", out, "--as-of", "2025-06-30"}, extra...)
	r := lacaudit(t, args...)
	if r.code != 0 {
		t.Fatalf("exit %d: %s", r.code, r.stderr)
	}
	path := filepath.Join(out, "lacaudit-annual-2024-25.xlsx")
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
	sheets["_path"] = [][]string{{path}}
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

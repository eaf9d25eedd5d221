package audit_test

import (
	"sort"
	"strings"
	"testing"
)

// Every boundary the rules state, tested on both sides (issue 21): each
// deadline on its last day in time and its first day late, each window on
// its last day and the day after, records dated on the as-of date and the
// day after it, allocations that start or end on the as-of date. Every date
// is worked out by hand in the comment beside it. The as-of date is Friday
// 14 June 2024; 2024 is a leap year, and 6 and 27 May 2024 are bank holidays.
//
// These tests come first in the package (file order), so that the mutation
// check (mutants_test.go) stops early on most mutants.
func TestBoundariesAroundTheAsOfDate(t *testing.T) {
	const asOf = "2024-06-14"
	episodes := []string{hEpisodes,
		// An episode starting on the as-of date counts; one starting the day
		// after does not exist yet.
		"STARTS_TODAY,14/06/2024,S,C2,U3,,,",
		"STARTS_TOMORROW,15/06/2024,S,C2,U3,,,",
		// The DEC day is not a day looked after: a period ending on the as-of
		// date is over; one ending the day after is open as far as it knows.
		"ENDS_TODAY,01/06/2024,S,C2,U3,14/06/2024,E4A,",
		"ENDS_TOMORROW,01/06/2024,S,C2,U3,15/06/2024,E4A,",
		// A placement breaking down on the as-of date.
		"BREAK_TODAY,01/03/2024,S,C2,U3,14/06/2024,X1,CREQB", "BREAK_TODAY,14/06/2024,P,C2,U4,,,",
		"REVIEW_TODAY,03/06/2024,S,C2,U3,,,",
		"REVIEW_TOMORROW,03/06/2024,S,C2,U3,,,",
		"VISIT_DUE_TODAY,01/01/2024,S,C2,U3,,,",
		"VISIT_DUE_YESTERDAY,01/01/2024,S,C2,U3,,,",
		// 20 working days after Thu 16 May: 17 (1), 20-24 (6), 28-31 (10; 27
		// May a holiday), 3-7 Jun (15), 10-14 (20) -> Fri 14 Jun, the as-of
		// date. From Wed 15 May: Thu 13 Jun.
		"INITIAL_DUE_TODAY,16/05/2024,S,C2,U3,,,",
		"INITIAL_DUE_YESTERDAY,15/05/2024,S,C2,U3,,,",
		// From Tue 21 May: 22-24 (3), 28-31 (7), 3-7 (12), 10-14 (17), 17-19 Jun
		// (20) -> initial review due Wed 19 Jun; from Mon 20 May, Tue 18 Jun.
		"REPORT_DUE_TODAY,21/05/2024,S,C2,U3,,,",
		"REPORT_DUE_YESTERDAY,20/05/2024,S,C2,U3,,,",
		"DECISIONS_DUE_TODAY,03/06/2024,S,C2,U3,,,",
		"DECISIONS_DUE_YESTERDAY,03/06/2024,S,C2,U3,,,",
		"PREP_HELD,29/04/2024,S,C2,U3,,,",
		"ADJ,15/04/2024,S,C2,U3,,,",
		// Allocations starting and ending on the as-of date.
		"ALLOC1,02/01/2023,S,C2,U3,,,",
		"ALLOC2,01/01/2024,S,C2,U3,01/03/2024,X1,CREQB", "ALLOC2,01/03/2024,P,C2,U4,01/05/2024,X1,ALLEG", "ALLOC2,01/05/2024,P,C2,U6,,,",
		"NOALLOC,01/01/2024,S,C2,U3,,,",
		// The breakdown window: the 365 days up to 14 Jun 2024 start on 16 Jun
		// 2023 (14 Jun 2024 - 365 days = 15 Jun 2023, 29 Feb included).
		"W1,01/06/2023,S,C2,U3,16/06/2023,X1,CREQB", "W1,16/06/2023,P,C2,U4,01/02/2024,X1,CREQB", "W1,01/02/2024,P,C2,U6,,,",
		"W2,01/06/2023,S,C2,U3,15/06/2023,X1,CREQB", "W2,15/06/2023,P,C2,U4,01/02/2024,X1,CREQB", "W2,01/02/2024,P,C2,U6,,,",
		"W3,01/01/2024,S,C2,U3,01/03/2024,X1,CREQB", "W3,01/03/2024,P,C2,U4,14/06/2024,X1,CREQB", "W3,14/06/2024,P,C2,U6,,,",
		// Pairs of breakdowns: 1 Feb + 91 days = 2 May (29 Feb included).
		"P91,01/01/2024,S,C2,U3,01/02/2024,X1,CREQB", "P91,01/02/2024,P,C2,U4,02/05/2024,X1,CREQB", "P91,02/05/2024,P,C2,U6,,,",
		"P92,01/01/2024,S,C2,U3,01/02/2024,X1,CREQB", "P92,01/02/2024,P,C2,U4,03/05/2024,X1,CREQB", "P92,03/05/2024,P,C2,U6,,,",
		"SMD,01/01/2024,S,C2,U3,01/02/2024,X1,CREQB", "SMD,01/02/2024,P,C2,U4,01/03/2024,X1,CREQB", "SMD,01/03/2024,P,C2,U6,,,",
		"M0,01/01/2024,S,C2,U3,10/05/2024,X1,CREQB", "M0,10/05/2024,P,C2,U4,,,",
		"M1,01/01/2024,S,C2,U3,10/05/2024,X1,CREQB", "M1,10/05/2024,P,C2,U4,,,",
		"D42,01/01/2024,S,C2,U3,01/03/2024,X1,CREQB", "D42,01/03/2024,P,C2,U4,,,",
		"D43,01/01/2024,S,C2,U3,01/03/2024,X1,CREQB", "D43,01/03/2024,P,C2,U4,,,",
		"H5,01/01/2024,S,C2,U3,,,", "H4,01/01/2024,S,C2,U3,,,", "HS,02/04/2024,S,C2,U3,,,",
		"HA,01/01/2024,S,C2,U3,,,", "HT,01/01/2024,S,C2,U3,,,",
		"VS,01/06/2024,S,C2,U3,,,", "VA,01/01/2024,S,C2,U3,,,", "VT,01/06/2024,S,C2,U3,,,",
		"PS,02/04/2024,S,C2,U3,,,", "PA,01/01/2024,S,C2,U3,,,", "PT,01/01/2024,S,C2,U3,,,",
		"PP1,03/06/2024,S,C2,U3,,,", "PP2,03/06/2024,S,C2,U3,,,", "PP3,03/06/2024,S,C2,U3,,,",
		// Long-term foster placements of 365 and 366 days on the as-of date.
		"L365,15/06/2023,S,C2,U1,,,", "L366,14/06/2023,S,C2,U1,,,", "LM,01/01/2023,S,C2,U1,,,",
	}
	header := []string{hHeader, "H5,10/03/2019", "H4,11/03/2019"}
	seen := map[string]bool{"H5": true, "H4": true}
	for _, e := range episodes[1:] {
		c := strings.SplitN(e, ",", 2)[0]
		if !seen[c] {
			seen[c] = true
			header = append(header, c+",01/01/2012") // 11 on 31 Aug 2023: school age
		}
	}
	alloc := []string{"CHILD,ROLE,WORKER,START,END",
		"NOALLOC,SW,Sam,2024-06-15,", "NOALLOC,IRO,Ria,2024-01-01,2024-06-13"}
	for _, c := range []string{"ALLOC1", "ALLOC2"} {
		alloc = append(alloc, c+",SW,Ann,2023-01-01,2024-06-13", c+",SW,Bob,2024-06-14,2024-06-14",
			c+",IRO,Ria,2023-01-01,2024-06-14", c+",TEAM,Team B,2024-06-14,")
	}
	ex := extract{
		"header":   header,
		"episodes": episodes,
		"reviews": {hReviews,
			"REVIEW_TODAY,14/06/2024,PN1", "REVIEW_TOMORROW,15/06/2024,PN1",
			"DECISIONS_DUE_TODAY,07/06/2024,PN1", "DECISIONS_DUE_YESTERDAY,06/06/2024,PN1",
			"PREP_HELD,20/05/2024,PN1",
			"ADJ,02/05/2024,PN1", "ADJ,03/05/2024,PN1", "ADJ,07/05/2024,PN1",
			"ALLOC1,20/01/2023,PN1", "ALLOC1,20/04/2023,PN1", "ALLOC1,19/10/2023,PN1", "ALLOC1,01/03/2024,PN1",
			"L365,15/06/2023,PN1", "L366,14/06/2023,PN1", "LM,15/06/2023,PN1",
		},
		"review_details": {"CHILD,REVIEW,MEETING_HELD,ADJOURNMENTS,ADJOURNED_TO,CONSULTATION,INVITES_SENT,SW_REPORT," +
			"DECISIONS_ISSUED,CARE_PLAN_UPDATED,RECORD_COMPLETED,RECORD_DISTRIBUTED,LONG_TERM_FOSTER",
			"REVIEW_TODAY,14/06/2024,,,,,,11/06/2024,,,,,",
			"DECISIONS_DUE_TODAY,07/06/2024,,,,,,,,,,,",
			"DECISIONS_DUE_YESTERDAY,06/06/2024,,,,,,,,,,,",
			"PREP_HELD,20/05/2024,,,,19/04/2024,20/05/2024,16/05/2024,28/05/2024,05/06/2024,11/06/2024,,",
			"ADJ,02/05/2024,,,03/06/2024,,,,,,,,", "ADJ,03/05/2024,,1,,,,,,,,,", "ADJ,07/05/2024,,2,,,,,,,,,",
			"ALLOC1,01/03/2024,N,,,,,,,,,,Y",
			"L365,15/06/2023,Y,,,,,,,,,,Y", "L366,14/06/2023,Y,,,,,,,,,,Y", "LM,15/06/2023,Y,,,,,,,,,,Y",
		},
		"peps":             {"CHILD,PEP_DATE", "PS,02/04/2024", "PA,14/06/2024", "PT,15/06/2024"},
		"permanence_plans": {"CHILD,PLAN_DATE", "PP1,03/06/2024", "PP2,14/06/2024", "PP3,15/06/2024"},
		"disruption_meetings": {"CHILD,MEETING_DATE,SENIOR_MANAGER",
			"SMD,01/03/2024,Y", "M0,14/06/2024,N", "M1,15/06/2024,N", "D42,12/04/2024,N", "D43,13/04/2024,N"},
		"health_assessments": {"CHILD,ASSESSMENT_DATE",
			"H5,10/03/2024", "H4,10/03/2024", "HS,02/04/2024", "HA,14/06/2024", "HT,15/06/2024"},
		"visits": {"CHILD,VISIT_DATE,CHILD_SEEN,BEDROOM_SEEN",
			"VISIT_DUE_TODAY,03/05/2024,Y,N", "VISIT_DUE_YESTERDAY,02/05/2024,Y,N",
			"VS,01/06/2024,Y,Y", "VA,14/06/2024,Y,N", "VT,15/06/2024,Y,Y"},
		"allocations": alloc,
	}
	fs, _, db := audited(t, ex, asOf)
	byChild := map[string][]finding{}
	for _, f := range fs {
		byChild[f.Child] = append(byChild[f.Child], f)
	}

	// Episodes: 14 Jun + 7 = 21 Jun. A child not in care yet, or no longer
	// in care, has no row at all (its period ended before any deadline).
	expect(t, fs, "VISIT_STATUTORY", "STARTS_TODAY", want{"VISIT_STATUTORY", "2024-06-21", "", "upcoming", 0})
	for _, c := range []string{"STARTS_TOMORROW", "ENDS_TODAY"} {
		if len(byChild[c]) > 0 {
			t.Errorf("%s has findings: %v", c, byChild[c])
		}
	}
	// Still in care: 1 Jun + 7 = 8 Jun, 6 days overdue.
	expect(t, fs, "VISIT_STATUTORY", "ENDS_TOMORROW", want{"VISIT_STATUTORY", "2024-06-08", "", "overdue", 6})
	// The placement ended on the as-of date: meeting due 14 Jun + 42 = 26 Jul.
	expect(t, fs, "DISRUPTION_MEETING", "BREAK_TODAY", want{"DISRUPTION_MEETING", "2024-07-26", "", "upcoming", 0})

	// A review on the as-of date is held; one the day after is not yet.
	// Initial due 20 working days after Mon 3 Jun: 4-7 (4), 10-14 (9), 17-21
	// (14), 24-28 (19), 1 Jul (20). Second: 14 Jun + 91 = 13 Sep.
	expect(t, fs, chain, "REVIEW_TODAY",
		want{"REV_INITIAL", "2024-07-01", "2024-06-14", "met", 0},
		want{"REV_SECOND", "2024-09-13", "", "upcoming", 0})
	expect(t, fs, chain, "REVIEW_TOMORROW", want{"REV_INITIAL", "2024-07-01", "", "upcoming", 0})
	// The details of a review held on the as-of date count: its report, 3
	// working days before Fri 14 Jun (13, 12, 11 Jun), done on Tue 11 Jun. Its
	// consultation (20 working days before) and invitations (10 before: 31
	// May) fell before the child came into care on 3 Jun: not owed. The
	// second review, due Fri 13 Sep, is planned for: consultation 20 working
	// days before (9-12 Sep, 2-6, 26-30 Aug (26th a holiday), 19-23, 15-16)
	// Thu 15 Aug; invitations 10 (9-12, 2-6, 30 Aug) Fri 30 Aug; report 5
	// (12, 11, 10, 9, 6) Fri 6 Sep.
	expect(t, fs, "PREP_SW_REPORT", "REVIEW_TODAY",
		want{"PREP_SW_REPORT", "2024-06-11", "2024-06-11", "met", 0},
		want{"PREP_SW_REPORT", "2024-09-06", "", "upcoming", 0})
	expect(t, fs, "PREP_CONSULTATION", "REVIEW_TODAY", want{"PREP_CONSULTATION", "2024-08-15", "", "upcoming", 0})
	expect(t, fs, "PREP_INVITATIONS", "REVIEW_TODAY", want{"PREP_INVITATIONS", "2024-08-30", "", "upcoming", 0})

	// Due on the as-of date: upcoming (met when done); due the day before:
	// overdue by 1. Snapshot: visits on 3 May and 2 May + 42 = 14 and 13 Jun.
	expect(t, fs, "VISIT_STATUTORY", "VISIT_DUE_TODAY", want{"VISIT_STATUTORY", "2024-06-14", "2024-05-03", "met", 0})
	expect(t, fs, "VISIT_STATUTORY", "VISIT_DUE_YESTERDAY", want{"VISIT_STATUTORY", "2024-06-13", "2024-05-02", "overdue", 1})
	// Working days, across the 27 May holiday: review, health assessment and
	// PEP all due 20 working days after the period's start.
	for _, r := range []string{"REV_INITIAL", "HEALTH_ASSESSMENT", "PEP_CURRENT"} {
		expect(t, fs, r, "INITIAL_DUE_TODAY", want{r, "2024-06-14", "", "upcoming", 0})
		expect(t, fs, r, "INITIAL_DUE_YESTERDAY", want{r, "2024-06-13", "", "overdue", 1})
	}
	// A planning date on the as-of date: the report 3 working days before an
	// initial review due Wed 19 Jun is Fri 14 Jun (18, 17, 14); before Tue
	// 18 Jun it is Thu 13 Jun (17, 14, 13).
	expect(t, fs, "PREP_SW_REPORT", "REPORT_DUE_TODAY", want{"PREP_SW_REPORT", "2024-06-14", "", "upcoming", 0})
	expect(t, fs, "PREP_SW_REPORT", "REPORT_DUE_YESTERDAY", want{"PREP_SW_REPORT", "2024-06-13", "", "overdue", 1})
	// Decisions 5 working days after Fri 7 Jun: 10-14 Jun; after Thu 6 Jun:
	// 7, 10-13 Jun.
	expect(t, fs, "REC_DECISIONS", "DECISIONS_DUE_TODAY", want{"REC_DECISIONS", "2024-06-14", "", "upcoming", 0})
	expect(t, fs, "REC_DECISIONS", "DECISIONS_DUE_YESTERDAY", want{"REC_DECISIONS", "2024-06-13", "", "overdue", 1})

	// A held initial review on Mon 20 May 2024 (period from 29 Apr, due 29
	// May), its preparation and its records, each on its last day or just
	// after, across the 6 and 27 May holidays:
	// consultation 20 working days before: 13-17 May (5), 7-10 (9), 29 Apr-3
	// May (14), 22-26 Apr (19), 19 Apr (20): before the period began on 29
	// Apr, so not owed (RULES.md §3.5), though done on 19 Apr;
	// invitations 10 before: 13-17 May (5), 7-10 (9), 3 May (10), sent on the
	// review day, 20 May: 17 days late (a date on the review day still counts);
	// report 3 before an initial review: 17, 16, 15 May, done 16 May: 1 late.
	// The next review is due 20 May + 91 = 19 Aug: consultation 22 Jul (12-16
	// Aug, 5-9, 29 Jul-2 Aug, 22-26 Jul), invitations 5 Aug, report 5 before a
	// second review 12 Aug.
	expect(t, fs, "PREP_CONSULTATION", "PREP_HELD",
		want{"PREP_CONSULTATION", "2024-07-22", "", "upcoming", 0})
	expect(t, fs, "PREP_INVITATIONS", "PREP_HELD",
		want{"PREP_INVITATIONS", "2024-05-03", "2024-05-20", "late", 17},
		want{"PREP_INVITATIONS", "2024-08-05", "", "upcoming", 0})
	expect(t, fs, "PREP_SW_REPORT", "PREP_HELD",
		want{"PREP_SW_REPORT", "2024-05-15", "2024-05-16", "late", 1},
		want{"PREP_SW_REPORT", "2024-08-12", "", "upcoming", 0})
	// Decisions 5 working days after: 21-24 May, 28 May (27 a holiday), done
	// 28 May: met; care plan 10: 29-31 May, 3-4 Jun -> 4 Jun, done 5 Jun: 1
	// late; full record 15: 5-7, 10-11 Jun -> 11 Jun, done that day: met;
	// distributed 20: 12-14, 17-18 Jun -> 18 Jun, not yet: upcoming.
	expect(t, fs, "REC_DECISIONS", "PREP_HELD", want{"REC_DECISIONS", "2024-05-28", "2024-05-28", "met", 0})
	expect(t, fs, "REC_CARE_PLAN", "PREP_HELD", want{"REC_CARE_PLAN", "2024-06-04", "2024-06-05", "late", 1})
	expect(t, fs, "REC_FULL_RECORD", "PREP_HELD", want{"REC_FULL_RECORD", "2024-06-11", "2024-06-11", "met", 0})
	expect(t, fs, "REC_DISTRIBUTED", "PREP_HELD", want{"REC_DISTRIBUTED", "2024-06-18", "", "upcoming", 0})
	// Adjournments: to the 20th working day after Thu 2 May (3 (1), 7-10 (5),
	// 13-17 (10), 20-24 (15), 28-31 (19), 3 Jun (20)): met; adjourned once:
	// met; twice: not met.
	expect(t, fs, "REV_ADJOURNMENT", "ADJ",
		want{"REV_ADJOURNMENT", "2024-05-02", "", "met", 0},
		want{"REV_ADJOURNMENT", "2024-05-03", "", "met", 0},
		want{"REV_ADJOURNMENT", "2024-05-07", "", "not_met", 0})

	// Allocations on the as-of date: Bob's (14 Jun only), Ria's (ending 14
	// Jun) and Team B's (from 14 Jun) cover it; Ann's ended the day before.
	// Every row looked up on the as-of date names them; the records of the
	// review of 1 Mar 2024 (looked up on that day) name Ann and Ria.
	// Snapshot and alert rows are looked up on the as-of date whatever their
	// status; dated obligations while they are upcoming or overdue.
	snapshot := map[string]bool{"PEP_CURRENT": true, "HEALTH_ASSESSMENT": true, "VISIT_STATUTORY": true,
		"VISIT_BEDROOM_SEEN": true, "LTF_ANNUAL_MEETING": true, "NO_ALLOCATED_SW": true, "NO_ALLOCATED_IRO": true,
		"BREAKDOWNS_NO_DISRUPTION": true, "BREAKDOWNS_NO_SENIOR_MANAGER": true}
	onAsOf := map[string]bool{"REV_SUBSEQUENT": true, "PERM_BY_SECOND": true, "DISRUPTION_MEETING": true,
		"PREP_CONSULTATION": true, "PREP_INVITATIONS": true, "PREP_SW_REPORT": true}
	for r := range snapshot {
		onAsOf[r] = true
	}
	seenRule := map[string]bool{}
	for _, c := range []string{"ALLOC1", "ALLOC2"} {
		for _, f := range byChild[c] {
			switch {
			case f.Rule == "REC_DECISIONS":
				seenRule[f.Rule] = true
				if f.Team != "" || f.SW != "Ann" || f.IRO != "Ria" {
					t.Errorf("%s %s (on 1 Mar) names %q, %q, %q; want no team, Ann and Ria", c, f.Rule, f.Team, f.SW, f.IRO)
				}
			case snapshot[f.Rule] || (onAsOf[f.Rule] && (f.Status == "upcoming" || f.Status == "overdue")):
				seenRule[f.Rule] = true
				if f.Team != "Team B" || f.SW != "Bob" || f.IRO != "Ria" {
					t.Errorf("%s %s due %s (on the as-of date) names %q, %q, %q; want Team B, Bob and Ria", c, f.Rule, f.Due, f.Team, f.SW, f.IRO)
				}
			}
		}
	}
	for r := range onAsOf {
		if !seenRule[r] {
			t.Errorf("no %s row of ALLOC1 or ALLOC2 was looked up on the as-of date", r)
		}
	}
	expect(t, fs, "NO_ALLOCATED_SW", "ALLOC1", want{"NO_ALLOCATED_SW", "2024-06-14", "", "met", 0})
	expect(t, fs, "NO_ALLOCATED_IRO", "ALLOC1", want{"NO_ALLOCATED_IRO", "2024-06-14", "", "met", 0})
	// Sam starts the day after, Ria ended the day before.
	expect(t, fs, "NO_ALLOCATED_SW", "NOALLOC", want{"NO_ALLOCATED_SW", "2024-06-14", "", "not_met", 0})
	expect(t, fs, "NO_ALLOCATED_IRO", "NOALLOC", want{"NO_ALLOCATED_IRO", "2024-06-14", "", "not_met", 0})
	// The allocations in force that the workbook's caseloads read are the
	// same: Ann's (ended the day before) and Sam's (starting the day after)
	// are not among them.
	var inForce string
	if err := db.QueryRow(`SELECT coalesce(string_agg(child || ' ' || role || ' ' || worker, ', ' ORDER BY child, role), '')
		FROM a_allocations WHERE child IN ('ALLOC1', 'NOALLOC')`).Scan(&inForce); err != nil {
		t.Fatal(err)
	}
	if inForce != "ALLOC1 IRO Ria, ALLOC1 SW Bob, ALLOC1 TEAM Team B" {
		t.Errorf("allocations in force: %q, want Ria, Bob and Team B of ALLOC1", inForce)
	}

	// Breakdown window: 16 Jun 2023 is in it, 15 Jun 2023 is not; a breakdown
	// on the as-of date is.
	expect(t, fs, "BREAKDOWNS_NO_DISRUPTION", "W1", want{"BREAKDOWNS_NO_DISRUPTION", "2024-06-14", "", "not_met", 0})
	expect(t, fs, "BREAKDOWNS_NO_DISRUPTION", "W2")
	expect(t, fs, "BREAKDOWNS_NO_DISRUPTION", "W3", want{"BREAKDOWNS_NO_DISRUPTION", "2024-06-14", "", "not_met", 0})
	// 16 Jun 2023 to 1 Feb 2024 is 230 days; 1 Mar to 14 Jun 2024, 105: no pair.
	expect(t, fs, "BREAKDOWNS_NO_SENIOR_MANAGER", "W1")
	expect(t, fs, "BREAKDOWNS_NO_SENIOR_MANAGER", "W3")
	// Breakdowns 91 days apart are a pair; 92 days apart are not.
	expect(t, fs, "BREAKDOWNS_NO_SENIOR_MANAGER", "P91", want{"BREAKDOWNS_NO_SENIOR_MANAGER", "2024-06-14", "", "not_met", 0})
	expect(t, fs, "BREAKDOWNS_NO_SENIOR_MANAGER", "P92")
	expect(t, fs, "BREAKDOWNS_NO_DISRUPTION", "P92", want{"BREAKDOWNS_NO_DISRUPTION", "2024-06-14", "", "not_met", 0})
	// A senior manager's meeting on the day of the second breakdown counts,
	// and is that breakdown's disruption meeting (1 Mar + 42 = 12 Apr); the
	// first (1 Feb + 42 = 14 Mar) has none: 92 days overdue.
	expect(t, fs, "BREAKDOWNS_NO_SENIOR_MANAGER", "SMD", want{"BREAKDOWNS_NO_SENIOR_MANAGER", "2024-06-14", "", "met", 0})
	expect(t, fs, "DISRUPTION_MEETING", "SMD",
		want{"DISRUPTION_MEETING", "2024-03-14", "", "overdue", 92},
		want{"DISRUPTION_MEETING", "2024-04-12", "2024-03-01", "met", 0})
	// Meetings on the as-of date count, the day after not yet (10 May + 42 =
	// 21 Jun); on the 42nd day met, on the 43rd late.
	expect(t, fs, "DISRUPTION_MEETING", "M0", want{"DISRUPTION_MEETING", "2024-06-21", "2024-06-14", "met", 0})
	expect(t, fs, "DISRUPTION_MEETING", "M1", want{"DISRUPTION_MEETING", "2024-06-21", "", "upcoming", 0})
	expect(t, fs, "DISRUPTION_MEETING", "D42", want{"DISRUPTION_MEETING", "2024-04-12", "2024-04-12", "met", 0})
	expect(t, fs, "DISRUPTION_MEETING", "D43", want{"DISRUPTION_MEETING", "2024-04-12", "2024-04-13", "late", 1})

	// Health: assessed on the 5th birthday, 365 days (10 Mar 2025); the day
	// before it, under 5, 183 days (10 Mar + 183 = 9 Sep 2024). Assessed on
	// the period's first day (2 Apr + 365 = 2 Apr 2025) or on the as-of date
	// counts; the day after does not: 20 working days after Mon 1 Jan (a
	// holiday): 2-5 (4), 8-12 (9), 15-19 (14), 22-26 (19), 29 Jan (20), 137
	// days overdue.
	expect(t, fs, "HEALTH_ASSESSMENT", "H5", want{"HEALTH_ASSESSMENT", "2025-03-10", "2024-03-10", "met", 0})
	expect(t, fs, "HEALTH_ASSESSMENT", "H4", want{"HEALTH_ASSESSMENT", "2024-09-09", "2024-03-10", "met", 0})
	expect(t, fs, "HEALTH_ASSESSMENT", "HS", want{"HEALTH_ASSESSMENT", "2025-04-02", "2024-04-02", "met", 0})
	expect(t, fs, "HEALTH_ASSESSMENT", "HA", want{"HEALTH_ASSESSMENT", "2025-06-14", "2024-06-14", "met", 0})
	expect(t, fs, "HEALTH_ASSESSMENT", "HT", want{"HEALTH_ASSESSMENT", "2024-01-29", "", "overdue", 137})
	// Visits on the placement's first day (1 Jun + 42 = 13 Jul; bedroom 1 Jun
	// + 183 = 1 Dec) and on the as-of date count; the day after does not.
	expect(t, fs, "VISIT_STATUTORY", "VS", want{"VISIT_STATUTORY", "2024-07-13", "2024-06-01", "met", 0})
	expect(t, fs, "VISIT_BEDROOM_SEEN", "VS", want{"VISIT_BEDROOM_SEEN", "2024-12-01", "2024-06-01", "met", 0})
	expect(t, fs, "VISIT_STATUTORY", "VA", want{"VISIT_STATUTORY", "2024-07-26", "2024-06-14", "met", 0})
	expect(t, fs, "VISIT_STATUTORY", "VT", want{"VISIT_STATUTORY", "2024-06-08", "", "overdue", 6})
	expect(t, fs, "VISIT_BEDROOM_SEEN", "VT", want{"VISIT_BEDROOM_SEEN", "2024-06-08", "", "overdue", 6})
	// PEPs the same: 2 Apr + 183 = 2 Oct; 14 Jun + 183 = 14 Dec.
	expect(t, fs, "PEP_CURRENT", "PS", want{"PEP_CURRENT", "2024-10-02", "2024-04-02", "met", 0})
	expect(t, fs, "PEP_CURRENT", "PA", want{"PEP_CURRENT", "2024-12-14", "2024-06-14", "met", 0})
	expect(t, fs, "PEP_CURRENT", "PT", want{"PEP_CURRENT", "2024-01-29", "", "overdue", 137})
	// Permanence plans on the period's first day or the as-of date count, the
	// day after not yet. The initial review is due 1 Jul and not held: the
	// plan is due 1 Jul + 91 = 30 Sep.
	expect(t, fs, "PERM_BY_SECOND", "PP1", want{"PERM_BY_SECOND", "2024-09-30", "2024-06-03", "met", 0})
	expect(t, fs, "PERM_BY_SECOND", "PP2", want{"PERM_BY_SECOND", "2024-09-30", "2024-06-14", "met", 0})
	expect(t, fs, "PERM_BY_SECOND", "PP3", want{"PERM_BY_SECOND", "2024-09-30", "", "upcoming", 0})

	// Long-term foster: a placement of exactly 365 days has no row yet; one
	// of 366 days does. L366's meeting on the placement's first day, 14 Jun
	// 2023, + 365 = 13 Jun 2024 (29 Feb between): 1 day overdue. LM's on 15 Jun
	// 2023 is due on the as-of date: met.
	expect(t, fs, "LTF_ANNUAL_MEETING", "L365")
	expect(t, fs, "LTF_ANNUAL_MEETING", "L366", want{"LTF_ANNUAL_MEETING", "2024-06-13", "2023-06-14", "overdue", 1})
	expect(t, fs, "LTF_ANNUAL_MEETING", "LM", want{"LTF_ANNUAL_MEETING", "2024-06-14", "2023-06-15", "met", 0})
}

// The review chains' boundaries: each timescale met on its last day and late
// the day after, reviews on the first and last day of a period and of a
// placement for adoption, and the looked-after chain resumed after one. As
// of Monday 30 June 2025.
func TestBoundariesOfTheReviewChains(t *testing.T) {
	ex := extract{
		"header": {hHeader, "ADS,01/01/2022", "AD3,01/01/2022", "AD4,01/01/2022", "AD5,01/01/2022", "PE,01/01/2012", "OD,01/01/2012"},
		"episodes": {hEpisodes,
			"ADS,02/01/2024,S,C2,U3,01/03/2024,X1,CARPL", "ADS,01/03/2024,P,E1,A3,,,",
			// Reviewed on the first day of care, placed for adoption 11 Jul to
			// 20 Aug, then looked after again.
			"AD3,01/07/2024,S,C2,U3,11/07/2024,X1,CARPL", "AD3,11/07/2024,P,E1,A3,20/08/2024,X1,CARPL", "AD3,20/08/2024,P,C2,U3,,,",
			// Placed for adoption from the start of care, then looked after.
			"AD4,01/07/2024,S,E1,A3,30/09/2024,X1,CARPL", "AD4,30/09/2024,P,C2,U3,,,",
			// Reviewed on the day the placement for adoption starts and on the
			// day the looked-after chain resumes.
			"AD5,01/07/2024,S,C2,U3,15/07/2024,X1,CARPL", "AD5,15/07/2024,P,E1,A3,16/09/2024,X1,CARPL", "AD5,16/09/2024,P,C2,U3,,,",
			// Reviewed on the day the period ends and on the day after.
			"PE,03/06/2024,S,C2,U3,20/06/2024,E4A,",
			// A period of one day, reviewed on it.
			"OD,10/06/2024,S,C2,U3,10/06/2024,E4A,",
		},
		"reviews": {hReviews,
			"ADS,25/01/2024,PN1", "ADS,29/03/2024,PN1", "ADS,28/06/2024,PN1", "ADS,29/12/2024,PN1",
			"AD3,01/07/2024,PN1",
			"AD4,29/07/2024,PN1", "AD4,28/01/2025,PN1",
			"AD5,15/07/2024,PN1", "AD5,16/09/2024,PN1",
			"PE,20/06/2024,PN1", "PE,21/06/2024,PN1",
			"OD,10/06/2024,PN1",
		},
		// Only the report's date is recorded: consultation and invitations are
		// assessed for upcoming reviews only.
		"review_details": {"CHILD,REVIEW,SW_REPORT", "AD4,28/01/2025,"},
	}
	fs, _, db := audited(t, ex, "2025-06-30")
	// Initial: 20 working days after Tue 2 Jan 2024 = 30 Jan, held 25 Jan.
	// Adoption: 1 Mar + 28 = 29 Mar, held that day; + 91 = 28 Jun, held that
	// day; + 183 = Sat 28 Dec, held 29 Dec: 1 day late; 29 Dec + 183 = 30 Jun
	// 2025, the as-of date: upcoming.
	expect(t, fs, chain, "ADS",
		want{"REV_INITIAL", "2024-01-30", "2024-01-25", "met", 0},
		want{"REV_ADOPT_FIRST", "2024-03-29", "2024-03-29", "met", 0},
		want{"REV_ADOPT_SECOND", "2024-06-28", "2024-06-28", "met", 0},
		want{"REV_ADOPT_SUBSEQUENT", "2024-12-28", "2024-12-29", "late", 1},
		want{"REV_ADOPT_SUBSEQUENT", "2025-06-30", "", "upcoming", 0})
	// Initial due 20 working days after Mon 1 Jul: 2-5 (4), 8-12 (9), 15-19
	// (14), 22-26 (19), 29 Jul (20); held on the first day. Adoption review
	// due 11 Jul + 28 = 8 Aug, not held when the placement ended on 20 Aug:
	// missed by 12 days. Resumed: 1 Jul (a review on the period's first day)
	// + 183 = 31 Dec 2024, 181 days overdue on 30 Jun 2025.
	expect(t, fs, chain, "AD3",
		want{"REV_INITIAL", "2024-07-29", "2024-07-01", "met", 0},
		want{"REV_ADOPT_FIRST", "2024-08-08", "", "missed", 12},
		want{"REV_SUBSEQUENT", "2024-12-31", "", "overdue", 181})
	expect(t, fs, "REV_PARTICIPATION", "AD3", want{"REV_PARTICIPATION", "2024-07-01", "", "met", 0})
	// 1 Jul + 28 = 29 Jul, held that day; the second (29 Jul + 91 = 28 Oct)
	// falls after the placement for adoption ended on 30 Sep. Resumed: 29 Jul
	// + 183 = 28 Jan 2025, held that day; + 183 = 30 Jul 2025.
	expect(t, fs, chain, "AD4",
		want{"REV_ADOPT_FIRST", "2024-07-29", "2024-07-29", "met", 0},
		want{"REV_SUBSEQUENT", "2025-01-28", "2025-01-28", "met", 0},
		want{"REV_SUBSEQUENT", "2025-07-30", "", "upcoming", 0})
	// The review of 15 Jul, the first day of the placement for adoption, is
	// the first adoption review (due 15 Jul + 28 = 12 Aug); the looked-after
	// initial review (due 29 Jul) lapsed with the placement. The review of 16
	// Sep, the day the chain resumes, is its first: due 15 Jul + 183 = 14 Jan
	// 2025; then 16 Sep + 183 = 18 Mar 2025, 104 days overdue.
	expect(t, fs, chain, "AD5",
		want{"REV_ADOPT_FIRST", "2024-08-12", "2024-07-15", "met", 0},
		want{"REV_SUBSEQUENT", "2025-01-14", "2024-09-16", "met", 0},
		want{"REV_SUBSEQUENT", "2025-03-18", "", "overdue", 104})
	// A review on the day the period ends is part of it; the next day's is
	// outside care (and warned of).
	expect(t, fs, chain, "PE", want{"REV_INITIAL", "2024-07-01", "2024-06-20", "met", 0})
	expect(t, fs, "REV_PARTICIPATION", "PE", want{"REV_PARTICIPATION", "2024-06-20", "", "met", 0})
	var outside string
	if err := db.QueryRow(`SELECT coalesce(string_agg(child || ' ' || strftime(record_date, '%Y-%m-%d'), ', ' ORDER BY child, record_date), '')
		FROM dq_warnings WHERE check_name = 'review_outside_care'`).Scan(&outside); err != nil {
		t.Fatal(err)
	}
	if outside != "PE 2024-06-21" {
		t.Errorf("reviews warned of as outside care: %q, want PE 2024-06-21", outside)
	}
	// One day in care, reviewed on it: 20 working days after Mon 10 Jun = 8 Jul.
	expect(t, fs, chain, "OD", want{"REV_INITIAL", "2024-07-08", "2024-06-10", "met", 0})
	// Without a CONSULTATION column, consultation has planning rows only; the
	// report, recorded as empty, is missed: 5 working days before Tue 28 Jan
	// 2025 = 21 Jan (27, 24, 23, 22, 21), 7 days before the review. Planning
	// for 30 Jul 2025: 29, 28, 25, 24, 23 Jul.
	for _, f := range of(fs, "PREP_CONSULTATION", "AD4") {
		if f.Status != "upcoming" && f.Status != "overdue" {
			t.Errorf("without CONSULTATION, a held review has a consultation row: %+v", f)
		}
	}
	expect(t, fs, "PREP_SW_REPORT", "AD4",
		want{"PREP_SW_REPORT", "2025-01-21", "", "missed", 7},
		want{"PREP_SW_REPORT", "2025-07-23", "", "upcoming", 0})
}

// School age is the age on the 31 August on or before the as-of date, from
// 4 to 15: on 31 August itself, that day's age; on 30 August, the age a
// year before.
func TestSchoolAgeBoundaries(t *testing.T) {
	ex := extract{
		"header": {hHeader,
			"R4,31/08/2020",  // 4 on 31 Aug 2024, 3 on 31 Aug 2023
			"R4B,01/09/2019", // 4 on 31 Aug 2024 (5 the day after), 3 on 31 Aug 2023
			"R3,01/09/2020",  // 3 on 31 Aug 2024
			"R5,31/08/2019",  // 5 on 31 Aug 2024, 4 on 31 Aug 2023
			"Y11,01/09/2008", // 15 on 31 Aug 2024, 14 on 31 Aug 2023
			"Y12,31/08/2008", // 16 on 31 Aug 2024, 15 on 31 Aug 2023
		},
		"episodes": {hEpisodes,
			"R4,01/01/2024,S,C2,U3,,,", "R4B,01/01/2024,S,C2,U3,,,", "R3,01/01/2024,S,C2,U3,,,", "R5,01/01/2024,S,C2,U3,,,",
			"Y11,01/01/2024,S,C2,U3,,,", "Y12,01/01/2024,S,C2,U3,,,"},
		"reviews": {hReviews, "Z,01/01/2020,PN1"}, // a core table may not be empty
		"peps":    {"CHILD,PEP_DATE"},
	}
	for _, c := range []struct {
		asOf      string
		schoolAge []string
	}{
		{"2024-08-31", []string{"R4", "R4B", "R5", "Y11"}},
		{"2024-08-30", []string{"R5", "Y11", "Y12"}},
		{"2024-09-01", []string{"R4", "R4B", "R5", "Y11"}},
	} {
		fs, _, _ := audited(t, ex, c.asOf)
		var got []string
		for _, f := range fs {
			if f.Rule == "PEP_CURRENT" {
				got = append(got, f.Child)
			}
		}
		sort.Strings(got)
		if strings.Join(got, " ") != strings.Join(c.schoolAge, " ") {
			t.Errorf("as of %s, PEP_CURRENT rows for %v, want %v", c.asOf, got, c.schoolAge)
		}
	}
}

// Every timescale met on its last day (ON) and late on the day after (LATE),
// across weekends and bank holidays where working days count. As of 30 June
// 2025.
func TestTimescalesOnTheirLastDayAndTheDayAfter(t *testing.T) {
	ex := extract{
		"header": {hHeader, "ON,01/01/2012", "LATE,01/01/2012", "ADL,01/01/2022", "PREP_ON,01/01/2012", "PREP_LATE,01/01/2012", "PREP_NEW,01/01/2012", "PREP_NEWER,01/01/2012"},
		"episodes": {hEpisodes,
			// Thu 28 Mar 2024, the day before Good Friday.
			"ON,28/03/2024,S,C2,U3,,,", "LATE,28/03/2024,S,C2,U3,,,",
			"ADL,02/01/2024,S,C2,U3,01/03/2024,X1,CARPL", "ADL,01/03/2024,P,E1,A3,,,",
			"PREP_ON,02/04/2024,S,C2,U3,,,", "PREP_LATE,02/04/2024,S,C2,U3,,,",
			"PREP_NEW,24/04/2024,S,C2,U3,,,", "PREP_NEWER,25/04/2024,S,C2,U3,,,",
		},
		"reviews": {hReviews,
			"ON,29/04/2024,PN1", "ON,29/07/2024,PN1", "ON,28/01/2025,PN1",
			"LATE,30/04/2024,PN1", "LATE,31/07/2024,PN1", "LATE,31/01/2025,PN1",
			"ADL,25/01/2024,PN1", "ADL,30/03/2024,PN1", "ADL,30/06/2024,PN1", "ADL,30/12/2024,PN1",
			"PREP_ON,23/05/2024,PN1", "PREP_LATE,23/05/2024,PN1",
			"PREP_NEW,23/05/2024,PN1", "PREP_NEWER,23/05/2024,PN1",
		},
		"review_details": {"CHILD,REVIEW,CONSULTATION,INVITES_SENT,SW_REPORT,DECISIONS_ISSUED,CARE_PLAN_UPDATED,RECORD_COMPLETED,RECORD_DISTRIBUTED",
			"PREP_ON,23/05/2024,24/04/2024,09/05/2024,20/05/2024,31/05/2024,07/06/2024,14/06/2024,21/06/2024",
			"PREP_LATE,23/05/2024,25/04/2024,10/05/2024,21/05/2024,01/06/2024,08/06/2024,15/06/2024,22/06/2024",
			"PREP_NEW,23/05/2024,24/04/2024,09/05/2024,20/05/2024,,,,",
			"PREP_NEWER,23/05/2024,,09/05/2024,20/05/2024,,,,",
		},
	}
	fs, _, _ := audited(t, ex, "2025-06-30")
	// Initial: 20 working days after Thu 28 Mar 2024: 2-5 Apr (4; 29 Mar and
	// 1 Apr are Easter), 8-12 (9), 15-19 (14), 22-26 (19), Mon 29 Apr (20).
	// ON holds each review on its due date: 29 Apr + 91 = 29 Jul; + 183 = 28
	// Jan 2025; + 183 = 30 Jul 2025.
	expect(t, fs, chain, "ON",
		want{"REV_INITIAL", "2024-04-29", "2024-04-29", "met", 0},
		want{"REV_SECOND", "2024-07-29", "2024-07-29", "met", 0},
		want{"REV_SUBSEQUENT", "2025-01-28", "2025-01-28", "met", 0},
		want{"REV_SUBSEQUENT", "2025-07-30", "", "upcoming", 0})
	// LATE holds each a day after: 30 Apr; 30 Apr + 91 = 30 Jul, held 31 Jul;
	// 31 Jul + 183 = 30 Jan 2025, held 31 Jan; 31 Jan + 183 = 2 Aug 2025.
	expect(t, fs, chain, "LATE",
		want{"REV_INITIAL", "2024-04-29", "2024-04-30", "late", 1},
		want{"REV_SECOND", "2024-07-30", "2024-07-31", "late", 1},
		want{"REV_SUBSEQUENT", "2025-01-30", "2025-01-31", "late", 1},
		want{"REV_SUBSEQUENT", "2025-08-02", "", "upcoming", 0})
	// Adoption: 1 Mar 2024 + 28 = 29 Mar, held 30 Mar; 30 Mar + 91 = 29 Jun,
	// held 30 Jun; 30 Jun + 183 = 30 Dec, held that day; + 183 = 1 Jul 2025.
	expect(t, fs, chain, "ADL",
		want{"REV_INITIAL", "2024-01-30", "2024-01-25", "met", 0},
		want{"REV_ADOPT_FIRST", "2024-03-29", "2024-03-30", "late", 1},
		want{"REV_ADOPT_SECOND", "2024-06-29", "2024-06-30", "late", 1},
		want{"REV_ADOPT_SUBSEQUENT", "2024-12-30", "2024-12-30", "met", 0},
		want{"REV_ADOPT_SUBSEQUENT", "2025-07-01", "", "upcoming", 0})
	// An initial review on Thu 23 May 2024. Before it: consultation 20
	// working days: 20-22 May (3), 13-17 (8), 7-10 (12; 6 May a holiday),
	// 1-3 (15), 29-30 Apr (17), 24-26 Apr (20) -> Wed 24 Apr; invitations
	// 10: 20-22 (3), 13-17 (8), 9-10 May (10) -> Thu 9 May; report 3: 22, 21,
	// 20 May -> Mon 20 May. After it: decisions 5: 24, 28-31 May (27 a
	// holiday) -> Fri 31 May; care plan 10: 3-7 Jun -> 7 Jun; full record
	// 15: 10-14 -> 14 Jun; distributed 20: 17-21 -> 21 Jun. PREP_ON does each
	// on its date, PREP_LATE the day after.
	for _, d := range []struct{ rule, due, late string }{
		{"PREP_CONSULTATION", "2024-04-24", "2024-04-25"},
		{"PREP_INVITATIONS", "2024-05-09", "2024-05-10"},
		{"PREP_SW_REPORT", "2024-05-20", "2024-05-21"},
		{"REC_DECISIONS", "2024-05-31", "2024-06-01"},
		{"REC_CARE_PLAN", "2024-06-07", "2024-06-08"},
		{"REC_FULL_RECORD", "2024-06-14", "2024-06-15"},
		{"REC_DISTRIBUTED", "2024-06-21", "2024-06-22"},
	} {
		expect(t, fs, d.rule, "PREP_ON", want{d.rule, d.due, d.due, "met", 0})
		expect(t, fs, d.rule, "PREP_LATE", want{d.rule, d.due, d.late, "late", 1})
	}
	// A step whose latest date falls before the period began is not owed
	// (RULES.md §3.5). PREP_NEW came into care on Wed 24 Apr 2024, the
	// consultation's latest date for its initial review on Thu 23 May (due
	// that day: 20 working days after 24 Apr, 6 May a holiday): owed, and
	// met. PREP_NEWER came a day later (initial review due Fri 24 May, held
	// on 23 May): no consultation row at all, the other steps as usual.
	expect(t, fs, "PREP_CONSULTATION", "PREP_NEW", want{"PREP_CONSULTATION", "2024-04-24", "2024-04-24", "met", 0})
	expect(t, fs, "PREP_CONSULTATION", "PREP_NEWER")
	for _, c := range []string{"PREP_NEW", "PREP_NEWER"} {
		expect(t, fs, "PREP_INVITATIONS", c, want{"PREP_INVITATIONS", "2024-05-09", "2024-05-09", "met", 0})
		expect(t, fs, "PREP_SW_REPORT", c, want{"PREP_SW_REPORT", "2024-05-20", "2024-05-20", "met", 0})
	}
	expect(t, fs, chain, "PREP_NEW", want{"REV_INITIAL", "2024-05-23", "2024-05-23", "met", 0}, want{"REV_SECOND", "2024-08-22", "", "overdue", 312})
	expect(t, fs, chain, "PREP_NEWER", want{"REV_INITIAL", "2024-05-24", "2024-05-23", "met", 0}, want{"REV_SECOND", "2024-08-22", "", "overdue", 312})
}

// Periods of care and placements: a child's second period has a chain of
// its own, a placement move starts a new placement for visits, and a
// change of legal status alone changes neither the placement nor the
// review chain. As of Monday 15 July 2024.
func TestPeriodsAndPlacements(t *testing.T) {
	ex := extract{
		"header": {hHeader, "TWO,01/01/2012", "NEWP,01/01/2012", "MOVE,01/01/2012", "LS,01/01/2012"},
		"episodes": {hEpisodes,
			"TWO,01/02/2024,S,C2,U3,01/03/2024,E4A,", "TWO,01/06/2024,S,C2,U3,,,",
			// After an episode ending with a REC other than X1, a new period
			// starts even though the next RNE is not S.
			"NEWP,01/02/2024,S,C2,U3,01/03/2024,E4A,", "NEWP,01/06/2024,P,C2,U3,,,",
			"MOVE,01/02/2024,S,C2,U3,01/05/2024,X1,CARPL", "MOVE,01/05/2024,P,C2,U4,,,",
			"LS,01/02/2024,S,C2,U3,01/04/2024,X1,", "LS,01/04/2024,L,C1,U3,,,",
		},
		"reviews": {hReviews, "TWO,28/06/2024,PN1", "LS,28/02/2024,PN1", "LS,29/05/2024,PN1"},
		"visits":  {"CHILD,VISIT_DATE", "MOVE,20/04/2024", "LS,20/03/2024"},
	}
	fs, _, _ := audited(t, ex, "2024-07-15")
	// First period: 20 working days after Thu 1 Feb 2024: 2 (1), 5-9 (6),
	// 12-16 (11), 19-23 (16), 26-29 (20) -> 29 Feb, not held; the period
	// ended on 1 Mar, the day after: missed by 1. Second period: 20 working
	// days after Sat 1 Jun: 3-7 (5), 10-14 (10), 17-21 (15), 24-28 (20) ->
	// Fri 28 Jun, held that day; then 28 Jun + 91 = 27 Sep.
	for _, c := range []string{"TWO", "NEWP"} {
		ws := []want{{"REV_INITIAL", "2024-02-29", "", "missed", 1}}
		if c == "TWO" {
			ws = append(ws, want{"REV_INITIAL", "2024-06-28", "2024-06-28", "met", 0}, want{"REV_SECOND", "2024-09-27", "", "upcoming", 0})
		} else {
			ws = append(ws, want{"REV_INITIAL", "2024-06-28", "", "overdue", 17})
		}
		expect(t, fs, chain, c, ws...)
	}
	// The visit of 20 Apr was in the placement before the move of 1 May:
	// due 1 May + 7 = 8 May, 68 days overdue.
	expect(t, fs, "VISIT_STATUTORY", "MOVE", want{"VISIT_STATUTORY", "2024-05-08", "", "overdue", 68})
	// A change of legal status (RNE L) is the same placement: the visit of 20
	// Mar counts (+ 42 = 1 May, 75 days overdue); and the same chain: initial
	// due 29 Feb, held 28 Feb; second 28 Feb + 91 = 29 May, held that day;
	// then 29 May + 183 = 28 Nov.
	expect(t, fs, "VISIT_STATUTORY", "LS", want{"VISIT_STATUTORY", "2024-05-01", "2024-03-20", "overdue", 75})
	expect(t, fs, chain, "LS",
		want{"REV_INITIAL", "2024-02-29", "2024-02-28", "met", 0},
		want{"REV_SECOND", "2024-05-29", "2024-05-29", "met", 0},
		want{"REV_SUBSEQUENT", "2024-11-28", "", "upcoming", 0})
}

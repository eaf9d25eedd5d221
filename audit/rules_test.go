package audit_test

import (
	"strings"
	"testing"
)

func TestPreparationAndAfterReview(t *testing.T) {
	ex := extract{
		"header":   {hHeader, "P1,01/01/2012"},
		"episodes": {hEpisodes, "P1,08/01/2024,S,C2,U3,,,"},
		"reviews":  {hReviews, "P1,30/01/2024,PN9"},
		"review_details": {"CHILD,REVIEW,MEETING_HELD,SW_PRESENT,ADJOURNMENTS,ADJOURNED_TO,CONSULTATION,INVITES_SENT,SW_REPORT," +
			"DECISIONS_ISSUED,CARE_PLAN_UPDATED,RECORD_COMPLETED,RECORD_DISTRIBUTED,LONG_TERM_FOSTER",
			"P1,2024-01-30,Y,N,1,2024-02-28,2023-12-20,,2024-01-26,2024-02-06,,2024-02-21,,N"},
	}
	fs, _, _ := audited(t, ex, "2024-03-01")
	// The initial review on Tue 30 Jan 2024 (due 5 Feb: met). Before it:
	// consultation 20 working days before = 2 Jan (29, 22-26, 15-19, 8-12,
	// 2-5 Jan), before the child came into care on 8 Jan: not owed
	// (RULES.md §3.5), though it was done on 20 Dec. Invitations 10 before =
	// 16 Jan, never recorded: missed. Report 3 before an initial review =
	// 25 Jan, done 26 Jan: 1 day late.
	expect(t, fs, "PREP_CONSULTATION", "P1",
		want{"PREP_CONSULTATION", "2024-04-02", "", "upcoming", 0})
	expect(t, fs, "PREP_INVITATIONS", "P1",
		want{"PREP_INVITATIONS", "2024-01-16", "", "missed", 14},
		// Planning for the second review, due 30 Jan + 91 = 30 Apr: 10 working
		// days before is 16 Apr.
		want{"PREP_INVITATIONS", "2024-04-16", "", "upcoming", 0})
	expect(t, fs, "PREP_SW_REPORT", "P1",
		want{"PREP_SW_REPORT", "2024-01-25", "2024-01-26", "late", 1},
		// 5 working days before a second review: 29, 26, 25, 24, 23 Apr.
		want{"PREP_SW_REPORT", "2024-04-23", "", "upcoming", 0})
	// After the review: decisions 5 working days = 6 Feb (met on the day);
	// care plan 10 = 13 Feb, not done by 1 Mar (17 days); full record 15 =
	// 20 Feb, done 21 Feb (late 1); distributed 20 = 27 Feb, not done (3 days).
	expect(t, fs, "REC_DECISIONS", "P1", want{"REC_DECISIONS", "2024-02-06", "2024-02-06", "met", 0})
	expect(t, fs, "REC_CARE_PLAN", "P1", want{"REC_CARE_PLAN", "2024-02-13", "", "overdue", 17})
	expect(t, fs, "REC_FULL_RECORD", "P1", want{"REC_FULL_RECORD", "2024-02-20", "2024-02-21", "late", 1})
	expect(t, fs, "REC_DISTRIBUTED", "P1", want{"REC_DISTRIBUTED", "2024-02-27", "", "overdue", 3})
	expect(t, fs, "REV_SW_PRESENT", "P1", want{"REV_SW_PRESENT", "2024-01-30", "", "not_met", 0})
	// Adjourned to 28 Feb: one day past 20 working days (27 Feb).
	expect(t, fs, "REV_ADJOURNMENT", "P1", want{"REV_ADJOURNMENT", "2024-01-30", "", "not_met", 0})
	// PN9 is not a participation code.
	expect(t, fs, "REV_PARTICIPATION", "P1", want{"REV_PARTICIPATION", "2024-01-30", "", "not_met", 0})
}

func TestPlansHealthVisitsAllocation(t *testing.T) {
	ex := extract{
		"header": {hHeader,
			"K,15/06/2014",  // 9 on 31 Aug 2023: school age
			"K2,01/09/2019", // 3 on 31 Aug 2023: not yet
			"K3,31/08/2019", // 4 on 31 Aug 2023: Reception
		},
		"episodes": {hEpisodes,
			"K,04/09/2023,S,C2,U3,,,",
			"K2,04/09/2023,S,C2,U3,,,",
			"K3,02/01/2024,S,C2,U3,,,",
		},
		// A core table may not be empty: one review of a child the rules
		// below do not look at.
		"reviews":            {hReviews, "Z,01/01/2020,PN1"},
		"peps":               {"CHILD,PEP_DATE", "K,2023-09-20", "K,2023-08-01"},
		"health_assessments": {"CHILD,ASSESSMENT_DATE", "K,20/09/2023", "K3,10/01/2024"},
		"visits": {"CHILD,VISIT_DATE,CHILD_SEEN,BEDROOM_SEEN",
			"K,2024-01-20,Y,N", "K,2024-02-20,N,Yes", "K2,2023-09-01,Y,Y"},
		"allocations": {"CHILD,ROLE,WORKER,START,END",
			"K,SW,Sam Jones,2023-09-04,", "K,TEAM,Team A,2023-09-04,", "K,IRO,Ria Patel,2023-09-04,2024-02-29",
			"K2,SW,Jo Khan,2023-09-04,", "K2,IRO,Ria Patel,2023-09-04,"},
		"permanence_plans": {"CHILD,PLAN_DATE"},
	}
	fs, _, _ := audited(t, ex, "2024-03-01")
	// PEP: latest in the period 20 Sep 2023 (1 Aug was before it) + 183 = 21 Mar 2024.
	expect(t, fs, "PEP_CURRENT", "K", want{"PEP_CURRENT", "2024-03-21", "2023-09-20", "met", 0})
	expect(t, fs, "PEP_CURRENT", "K2")
	// None: 20 working days after 2 Jan = 30 Jan; 31 days overdue on 1 Mar.
	expect(t, fs, "PEP_CURRENT", "K3", want{"PEP_CURRENT", "2024-01-30", "", "overdue", 31})
	// Health: 9 years old on 20 Sep 2023: + 365 = 19 Sep 2024. K3 was 4 on
	// 10 Jan 2024: + 183 = 11 Jul. K2 has none: 20 working days after Mon
	// 4 Sep = 2 Oct, 151 days overdue.
	expect(t, fs, "HEALTH_ASSESSMENT", "K", want{"HEALTH_ASSESSMENT", "2024-09-19", "2023-09-20", "met", 0})
	expect(t, fs, "HEALTH_ASSESSMENT", "K3", want{"HEALTH_ASSESSMENT", "2024-07-11", "2024-01-10", "met", 0})
	expect(t, fs, "HEALTH_ASSESSMENT", "K2", want{"HEALTH_ASSESSMENT", "2023-10-02", "", "overdue", 151})
	// Visits: 20 Feb (child not seen) does not count; 20 Jan + 42 = 2 Mar.
	// Bedroom seen on 20 Feb: + 183 = 21 Aug.
	expect(t, fs, "VISIT_STATUTORY", "K", want{"VISIT_STATUTORY", "2024-03-02", "2024-01-20", "met", 0})
	expect(t, fs, "VISIT_BEDROOM_SEEN", "K", want{"VISIT_BEDROOM_SEEN", "2024-08-21", "2024-02-20", "met", 0})
	// K2's only visit was before the placement: 4 Sep + 7 = 11 Sep, 172 days.
	expect(t, fs, "VISIT_STATUTORY", "K2", want{"VISIT_STATUTORY", "2023-09-11", "", "overdue", 172})
	// K3 has no visit yet: 2 Jan + 7 = 9 Jan.
	expect(t, fs, "VISIT_BEDROOM_SEEN", "K3", want{"VISIT_BEDROOM_SEEN", "2024-01-09", "", "overdue", 52})
	// Allocation on 1 Mar: K's IRO allocation ended 29 Feb.
	expect(t, fs, "NO_ALLOCATED_SW", "K", want{"NO_ALLOCATED_SW", "2024-03-01", "", "met", 0})
	expect(t, fs, "NO_ALLOCATED_IRO", "K", want{"NO_ALLOCATED_IRO", "2024-03-01", "", "not_met", 0})
	expect(t, fs, "NO_ALLOCATED_SW", "K3", want{"NO_ALLOCATED_SW", "2024-03-01", "", "not_met", 0})
	for _, f := range of(fs, "PEP_CURRENT", "K") {
		if f.Team != "Team A" || f.SW != "Sam Jones" || f.IRO != "" {
			t.Errorf("K's PEP row names team %q, worker %q, IRO %q; want Team A, Sam Jones and none", f.Team, f.SW, f.IRO)
		}
	}
	// Initial review due 2 Oct 2023 not held: the permanence plan is due by
	// the second review, 2 Oct + 91 = 1 Jan 2024; none: overdue 60 days.
	expect(t, fs, "PERM_BY_SECOND", "K2", want{"PERM_BY_SECOND", "2024-01-01", "", "overdue", 60})
}

func TestPermanenceBySecondReview(t *testing.T) {
	ex := extract{
		"header":           {hHeader, "PM,01/01/2012", "PM2,01/01/2012"},
		"episodes":         {hEpisodes, "PM,08/01/2024,S,C2,U3,,,", "PM2,03/06/2024,S,C2,U3,,,"},
		"reviews":          {hReviews, "PM,30/01/2024,PN1", "PM,25/04/2024,PN1"},
		"permanence_plans": {"CHILD,PLAN_DATE,PLAN_TYPE", "PM,2024-04-26,LTF", "PM2,2024-05-01,LTF"},
	}
	fs, _, _ := audited(t, ex, "2024-08-01")
	// Second review held 25 Apr; plan on 26 Apr: one day late.
	expect(t, fs, "PERM_BY_SECOND", "PM", want{"PERM_BY_SECOND", "2024-04-25", "2024-04-26", "late", 1})
	// PM2's initial review (due 1 Jul) is not held: the second is projected
	// to 1 Jul + 91 = 30 Sep. Its plan of 1 May predates the period.
	expect(t, fs, "PERM_BY_SECOND", "PM2", want{"PERM_BY_SECOND", "2024-09-30", "", "upcoming", 0})
}

// The permanence plan is due by the second review of the looked-after
// chain, which lapses at the period's end or at the start of a placement
// for adoption, whichever is first: a due date on or after the lapse
// creates no obligation, met or not (RULES.md §4.2).
func TestPermanenceLapsesWithTheLookedAfterChain(t *testing.T) {
	ex := extract{
		"header": {hHeader, "PA,01/01/2020", "PB,01/01/2012", "PC,01/01/2020", "PD,01/01/2020", "PE,01/01/2020"},
		"episodes": {hEpisodes,
			// PA: placed for adoption on 1 Mar 2024, before the second review was due.
			"PA,08/01/2024,S,C2,U3,01/03/2024,X1,CARPL", "PA,01/03/2024,P,E1,A3,,,",
			// PB: the period ended on 10 Apr 2024.
			"PB,08/01/2024,S,C2,U3,10/04/2024,E13,",
			// PC: placed for adoption on 20 May 2024, after the second review was due.
			"PC,08/01/2024,S,C2,U3,20/05/2024,X1,CARPL", "PC,20/05/2024,P,E1,A3,,,",
			// PD: placed for adoption on the day the second review was due.
			"PD,08/01/2024,S,C2,U3,30/04/2024,X1,CARPL", "PD,30/04/2024,P,E1,A3,,,",
			// PE: as PD, with a plan made before it.
			"PE,08/01/2024,S,C2,U3,30/04/2024,X1,CARPL", "PE,30/04/2024,P,E1,A3,,,",
		},
		"reviews":          {hReviews, "PA,30/01/2024,PN1", "PB,30/01/2024,PN1", "PC,30/01/2024,PN1", "PD,30/01/2024,PN1", "PE,30/01/2024,PN1"},
		"permanence_plans": {"CHILD,PLAN_DATE,PLAN_TYPE", "PB,2024-02-01,RETURN", "PE,2024-04-15,ADOPTION"},
	}
	fs, _, _ := audited(t, ex, "2024-08-01")
	// Every initial review was held on 30 Jan: the second is due 30 Jan + 91
	// = 30 Apr 2024.
	// PA's looked-after chain lapsed on 1 Mar, before 30 Apr: no obligation
	// (not overdue 93 days for want of a plan: the plan is adoption).
	expect(t, fs, "PERM_BY_SECOND", "PA")
	// PB's period ended on 10 Apr: no obligation, though a plan was made
	// (not met).
	expect(t, fs, "PERM_BY_SECOND", "PB")
	// PC's chain lapsed on 20 May with no plan: missed, 20 days late.
	expect(t, fs, "PERM_BY_SECOND", "PC", want{"PERM_BY_SECOND", "2024-04-30", "", "missed", 20})
	// PD's lapse is the due date itself: no obligation; nor PE's, though a
	// plan was made (not met).
	expect(t, fs, "PERM_BY_SECOND", "PD")
	expect(t, fs, "PERM_BY_SECOND", "PE")
}

// A step done after the as-of date was not done yet on it (RULES.md §1.4).
func TestDoneAfterTheAsOfDateIsNotDoneYet(t *testing.T) {
	ex := extract{
		"header":   {hHeader, "AD,01/01/2012"},
		"episodes": {hEpisodes, "AD,08/01/2024,S,C2,U3,,,"},
		"reviews":  {hReviews, "AD,30/01/2024,PN1"},
		"review_details": {"CHILD,REVIEW,DECISIONS_ISSUED,CARE_PLAN_UPDATED,RECORD_COMPLETED,RECORD_DISTRIBUTED",
			"AD,2024-01-30,2024-02-06,2024-02-16,2024-02-19,2024-02-20"},
	}
	fs, _, _ := audited(t, ex, "2024-02-16")
	// As of Fri 16 Feb: decisions (due 6 Feb) met on the day; the care plan
	// (due 13 Feb) updated on the as-of day itself: late 3; the full record
	// (due 20 Feb) and the distribution (due 27 Feb) recorded on 19 and 20
	// Feb were not done yet: upcoming.
	expect(t, fs, "REC_DECISIONS", "AD", want{"REC_DECISIONS", "2024-02-06", "2024-02-06", "met", 0})
	expect(t, fs, "REC_CARE_PLAN", "AD", want{"REC_CARE_PLAN", "2024-02-13", "2024-02-16", "late", 3})
	expect(t, fs, "REC_FULL_RECORD", "AD", want{"REC_FULL_RECORD", "2024-02-20", "", "upcoming", 0})
	expect(t, fs, "REC_DISTRIBUTED", "AD", want{"REC_DISTRIBUTED", "2024-02-27", "", "upcoming", 0})
	// As of Mon 26 Feb both are done: the record met, the distribution met.
	fs, _, _ = audited(t, ex, "2024-02-26")
	expect(t, fs, "REC_FULL_RECORD", "AD", want{"REC_FULL_RECORD", "2024-02-20", "2024-02-19", "met", 0})
	expect(t, fs, "REC_DISTRIBUTED", "AD", want{"REC_DISTRIBUTED", "2024-02-27", "2024-02-20", "met", 0})
}

func TestBreakdownsAndDisruptionMeetings(t *testing.T) {
	eps := func(c string) []string {
		return []string{
			c + ",02/01/2023,S,C2,U3,02/10/2023,X1,CREQB",
			c + ",02/10/2023,P,C2,U4,01/12/2023,X1,ALLEG",
			c + ",01/12/2023,P,C2,U6,01/03/2024,X1,CARPL", // a planned move: not a breakdown
			c + ",01/03/2024,P,C2,K2,,,",
		}
	}
	ex := extract{
		"header":   {hHeader, "L,01/01/2010", "L2,01/01/2010"},
		"episodes": append(append([]string{hEpisodes}, eps("L")...), eps("L2")...),
		"reviews":  {hReviews, "Z,01/01/2020,PN1"}, // a core table may not be empty
		"disruption_meetings": {"CHILD,MEETING_DATE,SENIOR_MANAGER",
			"L,2023-11-01,N", // matched to the breakdown of 2 Oct
			"L,2024-02-01,Y", // matched to the breakdown of 1 Dec
		},
	}
	fs, _, _ := audited(t, ex, "2024-06-30")
	// 2 Oct + 42 = 13 Nov, met 1 Nov; 1 Dec + 42 = 12 Jan, met 1 Feb (20 late).
	expect(t, fs, "DISRUPTION_MEETING", "L",
		want{"DISRUPTION_MEETING", "2023-11-13", "2023-11-01", "met", 0},
		want{"DISRUPTION_MEETING", "2024-01-12", "2024-02-01", "late", 20})
	expect(t, fs, "DISRUPTION_MEETING", "L2",
		want{"DISRUPTION_MEETING", "2023-11-13", "", "overdue", 230},
		want{"DISRUPTION_MEETING", "2024-01-12", "", "overdue", 170})
	// Two breakdowns 60 days apart in the year to 30 Jun 2024.
	expect(t, fs, "BREAKDOWNS_NO_DISRUPTION", "L", want{"BREAKDOWNS_NO_DISRUPTION", "2024-06-30", "", "met", 0})
	expect(t, fs, "BREAKDOWNS_NO_DISRUPTION", "L2", want{"BREAKDOWNS_NO_DISRUPTION", "2024-06-30", "", "not_met", 0})
	expect(t, fs, "BREAKDOWNS_NO_SENIOR_MANAGER", "L", want{"BREAKDOWNS_NO_SENIOR_MANAGER", "2024-06-30", "", "met", 0})
	expect(t, fs, "BREAKDOWNS_NO_SENIOR_MANAGER", "L2", want{"BREAKDOWNS_NO_SENIOR_MANAGER", "2024-06-30", "", "not_met", 0})
	// A year later only one breakdown is in the window: no alerts.
	fs, _, _ = audited(t, ex, "2024-11-15")
	expect(t, fs, "BREAKDOWNS_NO_DISRUPTION", "L2")
}

func TestLongTermFosterAnnualMeeting(t *testing.T) {
	ex := extract{
		"header":   {hHeader, "F,01/01/2010", "F2,01/01/2010"},
		"episodes": {hEpisodes, "F,02/01/2022,S,C2,U1,,,", "F2,02/01/2022,S,C2,U1,,,"},
		"reviews":  {hReviews, "F,01/02/2023,PN1", "F,01/08/2023,PN1", "F2,01/02/2023,PN1", "F2,01/08/2023,PN1"},
		"review_details": {"CHILD,REVIEW,MEETING_HELD,LONG_TERM_FOSTER",
			"F,2023-02-01,Y,Y", "F,2023-08-01,N,Y",
			"F2,2023-02-01,N,Y", "F2,2023-08-01,Y,Y"},
	}
	fs, _, _ := audited(t, ex, "2024-03-01")
	// F's last review held as a meeting was 1 Feb 2023: + 365 = 1 Feb 2024.
	expect(t, fs, "LTF_ANNUAL_MEETING", "F", want{"LTF_ANNUAL_MEETING", "2024-02-01", "2023-02-01", "overdue", 29})
	// F2's was 1 Aug 2023: + 365 = 31 Jul 2024.
	expect(t, fs, "LTF_ANNUAL_MEETING", "F2", want{"LTF_ANNUAL_MEETING", "2024-07-31", "2023-08-01", "met", 0})
}

// Absent data must never read as compliance: removing each optional table
// in turn leaves its rules without rows and listed as not assessed.
func TestMissingTablesAreNotAssessed(t *testing.T) {
	full := extract{
		"header":              {hHeader, "C,01/01/2012"},
		"episodes":            {hEpisodes, "C,08/01/2024,S,C2,U3,01/03/2024,X1,CREQB", "C,01/03/2024,P,C2,U4,,,"},
		"reviews":             {hReviews, "C,30/01/2024,PN1"},
		"peps":                {"CHILD,PEP_DATE", "C,2024-02-01"},
		"permanence_plans":    {"CHILD,PLAN_DATE", "C,2024-02-01"},
		"disruption_meetings": {"CHILD,MEETING_DATE,SENIOR_MANAGER", "C,2024-03-10,Y"},
		"health_assessments":  {"CHILD,ASSESSMENT_DATE", "C,2024-02-01"},
		"visits":              {"CHILD,VISIT_DATE,CHILD_SEEN,BEDROOM_SEEN", "C,2024-03-05,Y,Y"},
		"allocations":         {"CHILD,ROLE,WORKER,START,END", "C,SW,Sam,2024-01-08,"},
		"review_details": {"CHILD,REVIEW,MEETING_HELD,SW_PRESENT,ADJOURNMENTS,CONSULTATION,INVITES_SENT,SW_REPORT,DECISIONS_ISSUED,CARE_PLAN_UPDATED,RECORD_COMPLETED,RECORD_DISTRIBUTED,LONG_TERM_FOSTER",
			"C,2024-01-30,Y,Y,0,2024-01-02,2024-01-10,2024-01-20,2024-02-01,2024-02-05,2024-02-10,2024-02-20,N"},
	}
	rulesOf := map[string][]string{
		"peps":                {"PEP_CURRENT"},
		"permanence_plans":    {"PERM_BY_SECOND"},
		"disruption_meetings": {"DISRUPTION_MEETING", "BREAKDOWNS_NO_DISRUPTION", "BREAKDOWNS_NO_SENIOR_MANAGER"},
		"health_assessments":  {"HEALTH_ASSESSMENT"},
		"visits":              {"VISIT_STATUTORY", "VISIT_BEDROOM_SEEN"},
		"allocations":         {"NO_ALLOCATED_SW", "NO_ALLOCATED_IRO"},
		"review_details":      {"REC_DECISIONS", "REC_CARE_PLAN", "REC_FULL_RECORD", "REC_DISTRIBUTED", "REV_SW_PRESENT", "REV_ADJOURNMENT", "LTF_ANNUAL_MEETING"},
	}
	fs, res, _ := audited(t, full, "2024-04-01")
	for _, rules := range rulesOf {
		for _, r := range rules {
			if st := status(res, r); st != "assessed" {
				t.Errorf("with every table present, %s is %q", r, st)
			}
		}
	}
	for _, r := range []string{"PEP_CURRENT", "HEALTH_ASSESSMENT", "VISIT_STATUTORY", "NO_ALLOCATED_SW", "REC_DECISIONS", "DISRUPTION_MEETING"} {
		if len(of(fs, r, "C")) == 0 {
			t.Errorf("with every table present, %s has no row", r)
		}
	}
	for table, rules := range rulesOf {
		ex := extract{}
		for k, v := range full {
			if k != table {
				ex[k] = v
			}
		}
		fs, res, _ := audited(t, ex, "2024-04-01")
		for _, r := range rules {
			if st := status(res, r); st != "not assessed" {
				t.Errorf("without %s, %s is %q", table, r, st)
			}
			if rows := of(fs, r, "C"); len(rows) > 0 {
				t.Errorf("without %s, %s still has rows: %v", table, r, rows)
			}
		}
		if table == "review_details" {
			for _, r := range []string{"PREP_CONSULTATION", "PREP_INVITATIONS", "PREP_SW_REPORT"} {
				if st := status(res, r); st != "partly assessed" {
					t.Errorf("without review_details, %s is %q, want partly assessed", r, st)
				}
				for _, f := range of(fs, r, "C") {
					if f.Status != "upcoming" && f.Status != "overdue" {
						t.Errorf("without review_details, %s has a held-review row %+v", r, f)
					}
				}
			}
		}
	}
	// A column absent from a present table: the rule that needs it alone.
	ex := extract{}
	for k, v := range full {
		ex[k] = v
	}
	ex["visits"] = []string{"CHILD,VISIT_DATE", "C,2024-03-05"}
	_, res, _ = audited(t, ex, "2024-04-01")
	if st := status(res, "VISIT_BEDROOM_SEEN"); st != "not assessed" {
		t.Errorf("without BEDROOM_SEEN, VISIT_BEDROOM_SEEN is %q", st)
	}
	for _, c := range res.Coverage {
		if c.Rule.ID == "VISIT_BEDROOM_SEEN" && !strings.Contains(c.Reason, "BEDROOM_SEEN") {
			t.Errorf("reason %q does not name the missing column", c.Reason)
		}
	}
	if st := status(res, "VISIT_STATUTORY"); st != "assessed" {
		t.Errorf("without BEDROOM_SEEN, VISIT_STATUTORY is %q", st)
	}
}

// A preparation step whose review_details column is absent is partly
// assessed: its planning rows only (RULES.md §3.5), while the steps whose
// columns are present are audited for held reviews too.
func TestPreparationWithoutItsColumnIsPartlyAssessed(t *testing.T) {
	ex := extract{
		"header":         {hHeader, "PP,01/01/2012"},
		"episodes":       {hEpisodes, "PP,08/01/2024,S,C2,U3,,,"},
		"reviews":        {hReviews, "PP,30/01/2024,PN1"},
		"review_details": {"CHILD,REVIEW,INVITES_SENT", "PP,2024-01-30,2024-01-10"},
	}
	fs, res, _ := audited(t, ex, "2024-03-01")
	if st := status(res, "PREP_CONSULTATION"); st != "partly assessed" {
		t.Errorf("without CONSULTATION, PREP_CONSULTATION is %q", st)
	}
	if st := status(res, "PREP_INVITATIONS"); st != "assessed" {
		t.Errorf("with INVITES_SENT, PREP_INVITATIONS is %q", st)
	}
	// The second review is due 30 Apr: consultation 20 working days before
	// (2 Apr, Easter Monday 1 Apr skipped) and invitations 10 before (16 Apr)
	// are planned; only the invitations of the held review of 30 Jan (due
	// 16 Jan, sent 10 Jan) are audited.
	expect(t, fs, "PREP_CONSULTATION", "PP", want{"PREP_CONSULTATION", "2024-04-02", "", "upcoming", 0})
	expect(t, fs, "PREP_INVITATIONS", "PP",
		want{"PREP_INVITATIONS", "2024-01-16", "2024-01-10", "met", 0},
		want{"PREP_INVITATIONS", "2024-04-16", "", "upcoming", 0})
}

package audit_test

import "testing"

// Every due date below is worked out by hand in the comment beside it.
func TestReviewChain(t *testing.T) {
	ex := extract{
		"header": {hHeader,
			"00123,01/01/2015", "123,01/01/2015", "SF,01/01/2010", "COR,01/01/2010", "XMAS,01/01/2010",
			"E1,01/01/2010", "E2,01/01/2010", "E3,01/01/2010", "DUP,01/01/2010", "LEAP,01/01/2010",
			"SB,01/01/2010", "ANC,01/01/2010"},
		"episodes": {hEpisodes,
			// Came into care Friday 22 March 2024 (Good Friday 29 March, Easter Monday 1 April).
			"00123,22/03/2024,S,C2,U3,,,",
			// A different child: identifiers are text, 123 is not 00123.
			"123,22/03/2024,S,C2,U3,,,",
			// Monday 5 September 2022: the State Funeral (19 September) is not a working day.
			"SF,05/09/2022,S,C2,U3,,,",
			// Friday 28 April 2023: 1 May, 8 May (Coronation) and 29 May are holidays.
			"COR,28/04/2023,S,C2,U3,,,",
			// Thursday 1 December 2022: 26 and 27 December and 2 January are holidays.
			"XMAS,01/12/2022,S,C2,U3,,,",
			// Periods ending before, on and just after the initial review's due date (1 July 2024).
			"E1,03/06/2024,S,C2,U3,20/06/2024,E4A,",
			"E3,03/06/2024,S,C2,U3,01/07/2024,E4A,",
			"E2,03/06/2024,S,C2,U3,02/07/2024,E4A,",
			"DUP,08/01/2024,S,C2,U3,,,",
			"LEAP,31/07/2023,S,C2,U3,,,",
			// Short breaks: no review rules.
			"SB,01/02/2024,S,V3,U6,05/02/2024,E16,",
			// Came into care before the extract (first episode RNE P): anchored at its first review.
			"ANC,10/01/2023,P,C2,U3,,,",
		},
		"reviews": {hReviews,
			"00123,23/04/2024,PN1", "00123,30/07/2024,PN1",
			"SF,05/10/2022,PN1",
			"COR,31/05/2023,PN1",
			"XMAS,04/01/2023,PN1",
			"DUP,30/01/2024,PN1", "DUP,30/01/2024,PN1",
			"LEAP,29/08/2023,PN1", "LEAP,28/11/2023,PN2", "LEAP,29/02/2024,PN3",
			"SB,03/02/2024,PN1",
			"ANC,01/03/2023,PN1", "ANC,2023-09-05,PN1",
		},
	}

	fs, _, _ := audited(t, ex, "2025-02-10")
	// 20 working days after Fri 22 Mar 2024: 25-28 Mar (4), 2-5 Apr (8),
	// 8-12 (13), 15-19 (18), 22 (19), 23 (20) -> 23 Apr. Second: 23 Apr + 91
	// = 23 Jul, held 30 Jul, 7 days late; the next runs from the actual date:
	// 30 Jul + 183 = 29 Jan 2025, not held by 10 Feb: 12 days overdue.
	expect(t, fs, chain, "00123",
		want{"REV_INITIAL", "2024-04-23", "2024-04-23", "met", 0},
		want{"REV_SECOND", "2024-07-23", "2024-07-30", "late", 7},
		want{"REV_SUBSEQUENT", "2025-01-29", "", "overdue", 12})
	// 23 Apr 2024 to 10 Feb 2025 is 293 days.
	expect(t, fs, chain, "123", want{"REV_INITIAL", "2024-04-23", "", "overdue", 293})
	// 6-9 Sep (4), 12-16 (9), 20-23 (13), 26-30 (18), 3 Oct (19), 4 Oct (20).
	if got := of(fs, "REV_INITIAL", "SF"); len(got) != 1 || got[0].Due != "2022-10-04" || got[0].Status != "late" || got[0].DaysLate != 1 {
		t.Errorf("State Funeral: %+v", got)
	}
	// 2-5 May (4), 9-12 (8), 15-19 (13), 22-26 (18), 30 (19), 31 (20).
	if got := of(fs, "REV_INITIAL", "COR"); len(got) != 1 || got[0].Due != "2023-05-31" || got[0].Status != "met" {
		t.Errorf("Coronation: %+v", got)
	}
	// 2 Dec (1), 5-9 (6), 12-16 (11), 19-23 (16), 28-30 (19), 3 Jan (20).
	if got := of(fs, "REV_INITIAL", "XMAS"); len(got) != 1 || got[0].Due != "2023-01-03" || got[0].Status != "late" || got[0].DaysLate != 1 {
		t.Errorf("Christmas: %+v", got)
	}
	// Initial due 1 Jul 2024 (4-7 Jun (4), 10-14 (9), 17-21 (14), 24-28 (19), 1 Jul (20)).
	expect(t, fs, chain, "E1")                                                     // ended 20 Jun, before it was due
	expect(t, fs, chain, "E3")                                                     // ended on the due date: no obligation
	expect(t, fs, chain, "E2", want{"REV_INITIAL", "2024-07-01", "", "missed", 1}) // ended the day after
	// Two reviews on one day count once. 9-12 Jan (4), 15-19 (9), 22-26 (14),
	// 29 Jan-2 Feb (19), 5 Feb (20); the second is due 30 Jan + 91 = 30 Apr.
	expect(t, fs, chain, "DUP",
		want{"REV_INITIAL", "2024-02-05", "2024-01-30", "met", 0},
		want{"REV_SECOND", "2024-04-30", "", "overdue", 286})
	// 1-4 Aug (4), 7-11 (9), 14-18 (14), 21-25 (19), 29 Aug (20; 28th is a
	// holiday). Second 29 Aug + 91 = 28 Nov, held on the day. 28 Nov + 183 in a
	// leap year = 29 May 2024, held early on 29 Feb; 29 Feb + 183 = 30 Aug 2024.
	expect(t, fs, chain, "LEAP",
		want{"REV_INITIAL", "2023-08-29", "2023-08-29", "met", 0},
		want{"REV_SECOND", "2023-11-28", "2023-11-28", "met", 0},
		want{"REV_SUBSEQUENT", "2024-05-29", "2024-02-29", "met", 0},
		want{"REV_SUBSEQUENT", "2024-08-30", "", "overdue", 164})
	expect(t, fs, chain, "SB")
	// Anchored at 1 Mar 2023 (not assessed); 1 Mar + 183 = 31 Aug, held 5 Sep;
	// 5 Sep + 183 = 6 Mar 2024, not held by 10 Feb 2025: 341 days overdue.
	expect(t, fs, chain, "ANC",
		want{"REV_SUBSEQUENT", "2023-08-31", "2023-09-05", "late", 5},
		want{"REV_SUBSEQUENT", "2024-03-06", "", "overdue", 341})

	// Every period open on the as-of date has exactly one upcoming or overdue
	// review obligation (short breaks apart).
	open := map[string]int{}
	for _, f := range fs {
		if chainRules[f.Rule] && (f.Status == "upcoming" || f.Status == "overdue") {
			open[f.Child]++
		}
	}
	for _, c := range []string{"00123", "123", "SF", "COR", "XMAS", "DUP", "LEAP", "ANC"} {
		if open[c] != 1 {
			t.Errorf("child %s has %d open review obligations, want 1", c, open[c])
		}
	}
}

func TestAdoptionChainAndResumption(t *testing.T) {
	ex := extract{
		"header": {hHeader, "AD1,01/01/2022", "AD2,01/01/2022"},
		"episodes": {hEpisodes,
			"AD1,02/01/2024,S,C2,U3,01/03/2024,X1,CARPL",
			"AD1,01/03/2024,P,E1,A3,,,",
			"AD2,02/01/2024,S,C2,U3,01/03/2024,X1,CARPL",
			"AD2,01/03/2024,P,E1,A3,01/05/2024,X1,CREQB",
			"AD2,01/05/2024,P,C2,U3,,,",
		},
		"reviews": {hReviews,
			"AD1,25/01/2024,PN0", "AD1,28/03/2024,PN0",
			"AD2,25/01/2024,PN0", "AD2,28/03/2024,PN0",
		},
		"disruption_meetings": {"CHILD,MEETING_DATE,SENIOR_MANAGER"},
	}
	fs, _, _ := audited(t, ex, "2024-07-01")
	// Initial: 3-5 Jan (3), 8-12 (8), 15-19 (13), 22-26 (18), 29 (19), 30 Jan
	// (20); held 25 Jan. The second (25 Jan + 91 = 25 Apr) falls after the
	// placement for adoption began on 1 Mar: no looked-after obligation.
	// Adoption: 1 Mar + 28 = 29 Mar, held 28 Mar; second 28 Mar + 91 = 27 Jun,
	// not held by 1 Jul: 4 days overdue.
	expect(t, fs, chain, "AD1",
		want{"REV_INITIAL", "2024-01-30", "2024-01-25", "met", 0},
		want{"REV_ADOPT_FIRST", "2024-03-29", "2024-03-28", "met", 0},
		want{"REV_ADOPT_SECOND", "2024-06-27", "", "overdue", 4})
	// The placement for adoption ended on 1 May, before the second adoption
	// review was due; the looked-after chain resumes with a subsequent review
	// 183 days after the latest review of either chain: 28 Mar + 183 = 27 Sep.
	expect(t, fs, chain, "AD2",
		want{"REV_INITIAL", "2024-01-30", "2024-01-25", "met", 0},
		want{"REV_ADOPT_FIRST", "2024-03-29", "2024-03-28", "met", 0},
		want{"REV_SUBSEQUENT", "2024-09-27", "", "upcoming", 0})
	// The adoptive placement's ending with CREQB is a breakdown: meeting due
	// 1 May + 42 = 12 Jun, none by 1 Jul.
	expect(t, fs, "DISRUPTION_MEETING", "AD2", want{"DISRUPTION_MEETING", "2024-06-12", "", "overdue", 19})
}

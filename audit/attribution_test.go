package audit_test

import "testing"

// Each obligation names the team, social worker and IRO allocated on its
// day (docs/RULES.md, "Team, social worker and IRO"): the day a review was
// held; the due date of a missed one; the review's day for what follows a
// held review, even when it is still overdue; else the as-of date. Each
// child here changes IRO from Iris to Ivan between those days. As of Mon
// 30 Jun 2025.
func TestAllocationDayOfEachObligation(t *testing.T) {
	fs, _, _ := audited(t, extract{
		"header": {"CHILD,DOB", "A,2012-01-01", "B,2012-01-01", "C,2012-01-01"},
		"episodes": {"CHILD,DECOM,RNE,LS,PLACE,DEC,REC",
			// A: initial due 6 Jan + 20 working days = 3 Feb, held on it; the
			// second due 3 Feb + 91 = 5 May, not held: overdue.
			"A,2025-01-06,S,C2,U1,,",
			// B: initial due 3 Feb, not held; left care 1 Mar: missed.
			"B,2025-01-06,S,C2,U1,2025-03-01,E4A",
			// C: initial due 16 Jun + 20 working days = 14 Jul; its
			// consultation, 20 working days before, was due 16 Jun: overdue.
			"C,2025-06-16,S,C2,U1,,"},
		"reviews": {"CHILD,REVIEW,REVIEW_CODE", "A,2025-02-03,PN1"},
		// A's decisions, due 5 working days after the review (10 Feb), were
		// never issued: overdue.
		"review_details": {"CHILD,REVIEW,DECISIONS_ISSUED", "A,2025-02-03,"},
		"allocations": {"CHILD,ROLE,WORKER,START,END",
			"A,IRO,Iris,2025-01-06,2025-03-31", "A,IRO,Ivan,2025-04-01,",
			"B,IRO,Iris,2025-01-06,2025-02-20", "B,IRO,Ivan,2025-02-21,2025-03-01",
			"C,IRO,Iris,2025-06-16,2025-06-29", "C,IRO,Ivan,2025-06-30,"},
	}, "2025-06-30")
	for _, c := range []struct {
		rule, child, status, iro string
	}{
		{"REV_INITIAL", "A", "met", "Iris"},           // held 3 Feb
		{"REV_PARTICIPATION", "A", "met", "Iris"},     // at the review of 3 Feb
		{"REC_DECISIONS", "A", "overdue", "Iris"},     // follows the review of 3 Feb
		{"REV_SECOND", "A", "overdue", "Ivan"},        // overdue: the as-of date
		{"NO_ALLOCATED_IRO", "A", "met", "Ivan"},      // the as-of date
		{"REV_INITIAL", "B", "missed", "Iris"},        // its due date, 3 Feb
		{"PREP_CONSULTATION", "C", "overdue", "Ivan"}, // a review not yet held: the as-of date
	} {
		got := of(fs, c.rule, c.child)
		if len(got) != 1 {
			t.Errorf("%s %s: %d rows %v, want 1", c.rule, c.child, len(got), got)
			continue
		}
		if got[0].Status != c.status || got[0].IRO != c.iro {
			t.Errorf("%s %s: %s, IRO %q; want %s, IRO %q", c.rule, c.child, got[0].Status, got[0].IRO, c.status, c.iro)
		}
	}
}

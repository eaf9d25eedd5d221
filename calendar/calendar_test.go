package calendar

import (
	"context"
	"testing"
	"time"

	"github.com/lacaudit/lacaudit/store"
)

// The England and Wales bank holidays as gov.uk published them.
var published = map[int][]string{
	2002: {"2002-01-01", "2002-03-29", "2002-04-01", "2002-05-06", "2002-06-03", "2002-06-04", "2002-08-26", "2002-12-25", "2002-12-26"},
	2011: {"2011-01-03", "2011-04-22", "2011-04-25", "2011-04-29", "2011-05-02", "2011-05-30", "2011-08-29", "2011-12-26", "2011-12-27"},
	2012: {"2012-01-02", "2012-04-06", "2012-04-09", "2012-05-07", "2012-06-04", "2012-06-05", "2012-08-27", "2012-12-25", "2012-12-26"},
	2020: {"2020-01-01", "2020-04-10", "2020-04-13", "2020-05-08", "2020-05-25", "2020-08-31", "2020-12-25", "2020-12-28"},
	2021: {"2021-01-01", "2021-04-02", "2021-04-05", "2021-05-03", "2021-05-31", "2021-08-30", "2021-12-27", "2021-12-28"},
	2022: {"2022-01-03", "2022-04-15", "2022-04-18", "2022-05-02", "2022-06-02", "2022-06-03", "2022-08-29", "2022-09-19", "2022-12-26", "2022-12-27"},
	2023: {"2023-01-02", "2023-04-07", "2023-04-10", "2023-05-01", "2023-05-08", "2023-05-29", "2023-08-28", "2023-12-25", "2023-12-26"},
	2024: {"2024-01-01", "2024-03-29", "2024-04-01", "2024-05-06", "2024-05-27", "2024-08-26", "2024-12-25", "2024-12-26"},
	2025: {"2025-01-01", "2025-04-18", "2025-04-21", "2025-05-05", "2025-05-26", "2025-08-25", "2025-12-25", "2025-12-26"},
	2026: {"2026-01-01", "2026-04-03", "2026-04-06", "2026-05-04", "2026-05-25", "2026-08-31", "2026-12-25", "2026-12-28"},
	2027: {"2027-01-01", "2027-03-26", "2027-03-29", "2027-05-03", "2027-05-31", "2027-08-30", "2027-12-27", "2027-12-28"},
}

func TestHolidaysMatchGovUK(t *testing.T) {
	c := New(nil)
	for y, want := range published {
		var got []string
		for _, d := range c.HolidaysIn(y) {
			got = append(got, d.Format(time.DateOnly))
		}
		if len(got) != len(want) {
			t.Errorf("%d: got %v, want %v", y, got, want)
			continue
		}
		for i := range want {
			if got[i] != want[i] {
				t.Errorf("%d: got %v, want %v", y, got, want)
				break
			}
		}
	}
}

func TestExtraClosure(t *testing.T) {
	c := New([]Closure{{Date: day(2024, 12, 24), Name: "Christmas Eve closure"}})
	if c.Working(day(2024, 12, 24)) {
		t.Fatal("configured closure 2024-12-24 counted as a working day")
	}
	if !c.Working(day(2024, 12, 23)) {
		t.Fatal("2024-12-23 should be a working day")
	}
}

func TestWorkingDayMacros(t *testing.T) {
	ctx := context.Background()
	db, err := store.Open(ctx, "", store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if err := New(nil).Materialise(ctx, db, First, Last); err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		expr, want string
	}{
		// RULES.md §1: Friday 22 March 2024, Good Friday 29th, Easter Monday 1 April.
		{"wd_after(DATE '2024-03-22', 5)", "2024-04-02"},
		// X itself is never counted, even when X is a Saturday.
		{"wd_after(DATE '2024-03-23', 1)", "2024-03-25"},
		// 20 working days from Monday 1 Sept 2022 skip the State Funeral (19 Sept).
		{"wd_after(DATE '2022-09-01', 20)", "2022-09-30"},
		// Across the 2023 Coronation (8 May) and Early May (1 May).
		{"wd_after(DATE '2023-04-28', 5)", "2023-05-09"},
		// Christmas 2022: 26 and 27 December are holidays.
		{"wd_after(DATE '2022-12-23', 1)", "2022-12-28"},
		// Leap day 2024 is a Thursday and a working day.
		{"wd_after(DATE '2024-02-28', 1)", "2024-02-29"},
		// 3 working days before Tuesday 2 April 2024: 1 April and 29 March are holidays.
		{"wd_before(DATE '2024-04-02', 3)", "2024-03-26"},
		{"wd_before(DATE '2024-04-02', 1)", "2024-03-28"},
		// Before a Monday: the Friday.
		{"wd_before(DATE '2024-03-25', 1)", "2024-03-22"},
		// 20 working days before 2022-10-03 crosses the State Funeral.
		{"wd_before(DATE '2022-10-03', 20)", "2022-09-02"},
	}
	for _, tc := range cases {
		var got time.Time
		if err := db.QueryRowContext(ctx, "SELECT "+tc.expr).Scan(&got); err != nil {
			t.Fatalf("%s: %v", tc.expr, err)
		}
		if g := got.Format(time.DateOnly); g != tc.want {
			t.Errorf("%s = %s, want %s", tc.expr, g, tc.want)
		}
	}
}

// Package calendar is the England and Wales working-day calendar that every
// "N working days" deadline is counted on. It is materialised as a DuckDB
// table with a running working-day number, so that deadlines are computed by
// joins in SQL for all rows at once, never by a Go loop per row.
package calendar

import (
	"context"
	"database/sql/driver"
	"fmt"
	"sort"
	"time"

	"github.com/rickar/cal/v2"
	"github.com/rickar/cal/v2/gb"

	"github.com/lacaudit/lacaudit/store"
)

// First and Last bound every calendar table: dates outside them have no
// working-day number, so deadlines counted from them are NULL.
var (
	First = time.Date(1950, 1, 1, 0, 0, 0, 0, time.UTC)
	Last  = time.Date(2099, 12, 31, 0, 0, 0, 0, time.UTC)
)

// Closure is a day the authority treats as a non-working day.
type Closure struct {
	Date time.Time
	Name string
}

// oneOffs are the England and Wales bank holidays proclaimed for one year
// only that rickar/cal/v2/gb does not have.
var oneOffs = []Closure{
	{day(1999, 12, 31), "Millennium Day"},
	{day(2002, 6, 3), "Golden Jubilee"},
	{day(2002, 6, 4), "Spring Bank Holiday (moved)"},
	{day(2011, 4, 29), "Royal Wedding"},
	{day(2012, 6, 4), "Spring Bank Holiday (moved)"},
	{day(2012, 6, 5), "Diamond Jubilee"},
	{day(2022, 9, 19), "State Funeral of Queen Elizabeth II"},
	{day(1995, 5, 8), "Early May Bank Holiday (VE Day, moved)"},
}

// moved are the rule-based dates that were not holidays in that year because
// the holiday was moved (the moved day is in oneOffs).
var moved = []time.Time{
	day(1995, 5, 1),  // Early May moved to 8 May
	day(2002, 5, 27), // Spring moved to 4 June
	day(2012, 5, 28), // Spring moved to 4 June
}

func day(y int, m time.Month, d int) time.Time { return time.Date(y, m, d, 0, 0, 0, 0, time.UTC) }

// Calendar answers whether a day is a working day.
type Calendar struct {
	bc       *cal.BusinessCalendar
	extra    map[time.Time]string
	notExtra map[time.Time]bool
}

// New returns the England and Wales calendar with the given extra closures.
func New(closures []Closure) *Calendar {
	bc := cal.NewBusinessCalendar()
	bc.AddHoliday(gb.Holidays...)
	c := &Calendar{bc: bc, extra: map[time.Time]string{}, notExtra: map[time.Time]bool{}}
	for _, o := range oneOffs {
		c.extra[o.Date] = o.Name
	}
	for _, m := range moved {
		c.notExtra[m] = true
	}
	for _, o := range closures {
		c.extra[day(o.Date.Year(), o.Date.Month(), o.Date.Day())] = o.Name
	}
	return c
}

// Holiday says whether d is a bank holiday or closure (not a weekend), and its name.
func (c *Calendar) Holiday(d time.Time) (string, bool) {
	d = day(d.Year(), d.Month(), d.Day())
	if n, ok := c.extra[d]; ok {
		return n, true
	}
	if c.notExtra[d] {
		return "", false
	}
	_, observed, h := c.bc.IsHoliday(d)
	if observed && h != nil {
		return h.Name, true
	}
	return "", false
}

// Working says whether d is a working day: Monday to Friday and not a holiday.
func (c *Calendar) Working(d time.Time) bool {
	if wd := d.Weekday(); wd == time.Saturday || wd == time.Sunday {
		return false
	}
	_, h := c.Holiday(d)
	return !h
}

// HolidaysIn lists the holidays and closures falling on weekdays in year y.
func (c *Calendar) HolidaysIn(y int) []time.Time {
	var out []time.Time
	for d := day(y, 1, 1); d.Year() == y; d = d.AddDate(0, 0, 1) {
		if wd := d.Weekday(); wd == time.Saturday || wd == time.Sunday {
			continue
		}
		if _, h := c.Holiday(d); h {
			out = append(out, d)
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Before(out[j]) })
	return out
}

// Materialise writes the table calendar(d, working, wd, holiday) for every
// day from from to to (within First and Last), where wd counts the working
// days on or before d,
// and the table working_days(wd, d) of working days alone. It defines the
// SQL macros wd_after(x, n), the n-th working day strictly after x, and
// wd_before(y, n), the n-th working day strictly before y (RULES.md §1).
func (c *Calendar) Materialise(ctx context.Context, db *store.DB, from, to time.Time) error {
	if from.Before(First) {
		from = First
	}
	if to.After(Last) || to.Before(from) {
		to = Last
	}
	if _, err := db.ExecContext(ctx, `CREATE OR REPLACE TABLE calendar (d DATE, working BOOLEAN, wd INTEGER, holiday VARCHAR)`); err != nil {
		return fmt.Errorf("create calendar: %w", err)
	}
	err := db.Append(ctx, "calendar", func(add func(...driver.Value) error) error {
		wd := int32(0)
		for d := day(from.Year(), from.Month(), from.Day()); !d.After(to); d = d.AddDate(0, 0, 1) {
			working := c.Working(d)
			if working {
				wd++
			}
			var name driver.Value
			if n, ok := c.Holiday(d); ok {
				name = n
			}
			if err := add(d, working, wd, name); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("fill calendar: %w", err)
	}
	return db.Exec(ctx, "calendar", `
CREATE OR REPLACE TABLE working_days AS SELECT wd, d FROM calendar WHERE working ORDER BY wd;
CREATE OR REPLACE MACRO wd_after(x, n) AS
    (SELECT w.d FROM calendar c JOIN working_days w ON w.wd = c.wd + n WHERE c.d = x);
CREATE OR REPLACE MACRO wd_before(y, n) AS
    (SELECT w.d FROM calendar c JOIN working_days w ON w.wd = c.wd - n + 1 WHERE c.d = y - 1);
`)
}

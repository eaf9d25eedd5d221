package reports

import (
	"context"
	"fmt"
	"time"

	"github.com/lacaudit/lacaudit/audit"
	"github.com/lacaudit/lacaudit/config"
	"github.com/lacaudit/lacaudit/ingest"
	"github.com/lacaudit/lacaudit/store"
	"github.com/lacaudit/lacaudit/templates"
)

// Year is one financial year, 1 April to 31 March.
type Year struct {
	Start, End time.Time
}

// FinancialYear is the year from 1 April of y to 31 March of y+1.
func FinancialYear(y int) Year {
	return Year{time.Date(y, 4, 1, 0, 0, 0, 0, time.UTC), time.Date(y+1, 3, 31, 0, 0, 0, 0, time.UTC)}
}

// Label is "2024-25".
func (y Year) Label() string { return fmt.Sprintf("%d-%02d", y.Start.Year(), (y.End.Year())%100) }

// ratio is a numerator and its denominator.
type ratio struct{ n, d int64 }

// YearFigures are one year's figures, computed from an audit as of the
// year's end (its 31 March).
type YearFigures struct {
	Year                              Year
	LookedAfterDuring, LookedAfterEnd int64
	Started, Ceased, ReviewsHeld      int64
	AllReviews, Adoption              ratio
	ByRule                            map[string]ratio
	Quarters                          [4]ratio
	Permanence, PEP, Health           ratio
	// PEPNotYetDue and HealthNotYetDue are the children of PEP and Health
	// with nothing recorded whose first one is not yet due: left out of the
	// shares and shown apart.
	PEPNotYetDue, HealthNotYetDue  int64
	Breakdowns                     ratio // breakdowns in the year, and those followed by a meeting in time
	AlertsRaised, AlertsResolved10 int64
	AlertsEscalated                int64
	AlertsAssessed                 bool
	// Authorities are the LA codes of an extract of several authorities,
	// and ByAuthority each one's figures (the same, over its children);
	// both empty for one authority.
	Authorities []string
	ByAuthority map[string]*YearFigures
	// From a folder of returns: NotAvailable, when set, is why none of the
	// year's figures can be shown (no return covers the year), and
	// NoTimeliness why its review timeliness cannot (the first return's
	// year, whose reviews due early in it hang on reviews before the
	// returns); both read "no return before 2024-25". Shown as n/a with the
	// reason, never compared.
	NotAvailable, NoTimeliness string
}

// Unavailable marks the figures of y, and of each of its authorities, that
// the folder of returns whose first day is knownFrom cannot give (nothing
// for a plain folder, whose knownFrom is the zero time).
func (y *YearFigures) Unavailable(knownFrom time.Time) {
	if knownFrom.IsZero() || knownFrom.Before(y.Year.Start) {
		return
	}
	why := "no return before " + FinancialYear(knownFrom.Year()).Label()
	if y.Year.Start.Before(knownFrom) {
		y.NotAvailable = why
	}
	y.NoTimeliness = why
	for _, a := range y.ByAuthority {
		a.Unavailable(knownFrom)
	}
}

// yearCond is a SQL condition: col falls within the year.
func yearCond(col string, y Year) string {
	return fmt.Sprintf("%s BETWEEN DATE '%s' AND DATE '%s'", col, y.Start.Format(time.DateOnly), y.End.Format(time.DateOnly))
}

// dueIn is the SQL condition for the obligations (of wf, alias a with its
// dot) that count in a timeliness figure of period p within year y: due in
// p, and not upcoming. An obligation due on the year's last day and not done
// by it is upcoming in an audit as of that day; once the year is over
// (as_of() is its 31 March) it counts against the year, not done in time,
// whatever the extract records after 31 March: a review held in April is
// late against the year it fell due in.
func dueIn(a string, p, y Year) string {
	return fmt.Sprintf("%s AND (%sstatus <> 'upcoming' OR as_of() >= DATE '%s')", yearCond(a+"due", p), a, y.End.Format(time.DateOnly))
}

// ComputeYear computes a year's figures; the audit in db must have run as
// of the year's end.
func ComputeYear(ctx context.Context, db *store.DB, y Year, alertsPresent bool) (*YearFigures, error) {
	if err := textView(ctx, db); err != nil {
		return nil, err
	}
	f, err := computeYear(ctx, db, y, alertsPresent, "")
	if err != nil {
		return nil, err
	}
	a, err := ingest.ReadAuthorities(ctx, db)
	if err != nil || !a.Several() {
		return f, err
	}
	// A stray code, which no row of header carries, is no authority (the
	// nightly By authority sheet says so; the warnings list its records).
	codes, _, err := codesInHeader(ctx, db, a.Codes)
	if err != nil {
		return nil, err
	}
	f.Authorities, f.ByAuthority = codes, map[string]*YearFigures{}
	for _, code := range codes {
		if f.ByAuthority[code], err = computeYear(ctx, db, y, alertsPresent, ofAuthority("child", code)); err != nil {
			return nil, err
		}
	}
	return f, nil
}

// computeYear computes a year's figures over the children cond says (a
// condition on the child key; empty: every child), from the view textView
// makes.
func computeYear(ctx context.Context, db *store.DB, y Year, alertsPresent bool, cond string) (*YearFigures, error) {
	f := &YearFigures{Year: y, ByRule: map[string]ratio{}, AlertsAssessed: alertsPresent}
	var err error
	one := func(dst *int64, q string) {
		q = withinAuthority(q, cond)
		if err == nil {
			if e := db.QueryRowContext(ctx, q).Scan(dst); e != nil {
				err = fmt.Errorf("annual figure: %w", e)
			}
		}
	}
	two := func(dst *ratio, q string) {
		q = withinAuthority(q, cond)
		if err == nil {
			if e := db.QueryRowContext(ctx, q).Scan(&dst.n, &dst.d); e != nil {
				err = fmt.Errorf("annual figure: %w", e)
			}
		}
	}
	start, end := y.Start.Format(time.DateOnly), y.End.Format(time.DateOnly)
	if err != nil {
		return nil, err
	}
	one(&f.LookedAfterDuring, fmt.Sprintf(`SELECT count(DISTINCT child) FROM periods WHERE NOT short_breaks
		AND start <= DATE '%s' AND (period_end IS NULL OR period_end > DATE '%s')`, end, start))
	one(&f.LookedAfterEnd, "SELECT count(*) FROM looked_after_now WHERE NOT short_breaks")
	// Children, as the DfE's looked-after statistics count them: a child who
	// started (or ceased) twice in the year counts once.
	one(&f.Started, "SELECT count(DISTINCT child) FROM periods WHERE NOT short_breaks AND NOT anchored AND "+yearCond("start", y))
	one(&f.Ceased, "SELECT count(DISTINCT child) FROM periods WHERE NOT short_breaks AND "+yearCond("period_end", y))
	one(&f.ReviewsHeld, "SELECT count(*) FROM held_reviews WHERE "+yearCond("review", y))
	due := dueIn("", y, y)
	shareOf := func(rules string) string {
		return fmt.Sprintf("SELECT count(*) FILTER (WHERE status = 'met'), count(*) FROM wf WHERE rule IN %s AND %s", rules, due)
	}
	two(&f.AllReviews, shareOf(laChain))
	two(&f.Adoption, shareOf(adoptChain))
	for _, r := range audit.InChain(audit.LookedAfter) {
		var v ratio
		two(&v, shareOf("('"+r.ID+"')"))
		f.ByRule[r.ID] = v
	}
	for q := 0; q < 4; q++ {
		qs := y.Start.AddDate(0, 3*q, 0)
		qe := qs.AddDate(0, 3, -1)
		two(&f.Quarters[q], fmt.Sprintf(`SELECT count(*) FILTER (WHERE status = 'met'), count(*) FROM wf
			WHERE rule IN %s AND %s`, laChain, dueIn("", Year{qs, qe}, y)))
	}
	two(&f.Permanence, "SELECT count(*) FILTER (WHERE status = 'met'), count(*) FROM wf WHERE rule = 'PERM_BY_SECOND' AND "+due)
	// Snapshot rules: in date (met) of the children whose first one is due
	// or done; a child with nothing recorded whose first is not yet due
	// (upcoming) is counted apart.
	snap := func(dst *ratio, apart *int64, rule string) {
		two(dst, "SELECT count(*) FILTER (WHERE status = 'met'), count(*) FILTER (WHERE status <> 'upcoming') FROM wf WHERE rule = '"+rule+"'")
		one(apart, "SELECT count(*) FROM wf WHERE status = 'upcoming' AND rule = '"+rule+"'")
	}
	snap(&f.PEP, &f.PEPNotYetDue, "PEP_CURRENT")
	snap(&f.Health, &f.HealthNotYetDue, "HEALTH_ASSESSMENT")
	two(&f.Breakdowns, `SELECT count(*) FILTER (WHERE done IS NOT NULL AND done <= due), count(*) FROM breakdowns WHERE `+yearCond("ended", y))
	if alertsPresent {
		one(&f.AlertsRaised, "SELECT count(*) FROM qa_alerts WHERE "+yearCond("raised", y))
		one(&f.AlertsResolved10, "SELECT count(*) FROM qa_alerts WHERE resolved IS NOT NULL AND resolved <= wd_after(raised, days('qa_resolution_working_days')) AND "+yearCond("raised", y))
		one(&f.AlertsEscalated, "SELECT count(*) FROM qa_alerts WHERE escalated AND "+yearCond("raised", y))
	}
	return f, err
}

// AnnualInput is what the annual report says about the run besides the database.
type AnnualInput struct {
	Year, Previous *YearFigures
	Config         *config.Config
	Style          *templates.Style
	Version        string
	InputLabel     string
	Tables         []ingest.TableStat
	Returns        []ingest.ReturnFile // a folder of returns' files, by year
	Coverage       []audit.Coverage
	Started        time.Time
	SuppressBelow  int64 // counts under it shown as [c]; 0 shows everything
	AsOf           time.Time
}

// yearOver says whether the report's year has ended by its as-of date; a
// report of a year still running is a year to date.
func (in AnnualInput) yearOver() bool { return !in.AsOf.Before(in.Year.Year.End) }

// at is the snapshot figures' day in a label: "at 31 March", or while the
// year is not over, the as-of date ("at 30 October 2026").
func (in AnnualInput) at() string {
	if in.yearOver() {
		return "at 31 March"
	}
	return "at " + in.AsOf.Format("2 January 2006")
}

// atBoth is at for a line that compares the year with the last, whose
// snapshot is always its 31 March.
func (in AnnualInput) atBoth() string {
	if in.yearOver() {
		return in.at()
	}
	return in.at() + " (" + in.Previous.Year.Label() + ": at 31 March)"
}

// label is the year's column heading: "2025-26", or "2026-27 to date".
func (in AnnualInput) label() string {
	if in.yearOver() {
		return in.Year.Year.Label()
	}
	return in.Year.Year.Label() + " to date"
}

// suppress renders a count, or [c] when it is small and not zero.
func (in AnnualInput) count(n int64) any {
	if in.SuppressBelow > 0 && n > 0 && n < in.SuppressBelow {
		return "[c]"
	}
	return n
}

// part renders a share's numerator beside its denominator: [c] when it is
// small, and when what it leaves of the denominator is (33 due, 30 in time
// would tell the 3 that were not).
func (in AnnualInput) part(r ratio) any {
	if in.SuppressBelow > 0 && r.d-r.n > 0 && r.d-r.n < in.SuppressBelow {
		return "[c]"
	}
	return in.count(r.n)
}

// pct renders a share, or [c] when built on a small count; empty without data.
func (in AnnualInput) pct(r ratio) any {
	if r.d == 0 {
		return nil
	}
	if in.SuppressBelow > 0 && ((r.n > 0 && r.n < in.SuppressBelow) || r.d < in.SuppressBelow || (r.d-r.n > 0 && r.d-r.n < in.SuppressBelow)) {
		return "[c]"
	}
	return float64(r.n) / float64(r.d)
}

// Annual sheet names.
const (
	SheetOverview      = "Overview"
	SheetTimeliness    = "Timeliness"
	SheetParticipation = "Participation"
	SheetEqualities    = "Equalities"
	SheetIROs          = "IRO caseloads"
	SheetCarePlanning  = "Care planning"
	SheetEscalations   = "Escalations"
)

// WriteAnnual writes the IRO service's annual report. The audit in db must
// have run as of the end of in.Year (the previous year's figures come in
// in.Previous).
func WriteAnnual(ctx context.Context, db *store.DB, path string, in AnnualInput) error {
	b, err := newBook(in.Style)
	if err != nil {
		return err
	}
	defer b.f.Close()
	if err := textView(ctx, db); err != nil {
		return err
	}
	y := in.Year.Year
	sub := fmt.Sprintf("Financial year %s: 1 April %d to 31 March %d; snapshot figures as of %s.", y.Label(), y.Start.Year(), y.End.Year(),
		in.AsOf.Format("2 January 2006"))
	if !in.yearOver() {
		sub = fmt.Sprintf("Financial year %s to date: 1 April %d to %s (the year ends on 31 March %d); snapshot figures as of that day.",
			y.Label(), y.Start.Year(), in.AsOf.Format("2 January 2006"), y.End.Year())
	}
	if in.SuppressBelow > 0 {
		sub += fmt.Sprintf(" Counts under %d, and percentages built on them, are shown as [c].", in.SuppressBelow)
	}
	for _, step := range []func(context.Context, *store.DB, *book, AnnualInput, string) error{
		annualOverview, annualTimeliness, annualParticipation, annualEqualities, annualIROs, annualCarePlanning, annualEscalations, annualMethod,
	} {
		if err := step(ctx, db, b, in, sub); err != nil {
			return err
		}
	}
	if err := b.f.SetDocProps(docProps("IRO service annual report "+y.Label(), in.Version, in.Started)); err != nil {
		return err
	}
	if err := b.f.SaveAs(path); err != nil {
		return fmt.Errorf("write annual report %s: %w", path, err)
	}
	return nil
}

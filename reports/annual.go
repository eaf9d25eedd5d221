package reports

import (
	"context"
	"fmt"
	"strings"
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
	f := &YearFigures{Year: y, ByRule: map[string]ratio{}, AlertsAssessed: alertsPresent}
	err := textView(ctx, db)
	one := func(dst *int64, q string) {
		if err == nil {
			if e := db.QueryRowContext(ctx, q).Scan(dst); e != nil {
				err = fmt.Errorf("annual figure: %w", e)
			}
		}
	}
	two := func(dst *ratio, q string) {
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
	one(&f.LookedAfterDuring, fmt.Sprintf(`SELECT count(DISTINCT child) FROM a_periods WHERE NOT short_breaks
		AND start <= DATE '%s' AND (period_end IS NULL OR period_end > DATE '%s')`, end, start))
	one(&f.LookedAfterEnd, "SELECT count(*) FROM a_current WHERE NOT short_breaks")
	// Children, as the DfE's looked-after statistics count them: a child who
	// started (or ceased) twice in the year counts once.
	one(&f.Started, "SELECT count(DISTINCT child) FROM a_periods WHERE NOT short_breaks AND NOT anchored AND "+yearCond("start", y))
	one(&f.Ceased, "SELECT count(DISTINCT child) FROM a_periods WHERE NOT short_breaks AND "+yearCond("period_end", y))
	one(&f.ReviewsHeld, "SELECT count(*) FROM a_held_reviews WHERE "+yearCond("review", y))
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
	two(&f.Breakdowns, `SELECT count(*) FILTER (WHERE done IS NOT NULL AND done <= due), count(*) FROM a_breakdown_status WHERE `+yearCond("ended", y))
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

// Participation codes of the SSDA903 and their meanings.
var participation = []struct{ code, meaning string }{
	{"PN0", "Child aged under 4 at the time of the review"},
	{"PN1", "Child physically attends and speaks for themselves"},
	{"PN2", "Child physically attends and an advocate speaks for them"},
	{"PN3", "Child attends and conveys their view symbolically (non-verbally)"},
	{"PN4", "Child physically attends but does not speak, convey their view or ask an advocate to"},
	{"PN5", "Child does not attend but briefs an advocate to speak for them"},
	{"PN6", "Child does not attend but conveys their feelings by a facilitative medium"},
	{"PN7", "Child does not attend nor are their views conveyed"},
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

func annualOverview(ctx context.Context, db *store.DB, b *book, in AnnualInput, sub string) error {
	cols := []col{{"Figure", 58, kText}, {in.label(), 13, kNum}, {in.Previous.Year.Label(), 13, kNum}, {"Change", 13, kNum}}
	s, err := b.newSheet(SheetOverview, "IRO service annual report "+in.label(), sub, widths(cols), 5)
	if err != nil {
		return err
	}
	if err := s.heading("This year and last"); err != nil {
		return err
	}
	cur, prev := in.Year, in.Previous
	type line struct {
		label  string
		a, b   int64
		ra, rb ratio
		pct    bool
	}
	lines := []line{
		{label: "Children looked after during the year", a: cur.LookedAfterDuring, b: prev.LookedAfterDuring},
		{label: "Children looked after " + in.atBoth(), a: cur.LookedAfterEnd, b: prev.LookedAfterEnd},
		{label: "Children who started to be looked after", a: cur.Started, b: prev.Started},
		{label: "Children who ceased to be looked after", a: cur.Ceased, b: prev.Ceased},
		{label: "Reviews held", a: cur.ReviewsHeld, b: prev.ReviewsHeld},
		{label: "Reviews in timescale (obligations due in the year)", ra: cur.AllReviews, rb: prev.AllReviews, pct: true},
	}
	for _, r := range audit.InChain(audit.LookedAfter) { // "   initial reviews"
		lines = append(lines, line{label: "   " + strings.ToLower(r.Name) + "s", ra: cur.ByRule[r.ID], rb: prev.ByRule[r.ID], pct: true})
	}
	lines = append(lines, []line{
		{label: "Adoption reviews in timescale", ra: cur.Adoption, rb: prev.Adoption, pct: true},
		{label: "Permanence plan by the second review", ra: cur.Permanence, rb: prev.Permanence, pct: true},
		{label: "School-age children with a current PEP " + in.atBoth(), ra: cur.PEP, rb: prev.PEP, pct: true},
		{label: "   first PEP not yet due (left out of the share)", a: cur.PEPNotYetDue, b: prev.PEPNotYetDue},
		{label: "Health assessments in date " + in.atBoth(), ra: cur.Health, rb: prev.Health, pct: true},
		{label: "   first assessment not yet due (left out of the share)", a: cur.HealthNotYetDue, b: prev.HealthNotYetDue},
		{label: "Placement breakdowns", a: cur.Breakdowns.d, b: prev.Breakdowns.d},
		{label: "   followed by a disruption meeting in time", ra: cur.Breakdowns, rb: prev.Breakdowns, pct: true},
	}...)
	if cur.AlertsAssessed {
		lines = append(lines, line{label: "Quality assurance alerts raised", a: cur.AlertsRaised, b: prev.AlertsRaised})
	}
	var rows [][]any
	for _, l := range lines {
		if l.pct {
			a, bb := in.pct(l.ra), in.pct(l.rb)
			var ch any
			if fa, ok := a.(float64); ok {
				if fb, ok := bb.(float64); ok {
					ch = fa - fb
				}
			}
			rows = append(rows, []any{l.label, pctCell{a}, pctCell{bb}, pctCell{ch}})
			continue
		}
		a, bb := in.count(l.a), in.count(l.b)
		var ch any
		// Part of a year against the whole of the last is no change.
		if _, ok := a.(int64); ok && in.yearOver() {
			if _, ok := bb.(int64); ok {
				ch = l.a - l.b
			}
		}
		rows = append(rows, []any{l.label, a, bb, ch})
	}
	if err := s.annualTable("Overview", cols, rows); err != nil {
		return err
	}
	notes := []string{
		"Percentage changes are in percentage points. Reviews in timescale count the looked-after chain's review obligations due in the year that were held on time, out of all that fell due (held late, missed or overdue count against; one due on 31 March and not held that day counts against the year). Adoption reviews are counted apart.",
		"Children who started or ceased to be looked after are children, not periods of care: a child who started twice in the year counts once.",
		"PEPs and health assessments: the share in date is of the children whose first one is due or done; a child whose first is not yet due is counted apart.",
	}
	if !in.yearOver() {
		notes = append([]string{"The year is not over: its counts are for 1 April to " + in.AsOf.Format("2 January 2006") +
			" and are not compared with the whole of last year (no change shown); its percentages are."}, notes...)
	}
	for _, n := range notes {
		if err := s.note(n); err != nil {
			return err
		}
	}
	return s.flush()
}

// pctCell marks a value shown as a percentage.
type pctCell struct{ v any }

func annualTimeliness(ctx context.Context, db *store.DB, b *book, in AnnualInput, sub string) error {
	cols := []col{{"Reviews", 40, kText}, {"Due in the year", 14, kInt}, {"Held in timescale", 14, kInt}, {"% in timescale", 14, kPct}}
	s, err := b.newSheet(SheetTimeliness, "Timeliness of reviews", sub, []float64{40, 14, 14, 14, 4, 12}, 5)
	if err != nil {
		return err
	}
	if err := s.heading("By review"); err != nil {
		return err
	}
	row := func(label string, r ratio) []any {
		return []any{label, in.count(r.d), in.part(r), pctCell{in.pct(r)}}
	}
	y := in.Year
	// One row per rule of the looked-after chain, with its timescale in
	// force: "Initial reviews (20 working days)".
	var rows [][]any
	for _, r := range audit.InChain(audit.LookedAfter) {
		rows = append(rows, row(fmt.Sprintf("%ss (%s)", r.Name, r.TimescaleText(in.Config)), y.ByRule[r.ID]))
	}
	rows = append(rows, [][]any{
		row("All looked-after reviews", y.AllReviews),
		row("Adoption reviews (reported apart)", y.Adoption),
	}...)
	if err := s.annualTable("Timeliness", cols, rows); err != nil {
		return err
	}
	if err := s.heading("Quarter by quarter (looked-after reviews)"); err != nil {
		return err
	}
	var qrows [][]any
	for q, r := range y.Quarters {
		qs := y.Year.Start.AddDate(0, 3*q, 0)
		qrows = append(qrows, row(fmt.Sprintf("Q%d: %s to %s", q+1, qs.Format("Jan 2006"), qs.AddDate(0, 2, 0).Format("Jan 2006")), r))
	}
	if err := s.header([]col{{"Quarter", 40, kText}, {"Due", 14, kInt}, {"Held in timescale", 14, kInt}, {"% in timescale", 14, kPct}}); err != nil {
		return err
	}
	first := s.row
	for _, r := range qrows {
		if err := s.put(s.annualValues(r)); err != nil {
			return err
		}
	}
	last := s.row
	if err := s.finishTable("Quarters", cols, first); err != nil {
		return err
	}
	if err := s.note("Every review obligation due in the year counts, held or not: held on or before its due date is in timescale; held late, missed or overdue is not. One due on 31 March and not held that day counts against the year (held in April it is late). Adoption reviews are apart from the looked-after reviews, here and on every sheet."); err != nil {
		return err
	}
	zero, one := 0.0, 1.0
	s.beforeFlush = append(s.beforeFlush, func() error {
		return b.f.AddChart(SheetTimeliness, "F5", barChart("Reviews held in timescale, by quarter",
			fmt.Sprintf("'%s'!$A$%d:$A$%d", SheetTimeliness, first+1, last),
			fmt.Sprintf("'%s'!$D$%d:$D$%d", SheetTimeliness, first+1, last), &zero, &one, "0%"))
	})
	return s.flush()
}

// annualValues renders a row whose cells may be counts, [c] or pctCell.
func (s *sheet) annualValues(r []any) []any {
	out := make([]any, len(r))
	for i, v := range r {
		switch x := v.(type) {
		case pctCell:
			if f, ok := x.v.(float64); ok {
				out[i] = cell(f, s.b.st.pct)
			} else {
				out[i] = cell(x.v, s.b.st.body)
			}
		case int64:
			out[i] = cell(x, s.b.st.integer)
		case float64:
			out[i] = cell(x, s.b.st.number)
		default:
			out[i] = cell(v, s.b.st.body)
		}
	}
	return out
}

func (s *sheet) annualTable(name string, cols []col, rows [][]any) error {
	if err := s.header(cols); err != nil {
		return err
	}
	first := s.row
	for _, r := range rows {
		if err := s.put(s.annualValues(r)); err != nil {
			return err
		}
	}
	return s.finishTable(name, cols, first)
}

func annualParticipation(ctx context.Context, db *store.DB, b *book, in AnnualInput, sub string) error {
	cols := []col{{"Code", 8, kText}, {"Meaning", 70, kText}, {"Reviews", 12, kInt}, {"% of reviews not coded PN0", 16, kPct}}
	s, err := b.newSheet(SheetParticipation, "Children's participation in their reviews", sub, []float64{8, 70, 12, 16, 4, 12}, 5)
	if err != nil {
		return err
	}
	counts := map[string]int64{}
	rows, err := scanAll(ctx, db, "SELECT coalesce(code, 'none'), count(*) FROM a_held_reviews WHERE "+yearCond("review", in.Year.Year)+" GROUP BY ALL")
	if err != nil {
		return err
	}
	var over4 int64
	for _, r := range rows {
		counts[r[0].(string)] = r[1].(int64)
		if r[0].(string) != "PN0" {
			over4 += r[1].(int64)
		}
	}
	if err := s.heading("Reviews held in the year, by participation code"); err != nil {
		return err
	}
	var out [][]any
	for _, p := range participation[1:] {
		out = append(out, []any{p.code, p.meaning, in.count(counts[p.code]), pctCell{in.pct(ratio{counts[p.code], over4})}})
	}
	out = append(out, []any{"(none)", "No valid participation code recorded", in.count(counts["none"]), pctCell{in.pct(ratio{counts["none"], over4})}})
	if err := s.annualTable("Participation", cols, out); err != nil {
		return err
	}
	first := s.row - len(out) + 1 // the first data row
	if err := s.note("Percentages are of the reviews not coded PN0 (PN0 is the code for a child under 4 at the review): children \"4 and over\" as the codes record them, whatever the child's recorded age; reviews with no valid code are among them."); err != nil {
		return err
	}
	if err := s.heading("Shown apart"); err != nil {
		return err
	}
	if err := s.annualTable("UnderFour", []col{{"Code", 8, kText}, {"Meaning", 70, kText}, {"Reviews", 12, kInt}}, [][]any{{"PN0", participation[0].meaning, in.count(counts["PN0"])}}); err != nil {
		return err
	}
	zero := 0.0
	s.beforeFlush = append(s.beforeFlush, func() error {
		return b.f.AddChart(SheetParticipation, "F5", barChart("Participation (reviews not coded PN0)",
			fmt.Sprintf("'%s'!$A$%d:$A$%d", SheetParticipation, first, first+len(out)-1),
			fmt.Sprintf("'%s'!$D$%d:$D$%d", SheetParticipation, first, first+len(out)-1), &zero, nil, "0%"))
	})
	return s.flush()
}

// Groupings of the SSDA903 codes for the equalities tables.
const (
	ageBand = `CASE WHEN age_on(h.dob, %[1]s) < 1 THEN '1: under 1' WHEN age_on(h.dob, %[1]s) < 5 THEN '2: 1 to 4'
		WHEN age_on(h.dob, %[1]s) < 10 THEN '3: 5 to 9' WHEN age_on(h.dob, %[1]s) < 16 THEN '4: 10 to 15' ELSE '5: 16 and over' END`
	sexGroup    = `CASE WHEN h.sex IN ('1', 'M') THEN 'Male' WHEN h.sex IN ('2', 'F') THEN 'Female' ELSE 'Not recorded or other' END`
	ethnicGroup = `CASE WHEN h.ethnic IN ('WBRI','WIRI','WIRT','WOTH','WROM') THEN 'White'
		WHEN h.ethnic IN ('MWBC','MWBA','MWAS','MOTH') THEN 'Mixed or multiple ethnic groups'
		WHEN h.ethnic IN ('AIND','APKN','ABAN','AOTH') THEN 'Asian or Asian British'
		WHEN h.ethnic IN ('BCRB','BAFR','BOTH') THEN 'Black, Black British, Caribbean or African'
		WHEN h.ethnic IN ('CHNE','OOTH') THEN 'Other ethnic group'
		WHEN h.ethnic IN ('REFU','NOBT') THEN 'Refused or not yet obtained' ELSE 'Not recorded' END`
	legalGroup = `CASE WHEN e.ls IN ('C1','C2') THEN 'Care order (interim or full)' WHEN e.ls = 'V2' THEN 'Accommodated (section 20)'
		WHEN e.ls IN ('E1','D1') THEN 'Placement order or freeing order' WHEN e.ls LIKE 'J%' THEN 'Youth justice legal status'
		WHEN e.ls LIKE 'L%' THEN 'Emergency orders or police protection' ELSE 'Other or not recorded' END`
	placeGroup = `CASE WHEN e.place LIKE 'A%' THEN 'Placed for adoption' WHEN e.place LIKE 'U%' THEN 'Foster placement'
		WHEN e.place = 'P1' THEN 'Placed with parents' WHEN e.place LIKE 'K%' OR e.place LIKE 'R%' OR e.place LIKE 'S%' OR e.place LIKE 'H%'
		THEN 'Children''s homes, secure and other residential' ELSE 'Other placements' END`
)

func annualEqualities(ctx context.Context, db *store.DB, b *book, in AnnualInput, sub string) error {
	cols := []col{{"Group", 46, kText}, {"Reviews due", 12, kInt}, {"% in timescale", 13, kPct}, {"Reviews held (not PN0)", 14, kInt}, {"% participated (PN1-PN6)", 14, kPct}}
	s, err := b.newSheet(SheetEqualities, "Equalities: timeliness and participation by group", sub+
		" Age is at 31 March; legal status and placement are those of the episode on the day a review was held, or on its due date for one not held. Timeliness counts the looked-after chain's reviews due in the year, as the Timeliness sheet does; participation, the reviews held in the year not coded PN0.", widths(cols), 0)
	if err != nil {
		return err
	}
	yEnd := "DATE '" + in.Year.Year.End.Format(time.DateOnly) + "'"
	for _, g := range []struct{ title, expr string }{
		{"Age band at 31 March", fmt.Sprintf(ageBand, yEnd)},
		{"Sex", sexGroup},
		{"Ethnicity (DfE groups)", ethnicGroup},
		{"Legal status", legalGroup},
		{"Placement type", placeGroup},
	} {
		q := fmt.Sprintf(`
			WITH t AS (
			    -- a held review belongs to the day it was held, one not held to
			    -- its due date: the episode that began last on or before that
			    -- day (a review held on the day the child left care included)
			    SELECT %[1]s AS g, count(*) FILTER (WHERE f.status = 'met') AS met, count(*) AS due
			    FROM (SELECT *, coalesce(done, due) AS on_day FROM wf WHERE rule IN %[4]s AND %[2]s) f
			    LEFT JOIN (SELECT DISTINCT ON (child) * FROM header ORDER BY child, dob) h ON h.child = f.child
			    ASOF LEFT JOIN a_ep e ON e.child = f.child AND f.on_day >= e.decom
			    GROUP BY ALL
			), p AS (
			    SELECT %[1]s AS g, count(*) FILTER (WHERE r.code IN ('PN1','PN2','PN3','PN4','PN5','PN6')) AS took_part, count(*) AS held
			    FROM (SELECT * FROM a_held_reviews WHERE coalesce(code, '') <> 'PN0' AND %[3]s) r
			    LEFT JOIN (SELECT DISTINCT ON (child) * FROM header ORDER BY child, dob) h ON h.child = r.child
			    ASOF LEFT JOIN a_ep e ON e.child = r.child AND r.review >= e.decom
			    GROUP BY ALL
			)
			SELECT coalesce(t.g, p.g), coalesce(t.met, 0), coalesce(t.due, 0), coalesce(p.took_part, 0), coalesce(p.held, 0)
			FROM t FULL JOIN p ON t.g = p.g ORDER BY 1`, g.expr, dueIn("", in.Year.Year, in.Year.Year), yearCond("review", in.Year.Year), laChain)
		rows, err := scanAll(ctx, db, q)
		if err != nil {
			return fmt.Errorf("equalities by %s: %w", g.title, err)
		}
		var out [][]any
		for _, r := range rows {
			label := r[0].(string)
			if i := strings.Index(label, ": "); i == 1 {
				label = label[3:]
			}
			met, due, took, held := r[1].(int64), r[2].(int64), r[3].(int64), r[4].(int64)
			out = append(out, []any{label, in.count(due), pctCell{in.pct(ratio{met, due})}, in.count(held), pctCell{in.pct(ratio{took, held})}})
		}
		if err := s.heading(g.title); err != nil {
			return err
		}
		if err := s.annualTable("Equalities", cols, out); err != nil {
			return err
		}
	}
	return s.flush()
}

func annualIROs(ctx context.Context, db *store.DB, b *book, in AnnualInput, sub string) error {
	cols := []col{{"IRO", 30, kText}, {"Children " + in.at(), 14, kInt}, {"Children on average over the year", 16, kNum},
		{"Reviews chaired", 12, kInt}, {"% of reviews in timescale", 14, kPct}, {"% of adoption reviews in timescale", 14, kPct}}
	s, err := b.newSheet(SheetIROs, "IRO caseloads", sub+" Children "+in.at()+" are the children looked after that day (short breaks apart) with the IRO allocated that day;"+
		" the average caseload counts each child for the days of the year it was both looked after (the day it left care not counted) and allocated to the IRO."+
		" Reviews chaired are the reviews held in the year, as the Overview counts them, with the IRO allocated on the day; timeliness is of the reviews due in the year, as on the Timeliness sheet, the adoption chain apart.",
		widths(cols), 5)
	if err != nil {
		return err
	}
	y := in.Year.Year
	days := y.End.Sub(y.Start).Hours()/24 + 1
	q := fmt.Sprintf(`
		WITH al AS (
		    SELECT a.worker, a.child,
		           greatest(a.start, p.start, DATE '%[1]s') AS s,
		           least(coalesce(a."end", DATE '%[2]s'), coalesce(p.period_end - 1, DATE '%[2]s'), DATE '%[2]s') AS e
		    FROM allocations a  -- as the audit reads them (audit/sql/05_allocations.sql)
		    JOIN a_periods p ON p.child = a.child AND NOT p.short_breaks
		    WHERE a.start <= as_of() AND (a."end" IS NULL OR a."end" >= a.start)
		      AND a.role = 'IRO' AND a.start <= DATE '%[2]s' AND (a."end" IS NULL OR a."end" >= DATE '%[1]s')
		), caseload AS (
		    SELECT worker, sum(e - s + 1) FILTER (WHERE e >= s) / %[3]f AS average
		    FROM al GROUP BY worker
		), at_end AS (
		    SELECT a.worker, count(DISTINCT c.child) AS n
		    FROM a_current c JOIN a_allocations a ON a.child = c.child AND a.role = 'IRO'
		         AND a.start <= as_of() AND (a."end" IS NULL OR a."end" >= as_of())
		    WHERE NOT c.short_breaks GROUP BY a.worker
		), chaired AS (
		    -- every review held in the year, as the Overview counts them (the
		    -- first of a child in care before the extract included), with the
		    -- IRO allocated on the day: of several, the one that started last,
		    -- as the audit names a finding's IRO (audit/sql/05_allocations.sql)
		    SELECT worker, count(*) AS held FROM (
		        SELECT r.child, r.review, arg_max(a.worker, a.start) AS worker
		        FROM a_held_reviews r
		        JOIN allocations a ON a.child = r.child AND a.role = 'IRO' AND a.start <= r.review
		             AND (a."end" IS NULL OR a."end" >= r.review) AND a.start <= as_of()
		        WHERE %[4]s
		        GROUP BY r.child, r.review)
		    GROUP BY worker
		), timely AS (
		    SELECT iro AS worker,
		           count(*) FILTER (WHERE rule IN %[6]s AND status = 'met' AND %[5]s) AS met,
		           count(*) FILTER (WHERE rule IN %[6]s AND %[5]s) AS due,
		           count(*) FILTER (WHERE rule IN %[7]s AND status = 'met' AND %[5]s) AS adopt_met,
		           count(*) FILTER (WHERE rule IN %[7]s AND %[5]s) AS adopt_due
		    FROM wf WHERE (rule IN %[6]s OR rule IN %[7]s) AND iro IS NOT NULL
		    GROUP BY iro
		), workers AS (
		    SELECT worker FROM caseload WHERE average > 0 UNION SELECT worker FROM at_end UNION SELECT worker FROM chaired
		    UNION SELECT worker FROM timely WHERE due + adopt_due > 0
		)
		SELECT w.worker, coalesce(n.n, 0), coalesce(c.average, 0), coalesce(h.held, 0), coalesce(m.met, 0), coalesce(m.due, 0),
		       coalesce(m.adopt_met, 0), coalesce(m.adopt_due, 0)
		FROM workers w LEFT JOIN caseload c USING (worker) LEFT JOIN at_end n USING (worker) LEFT JOIN chaired h USING (worker)
		     LEFT JOIN timely m USING (worker)
		ORDER BY 1`,
		y.Start.Format(time.DateOnly), y.End.Format(time.DateOnly), days, yearCond("r.review", y), dueIn("", y, y), laChain, adoptChain)
	rows, err := scanAll(ctx, db, q)
	if err != nil {
		return fmt.Errorf("IRO caseloads: %w", err)
	}
	var out [][]any
	for _, r := range rows {
		avg := r[2].(float64)
		var avgCell any = avg
		if in.SuppressBelow > 0 && avg > 0 && avg < float64(in.SuppressBelow) {
			avgCell = "[c]"
		}
		out = append(out, []any{r[0], in.count(r[1].(int64)), avgCell, in.count(r[3].(int64)),
			pctCell{in.pct(ratio{r[4].(int64), r[5].(int64)})}, pctCell{in.pct(ratio{r[6].(int64), r[7].(int64)})}})
	}
	if err := s.annualTable("IROs", cols, out); err != nil {
		return err
	}
	return s.flush()
}

func annualCarePlanning(ctx context.Context, db *store.DB, b *book, in AnnualInput, sub string) error {
	cols := []col{{"Measure", 58, kText}, {"Count", 12, kInt}, {"Of", 12, kInt}, {"%", 12, kPct}}
	s, err := b.newSheet(SheetCarePlanning, "Care planning", sub, widths(cols), 5)
	if err != nil {
		return err
	}
	y := in.Year
	row := func(label string, r ratio) []any {
		return []any{label, in.part(r), in.count(r.d), pctCell{in.pct(r)}}
	}
	if err := s.heading("Plans, health and placement stability"); err != nil {
		return err
	}
	if err := s.annualTable("CarePlanning", cols, [][]any{
		row("Permanence plan recorded by the second review (second reviews due in the year)", y.Permanence),
		row("School-age children with a current PEP "+in.at(), y.PEP),
		{"   school-age children whose first PEP is not yet due (left out)", in.count(y.PEPNotYetDue), nil, nil},
		row("Children with an in-date health assessment "+in.at(), y.Health),
		{"   children whose first health assessment is not yet due (left out)", in.count(y.HealthNotYetDue), nil, nil},
		row(fmt.Sprintf("Placement breakdowns in the year followed by a disruption meeting within %d days", in.Config.Days("disruption_meeting_days")), y.Breakdowns),
	}); err != nil {
		return err
	}
	if err := s.note("A PEP or health assessment is in date when the latest one in the current period of care is within its timescale; the share is of the children whose first one is due or done at 31 March. A child with none whose first is not yet due is not counted as in date, nor against: it is shown apart."); err != nil {
		return err
	}
	return s.flush()
}

func annualEscalations(ctx context.Context, db *store.DB, b *book, in AnnualInput, sub string) error {
	resolution := in.Config.Days("qa_resolution_working_days")
	cols := []col{{"Reason", 58, kText}, {"Level", 10, kText}, {"Raised", 12, kInt}, {fmt.Sprintf("Resolved in %d working days", resolution), 14, kInt}, {"Escalated", 12, kInt}}
	s, err := b.newSheet(SheetEscalations, "Escalations: quality assurance alerts", sub, widths(cols), 0)
	if err != nil {
		return err
	}
	if !in.Year.AlertsAssessed {
		if err := s.heading("Not assessed"); err != nil {
			return err
		}
		if err := s.note("The extract has no qa_alerts table: escalations cannot be counted. Absent data is not counted as none."); err != nil {
			return err
		}
		return s.flush()
	}
	y := in.Year
	if err := s.heading("The year"); err != nil {
		return err
	}
	if err := s.annualTable("AlertTotals", []col{{"Measure", 58, kText}, {"Count", 10, kInt}, {"%", 12, kPct}}, [][]any{
		{"Alerts raised", in.count(y.AlertsRaised), nil},
		{fmt.Sprintf("Resolved within %d working days of being raised", resolution), in.count(y.AlertsResolved10), pctCell{in.pct(ratio{y.AlertsResolved10, y.AlertsRaised})}},
		{"Escalated", in.count(y.AlertsEscalated), pctCell{in.pct(ratio{y.AlertsEscalated, y.AlertsRaised})}},
	}); err != nil {
		return err
	}
	rows, err := scanAll(ctx, db, `SELECT reason, coalesce(level, ''), count(*),
		count(*) FILTER (WHERE resolved IS NOT NULL AND resolved <= wd_after(raised, days('qa_resolution_working_days'))),
		count(*) FILTER (WHERE escalated)
		FROM qa_alerts WHERE `+yearCond("raised", y.Year)+` GROUP BY ALL ORDER BY 1, 2`)
	if err != nil {
		return err
	}
	var out [][]any
	for _, r := range rows {
		out = append(out, []any{r[0], r[1], in.count(r[2].(int64)), in.count(r[3].(int64)), in.count(r[4].(int64))})
	}
	if err := s.heading("By reason and level"); err != nil {
		return err
	}
	if err := s.annualTable("Alerts", cols, out); err != nil {
		return err
	}
	return s.flush()
}

func annualMethod(ctx context.Context, db *store.DB, b *book, in AnnualInput, sub string) error {
	s, err := b.newSheet(SheetMethod, "Method", "How these figures were made.", methodWidths, 0)
	if err != nil {
		return err
	}
	y := in.Year.Year
	defs := [][]any{
		{"Financial year", fmt.Sprintf("1 April %d to 31 March %d; the previous year for comparison is %s.", y.Start.Year(), y.End.Year(), in.Previous.Year.Label())},
		{"Snapshot date", "Figures \"at 31 March\" are the audit as of " + in.AsOf.Format("2 January 2006") + " (the year's end, or the extract's date while the year is not over)."},
		{"Obligations in the year", "A review (or plan) obligation belongs to the year in which it fell due: one due on 31 March to this year, one due on 1 April to the next. Each is judged with what the extract records by its due date: one due on 31 March and not held that day counts against the year (held in April it is late), never as upcoming."},
		{"In timescale", "Held on or before its due date, out of every obligation due in the year: late, missed and overdue count against. While the year is not over, one due after the snapshot date is not counted yet."},
		{"Looked-after and adoption reviews", "Review timeliness is the looked-after chain's (initial, second, subsequent) on every sheet, IRO caseloads included; the adoption chain's reviews are reported apart."},
		{"Looked after during the year", "A period of care (short breaks excluded) that started on or before 31 March and had not ended by 1 April."},
		{"Started and ceased", "Children, not periods of care, as the DfE's looked-after statistics count them: a child who started (or ceased) to be looked after twice in the year counts once. Children in care before the extract begins are not counted as starting."},
		{"Participation", "Reviews held in the year, by the 903 participation code. PN0 (a child under 4 at the review) is shown apart; \"4 and over\" means the reviews not coded PN0, whatever the child's recorded age, and percentages are of them (reviews with no valid code included)."},
		{"Equalities groups", "Ethnicity grouped as the DfE groups the 903 codes; age bands at 31 March; legal status and placement of the episode covering the day a review was held, or its due date for one not held."},
		{"IRO caseloads", "At 31 March: children looked after that day with the IRO allocated that day (a child who has left care is not counted, even if the allocation was not closed). On average: each child counted for the days of the year it was looked after and allocated to the IRO, divided by the days of the year."},
		{"PEPs and health assessments", "In date at 31 March: the latest in the current period of care is within its timescale. The share is of the children whose first one is due or done; a child with none whose first is not yet due is counted apart, neither in date nor against."},
		{"Escalations", fmt.Sprintf("Quality assurance alerts raised in the year; resolved within %d working days of being raised (England and Wales working days).", in.Config.Days("qa_resolution_working_days"))},
		{"Program", "lacaudit " + in.Version + "; input " + in.InputLabel + "; written " + in.Started.Format("02/01/2006 15:04")},
	}
	if in.SuppressBelow > 0 {
		defs = append(defs, []any{"Small numbers", fmt.Sprintf("Counts from 1 to %d, and percentages whose count, complement or base is that small, are shown as [c].", in.SuppressBelow-1)})
	}
	if err := s.heading("Definitions"); err != nil {
		return err
	}
	if err := s.table("Definitions", []col{{"Term", 34, kText}, {"Meaning", 90, kText}}, defs); err != nil {
		return err
	}
	if err := rulesTable(s, in.Coverage, in.Config); err != nil {
		return err
	}
	if err := inputsTable(s, in.Tables); err != nil {
		return err
	}
	if err := returnsTable(s, in.Returns); err != nil {
		return err
	}
	return s.flush()
}

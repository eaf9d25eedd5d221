package reports

import (
	"context"
	"fmt"
	"strings"

	"github.com/lacaudit/lacaudit/audit"
	"github.com/lacaudit/lacaudit/store"
)

func annualOverview(ctx context.Context, db *store.DB, b *book, in AnnualInput, sub string) error {
	cols := []col{{"Figure", 58, kText}, {in.label(), 13, kNum}, {in.Previous.Year.Label(), 13, kNum}, {"Change", 13, kNum}}
	several := len(in.Year.Authorities) > 0
	if several {
		cols = withAuthority(cols) // a label column first, on every table of the sheet
	}
	s, err := b.newSheet(SheetOverview, "IRO service annual report "+in.label(), sub, widths(cols), 5)
	if err != nil {
		return err
	}
	if err := s.heading("This year and last"); err != nil {
		return err
	}
	rowsOf := func(cur, prev *YearFigures) [][]any {
		type line struct {
			label  string
			a, b   int64
			ra, rb ratio
			pct    bool
			chain  bool // hangs on the review chains (YearFigures.NoTimeliness)
		}
		lines := []line{
			{label: "Children looked after during the year", a: cur.LookedAfterDuring, b: prev.LookedAfterDuring},
			{label: "Children looked after " + in.atBoth(), a: cur.LookedAfterEnd, b: prev.LookedAfterEnd},
			{label: "Children who started to be looked after", a: cur.Started, b: prev.Started},
			{label: "Children who ceased to be looked after", a: cur.Ceased, b: prev.Ceased},
			{label: "Reviews held", a: cur.ReviewsHeld, b: prev.ReviewsHeld},
			{label: "Reviews in timescale (obligations due in the year)", ra: cur.AllReviews, rb: prev.AllReviews, pct: true, chain: true},
		}
		for _, r := range audit.InChain(audit.LookedAfter) { // "   initial reviews"
			lines = append(lines, line{label: "   " + strings.ToLower(r.Name) + "s", ra: cur.ByRule[r.ID], rb: prev.ByRule[r.ID], pct: true, chain: true})
		}
		lines = append(lines, []line{
			{label: "Adoption reviews in timescale", ra: cur.Adoption, rb: prev.Adoption, pct: true, chain: true},
			{label: "Permanence plan by the second review", ra: cur.Permanence, rb: prev.Permanence, pct: true, chain: true},
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
		// A figure a folder of returns cannot give is n/a, with no change.
		na := func(f *YearFigures, v any, chain bool) any {
			if f != nil && (f.NotAvailable != "" || chain && f.NoTimeliness != "") {
				return "n/a"
			}
			return v
		}
		var rows [][]any
		for _, l := range lines {
			if l.pct {
				a, bb := na(cur, in.pct(l.ra), l.chain), na(prev, in.pct(l.rb), l.chain)
				var ch any
				if fa, ok := a.(float64); ok {
					if fb, ok := bb.(float64); ok {
						ch = fa - fb
					}
				}
				rows = append(rows, []any{l.label, pctCell{a}, pctCell{bb}, pctCell{ch}})
				continue
			}
			a, bb := na(cur, in.count(l.a), false), na(prev, in.count(l.b), false)
			var ch any
			// Part of a year against the whole of the last is no change.
			if _, ok := a.(int64); ok && in.yearOver() {
				if _, ok := bb.(int64); ok {
					ch = l.a - l.b
				}
			}
			rows = append(rows, []any{l.label, a, bb, ch})
		}
		return rows
	}
	all := rowsOf(in.Year, in.Previous)
	if several {
		all = ofAuthorityRows(allAuthorities, all)
	}
	if err := s.annualTable("Overview", cols, all); err != nil {
		return err
	}
	if codes := in.Year.Authorities; len(codes) > 0 {
		if err := s.heading("By authority"); err != nil {
			return err
		}
		var rows [][]any
		for _, code := range codes {
			rows = append(rows, ofAuthorityRows(code, rowsOf(in.Year.ByAuthority[code], in.Previous.ByAuthority[code]))...)
		}
		if err := s.annualTable("OverviewByAuthority", cols, rows); err != nil {
			return err
		}
	}
	notes := []string{
		"Percentage changes are in percentage points. Reviews in timescale count the looked-after chain's review obligations due in the year that were held on time, out of all that fell due (held late, missed or overdue count against; one due on 31 March and not held that day counts against the year). Adoption reviews are counted apart.",
		"Children who started or ceased to be looked after are children, not periods of care: a child who started twice in the year counts once.",
		"PEPs and health assessments: the share in date is of the children whose first one is due or done; a child whose first is not yet due is counted apart.",
	}
	for _, f := range []*YearFigures{in.Year, in.Previous} {
		switch {
		case f.NotAvailable != "":
			notes = append([]string{"n/a: " + f.Year.Label() + " is not available (" + f.NotAvailable + "): no return in the folder covers the year, so none of its figures is shown or compared."}, notes...)
		case f.NoTimeliness != "":
			notes = append([]string{"n/a: " + f.Year.Label() + "'s review timeliness is not available (" + f.NoTimeliness + "): the reviews due early in the year, of children in care before 1 April " +
				fmt.Sprint(f.Year.Start.Year()) + ", hang on reviews before the first return, so it is not shown or compared; the year's counts are."}, notes...)
		}
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

// allAuthorities is the Authority column's value on the rows of all the
// authorities together.
const allAuthorities = "All"

// withAuthority puts an Authority label column first: with several
// authorities every table of an annual sheet that has a By authority table
// has it, so that the code is read before the figure, not beside numbers.
func withAuthority(cols []col) []col {
	return append([]col{{"Authority", 11, kText}}, cols...)
}

// ofAuthorityRows puts code before each of rows.
func ofAuthorityRows(code string, rows [][]any) [][]any {
	out := make([][]any, len(rows))
	for i, r := range rows {
		out[i] = append([]any{code}, r...)
	}
	return out
}

// pctCell marks a value shown as a percentage.
type pctCell struct{ v any }

func annualTimeliness(ctx context.Context, db *store.DB, b *book, in AnnualInput, sub string) error {
	cols := []col{{"Reviews", 40, kText}, {"Due in the year", 14, kInt}, {"Held in timescale", 14, kInt}, {"% in timescale", 14, kPct}}
	qcols := []col{{"Quarter", 40, kText}, {"Due", 14, kInt}, {"Held in timescale", 14, kInt}, {"% in timescale", 14, kPct}}
	several := len(in.Year.Authorities) > 0
	if several {
		cols, qcols = withAuthority(cols), withAuthority(qcols)
	}
	// A gap before the chart, which starts one column after it.
	w := append(widths(cols), 4, 12)
	chartAt, labelCol, pctCol := "F5", "A", "D"
	if several {
		chartAt, labelCol, pctCol = "G5", "B", "E"
	}
	s, err := b.newSheet(SheetTimeliness, "Timeliness of reviews", sub, w, 5)
	if err != nil {
		return err
	}
	if err := s.heading("By review"); err != nil {
		return err
	}
	row := func(label string, r ratio) []any {
		if in.Year.NoTimeliness != "" { // the first return's year (YearFigures)
			return []any{label, "n/a", "n/a", pctCell{"n/a"}}
		}
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
	if several {
		rows = ofAuthorityRows(allAuthorities, rows)
	}
	if err := s.annualTable("Timeliness", cols, rows); err != nil {
		return err
	}
	if codes := y.Authorities; len(codes) > 0 {
		if err := s.heading("By review and authority"); err != nil {
			return err
		}
		var rows [][]any
		for _, code := range codes {
			ya := y.ByAuthority[code]
			var own [][]any
			for _, r := range audit.InChain(audit.LookedAfter) {
				own = append(own, row(r.Name+"s", ya.ByRule[r.ID]))
			}
			own = append(own, row("All looked-after reviews", ya.AllReviews),
				row("Adoption reviews (reported apart)", ya.Adoption))
			rows = append(rows, ofAuthorityRows(code, own)...)
		}
		if err := s.annualTable("TimelinessByAuthority", cols, rows); err != nil {
			return err
		}
	}
	if err := s.heading("Quarter by quarter (looked-after reviews)"); err != nil {
		return err
	}
	var qrows [][]any
	for q, r := range y.Quarters {
		qs := y.Year.Start.AddDate(0, 3*q, 0)
		qrows = append(qrows, row(fmt.Sprintf("Q%d: %s to %s", q+1, qs.Format("Jan 2006"), qs.AddDate(0, 2, 0).Format("Jan 2006")), r))
	}
	if several {
		qrows = ofAuthorityRows(allAuthorities, qrows)
	}
	if err := s.header(qcols); err != nil {
		return err
	}
	first := s.row
	for _, r := range qrows {
		if err := s.put(s.annualValues(r)); err != nil {
			return err
		}
	}
	last := s.row
	if err := s.finishTable("Quarters", qcols, first); err != nil {
		return err
	}
	if why := in.Year.NoTimeliness; why != "" {
		if err := s.note("n/a: not available (" + why + "): the reviews due early in the year, of children in care before 1 April " +
			fmt.Sprint(in.Year.Year.Start.Year()) + ", hang on reviews before the first return."); err != nil {
			return err
		}
	}
	if err := s.note("Every review obligation due in the year counts, held or not: held on or before its due date is in timescale; held late, missed or overdue is not. One due on 31 March and not held that day counts against the year (held in April it is late). Adoption reviews are apart from the looked-after reviews, here and on every sheet."); err != nil {
		return err
	}
	zero, one := 0.0, 1.0
	s.beforeFlush = append(s.beforeFlush, func() error {
		return b.f.AddChart(SheetTimeliness, chartAt, barChart("Reviews held in timescale, by quarter",
			fmt.Sprintf("'%s'!$%s$%d:$%s$%d", SheetTimeliness, labelCol, first+1, labelCol, last),
			fmt.Sprintf("'%s'!$%s$%d:$%s$%d", SheetTimeliness, pctCol, first+1, pctCol, last), &zero, &one, "0%"))
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

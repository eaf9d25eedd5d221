package reports

import (
	"context"
	"fmt"
	"regexp"

	"github.com/xuri/excelize/v2"

	"github.com/lacaudit/lacaudit/ingest"
	"github.com/lacaudit/lacaudit/store"
)

// SheetByAuthority is the nightly workbook's sheet of the Summary's
// headline figures per authority, written when the extract holds several.
const SheetByAuthority = "By authority"

// ofAuthority is the SQL condition that the child key in col is one of
// authority code's children (keys are "LA:CHILD" with several authorities).
func ofAuthority(col, code string) string {
	return "starts_with(" + col + ", " + store.Quote(code+ingest.KeySeparator) + ")"
}

// withLA puts an LA column before the column titled "Child" when the
// extract holds several authorities; the list's query then selects
// childSQL for it.
func withLA(a ingest.Authorities, cols []col) []col {
	if !a.Several() {
		return cols
	}
	var out []col
	for _, c := range cols {
		if c.title == "Child" {
			out = append(out, col{"LA", 6, kText})
		}
		out = append(out, c)
	}
	return out
}

// childSQL selects a child key for a list: with several authorities the
// authority's code and the child, in two columns (withLA), else the child.
func childSQL(a ingest.Authorities, expr string) string {
	if !a.Several() {
		return expr
	}
	return a.LA(expr) + ", " + a.Child(expr)
}

// byAuthoritySheet writes, for an extract of several authorities, the
// Summary's headline figures per authority side by side, each share
// coloured red, amber or green against its target, and the figures of
// all the authorities together (the Summary's) last.
func byAuthoritySheet(ctx context.Context, db *store.DB, b *book, in Input, asOf string) error {
	a, err := ingest.ReadAuthorities(ctx, db)
	if err != nil || !a.Several() {
		return err
	}
	all, err := headlineFiguresWhere(ctx, db, "true")
	if err != nil {
		return err
	}
	per := make([]map[string]figure, len(a.Codes))
	for i, code := range a.Codes {
		figs, err := headlineFiguresWhere(ctx, db, ofAuthority("child", code))
		if err != nil {
			return err
		}
		per[i] = map[string]figure{}
		for _, f := range figs {
			per[i][f.label] = f
		}
	}
	cols := []col{{"Figure", 58, kText}, {"Green from", 11, kPct}, {"Amber from", 11, kPct}}
	for _, code := range a.Codes {
		cols = append(cols, col{"LA " + code, 11, kNum})
	}
	cols = append(cols, col{"All", 11, kNum})
	s, err := b.newSheet(SheetByAuthority, "By authority",
		fmt.Sprintf("As of %s: the Summary's headline figures for each of the %d authorities of the extract (a child is the pair of its authority and identifier), and for all of them together; red, amber and green compare each share with its target.", asOf, len(a.Codes)),
		widths(cols), 5)
	if err != nil {
		return err
	}
	if err := s.heading("Headline figures by authority"); err != nil {
		return err
	}
	if err := s.header(cols); err != nil {
		return err
	}
	first := s.row
	value := func(f figure, ok bool) any {
		switch {
		case !ok:
			return cell(int64(0), b.st.integer)
		case f.pct && f.of == 0:
			return cell("no data", b.st.body)
		case f.pct:
			return cell(float64(f.count)/float64(f.of), b.st.pct)
		}
		return cell(f.count, b.st.integer)
	}
	for _, f := range all {
		vals := []any{cell(f.label, b.st.body)}
		t, hasTarget := in.Config.Target(f.target)
		if hasTarget {
			vals = append(vals, cell(t.Green, b.st.pct), cell(t.Amber, b.st.pct))
		} else {
			vals = append(vals, cell(nil, b.st.body), cell(nil, b.st.body))
		}
		for i := range a.Codes {
			g, ok := per[i][f.label]
			if f.pct && !ok {
				g, ok = figure{pct: true}, true // "no data"
			}
			vals = append(vals, value(g, ok))
		}
		vals = append(vals, value(f, true))
		if err := s.put(vals); err != nil {
			return err
		}
		if !f.pct || !hasTarget {
			continue
		}
		row := s.row
		last, err := excelize.CoordinatesToCellName(len(cols), row)
		if err != nil {
			return err
		}
		// The formulas are relative to the range's first cell, D: each
		// authority's share against the row's targets in B and C.
		s.beforeFlush = append(s.beforeFlush, func() error {
			return b.f.SetConditionalFormat(SheetByAuthority, fmt.Sprintf("D%d:%s", row, last), []excelize.ConditionalFormatOptions{
				{Type: "formula", Criteria: fmt.Sprintf("AND(ISNUMBER(D%[1]d),ISNUMBER($B%[1]d),D%[1]d>=$B%[1]d)", row), Format: &b.st.good},
				{Type: "formula", Criteria: fmt.Sprintf("AND(ISNUMBER(D%[1]d),ISNUMBER($C%[1]d),D%[1]d>=$C%[1]d,D%[1]d<$B%[1]d)", row), Format: &b.st.amber},
				{Type: "formula", Criteria: fmt.Sprintf("AND(ISNUMBER(D%[1]d),ISNUMBER($C%[1]d),D%[1]d<$C%[1]d)", row), Format: &b.st.red},
			})
		})
	}
	if err := s.finishTable("ByAuthority", cols, first); err != nil {
		return err
	}
	if err := s.note("Each figure is counted as on the Summary, over one authority's children: the same identifier in two authorities is two children. The lists on the other sheets have an LA column."); err != nil {
		return err
	}
	return s.flush()
}

// scoped matches the tables an annual figure is counted from, up to their
// WHERE: each has the child key, which withinAuthority restricts.
var scoped = regexp.MustCompile(`FROM (wf|periods|looked_after_now|held_reviews|breakdowns|qa_alerts)\s+WHERE `)

// withinAuthority restricts an annual figure's query to the children cond
// says (empty: every child). A query of another shape fails rather than
// count every authority's children as one's.
func withinAuthority(q, cond string) string {
	if cond == "" {
		return q
	}
	if !scoped.MatchString(q) {
		return "SELECT error('annual figure not restricted to one authority')"
	}
	return scoped.ReplaceAllString(q, "FROM $1 WHERE ("+cond+") AND ")
}

// perAuthority is a By team or By IRO group's name: with several
// authorities the authority's code before the team's or worker's name
// (nameExpr), so that two authorities' "Team North" are two teams; else
// the name.
func perAuthority(a ingest.Authorities, childExpr, nameExpr string) string {
	if !a.Several() {
		return nameExpr
	}
	return a.LA(childExpr) + " || ' ' || coalesce(" + nameExpr + ", '(none recorded)')"
}

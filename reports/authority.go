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
// Summary's headline figures per authority side by side, each share as
// on the Summary (the percentage, coloured red, amber or green against its
// target, and its "x of y"), the figures of all the authorities together
// (the Summary's) last, and the Summary's links to the detail sheets. A
// code that no row of header carries (a stray code on other tables'
// records) is no authority: it gets no column, a line beneath, and a
// warning on the Warnings sheet (DATA.md, "Several authorities").
func byAuthoritySheet(ctx context.Context, db *store.DB, b *book, in Input, asOf string) error {
	a, err := b.authorities(ctx, db)
	if err != nil || !a.Several() {
		return err
	}
	codes, stray, err := authoritiesInHeader(ctx, db, a.Codes)
	if err != nil {
		return err
	}
	all, err := headlineFiguresWhere(ctx, db, "true")
	if err != nil {
		return err
	}
	per := make([]map[string]figure, len(codes))
	for i, code := range codes {
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
	for _, code := range codes {
		cols = append(cols, col{"LA " + code, 11, kNum}, col{"LA " + code + " of", 15, kText})
	}
	cols = append(cols, col{"All", 11, kNum}, col{"All of", 15, kText}, col{"Detail", 26, kText})
	s, err := b.newSheet(SheetByAuthority, "By authority",
		fmt.Sprintf("As of %s: the Summary's headline figures for each of the %d authorities of the extract (a child is the pair of its authority and identifier), and for all of them together; red, amber and green compare each share with its target. LA 101 is the authority whose DfE local authority code, in the LA column of the extract, is 101.", asOf, len(codes)),
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
	value := func(f figure, ok bool) []any {
		switch {
		case !ok:
			return []any{cell(int64(0), b.st.integer), cell("", b.st.body)}
		case f.pct && f.of == 0:
			return []any{cell("no data", b.st.body), cell("", b.st.body)}
		case f.pct:
			return []any{cell(float64(f.count)/float64(f.of), b.st.pct), cell(fmt.Sprintf("%d of %d", f.count, f.of), b.st.center)}
		}
		return []any{cell(f.count, b.st.integer), cell("", b.st.body)}
	}
	for _, f := range all {
		vals := []any{cell(f.label, b.st.body)}
		t, hasTarget := in.Config.Target(f.target)
		if hasTarget {
			vals = append(vals, cell(t.Green, b.st.pct), cell(t.Amber, b.st.pct))
		} else {
			vals = append(vals, cell(nil, b.st.body), cell(nil, b.st.body))
		}
		for i := range codes {
			g, ok := per[i][f.label]
			if f.pct && !ok {
				g, ok = figure{pct: true}, true // "no data"
			}
			vals = append(vals, value(g, ok)...)
		}
		vals = append(vals, value(f, true)...)
		link := ""
		if f.sheet != "" {
			link = "See " + f.sheet
		}
		vals = append(vals, cell(link, b.st.link))
		if err := s.put(vals); err != nil {
			return err
		}
		row, sheet := s.row, f.sheet
		detail, err := excelize.CoordinatesToCellName(len(cols), row)
		if err != nil {
			return err
		}
		if sheet != "" {
			s.beforeFlush = append(s.beforeFlush, func() error {
				return b.f.SetCellHyperLink(SheetByAuthority, detail, fmt.Sprintf("'%s'!A1", sheet), "Location",
					excelize.HyperlinkOpts{Tooltip: strPtr("Go to " + sheet)})
			})
		}
		if !f.pct || !hasTarget {
			continue
		}
		// Each authority's share, and all of them together, against the
		// row's targets in B and C.
		for i := 0; i <= len(codes); i++ {
			ref, err := excelize.CoordinatesToCellName(4+2*i, row)
			if err != nil {
				return err
			}
			s.beforeFlush = append(s.beforeFlush, func() error {
				return b.f.SetConditionalFormat(SheetByAuthority, ref, []excelize.ConditionalFormatOptions{
					{Type: "formula", Criteria: fmt.Sprintf("AND(ISNUMBER(%[1]s),ISNUMBER($B%[2]d),%[1]s>=$B%[2]d)", ref, row), Format: &b.st.good},
					{Type: "formula", Criteria: fmt.Sprintf("AND(ISNUMBER(%[1]s),ISNUMBER($C%[2]d),%[1]s>=$C%[2]d,%[1]s<$B%[2]d)", ref, row), Format: &b.st.amber},
					{Type: "formula", Criteria: fmt.Sprintf("AND(ISNUMBER(%[1]s),ISNUMBER($C%[2]d),%[1]s<$C%[2]d)", ref, row), Format: &b.st.red},
				})
			})
		}
	}
	if err := s.finishTable("ByAuthority", cols, first); err != nil {
		return err
	}
	if err := s.note("Each figure is counted as on the Summary, over one authority's children: the same identifier in two authorities is two children. The lists on the other sheets have an LA column."); err != nil {
		return err
	}
	for _, sc := range stray {
		if err := s.note(fmt.Sprintf("LA %s is not an authority of the extract: no row of header carries it, yet %s of other tables do (a wrong code?). They are listed on the Warnings sheet and counted in no authority's column.", sc.code, plural(sc.records, "record"))); err != nil {
			return err
		}
	}
	return s.flush()
}

// strayCode is an LA code that records carry but no row of header does.
type strayCode struct {
	code    string
	records int64
}

// authoritiesInHeader splits codes into those some row of header carries
// (the authorities) and the stray ones, with how many records carry each
// (the warnings of the consistency checks).
func authoritiesInHeader(ctx context.Context, db *store.DB, codes []string) ([]string, []strayCode, error) {
	keep, others, err := codesInHeader(ctx, db, codes)
	if err != nil {
		return nil, nil, err
	}
	var stray []strayCode
	for _, code := range others {
		var n int64
		if err := db.QueryRowContext(ctx, "SELECT count(*) FROM dq_warnings WHERE check_name = 'authority_not_in_header' AND "+ofAuthority("child", code)).Scan(&n); err != nil {
			return nil, nil, fmt.Errorf("count the records of LA %s: %w", code, err)
		}
		stray = append(stray, strayCode{code, n})
	}
	return keep, stray, nil
}

// codesInHeader splits codes into those some row of header carries and
// the others, each in the order of codes.
func codesInHeader(ctx context.Context, db *store.DB, codes []string) (in, out []string, err error) {
	inHeader := map[string]bool{}
	rows, err := scanAll(ctx, db, "SELECT DISTINCT la FROM header WHERE la IS NOT NULL")
	if err != nil {
		return nil, nil, fmt.Errorf("read the authorities of header: %w", err)
	}
	for _, r := range rows {
		if c, ok := r[0].(string); ok {
			inHeader[c] = true
		}
	}
	for _, code := range codes {
		if inHeader[code] {
			in = append(in, code)
		} else {
			out = append(out, code)
		}
	}
	return in, out, nil
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

// plural is "1 record" or "n records".
func plural(n int64, noun string) string {
	if n == 1 {
		return "1 " + noun
	}
	return fmt.Sprintf("%d %ss", n, noun)
}

package reports

import (
	"context"
	"fmt"
	"strings"

	"github.com/xuri/excelize/v2"

	"github.com/lacaudit/lacaudit/audit"
	"github.com/lacaudit/lacaudit/ingest"
	"github.com/lacaudit/lacaudit/store"
)

// figure is one headline figure of the Summary.
type figure struct {
	label  string
	count  int64 // for a count figure, the count; for a share, the numerator
	of     int64 // for a share, the denominator (0: a plain count)
	target string
	sheet  string
	pct    bool
}

// headlineFigures computes the Summary's figures from the findings, in one
// scan of wf: each figure is a count of the findings that match a condition
// (and, for a share, of those that match its denominator).
func headlineFigures(ctx context.Context, db *store.DB) ([]figure, error) {
	return headlineFiguresWhere(ctx, db, "true")
}

// headlineFiguresWhere is headlineFigures of the children where says (a
// condition on the child key: one authority's, on the By authority sheet).
func headlineFiguresWhere(ctx context.Context, db *store.DB, where string) ([]figure, error) {
	var current, shortBreaks int64
	if err := db.QueryRowContext(ctx, "SELECT count(*) FILTER (WHERE NOT short_breaks), count(*) FILTER (WHERE short_breaks) FROM looked_after_now WHERE "+where).
		Scan(&current, &shortBreaks); err != nil {
		return nil, fmt.Errorf("summary figures: %w", err)
	}
	type spec struct {
		figure
		num, den string // conditions on wf; den is empty for a count
	}
	var specs []spec
	cnt := func(label, cond, sheet string) {
		specs = append(specs, spec{figure: figure{label: label, sheet: sheet}, num: cond})
	}
	sh := func(label, num, den, target, sheet string) {
		specs = append(specs, spec{figure: figure{label: label, target: target, sheet: sheet, pct: true}, num: num, den: den})
	}
	heldLastYear := "rule IN " + chainRules + " AND done IS NOT NULL AND " + inLastYear("done")
	cnt("Reviews held in the last 12 months", heldLastYear, SheetTrend)
	// Timeliness, as the annual report counts it: the reviews due in the
	// window, held in time out of all of them; the looked-after chain,
	// whose rules add up to it, the adoption chain apart.
	dueLastYear := func(rules string) string { return "rule IN " + rules + " AND " + counted("") }
	sh("Reviews held in timescale, of those due in the last 12 months", dueLastYear(laChain)+" AND status = 'met'", dueLastYear(laChain), "reviews_in_timescale", "Reviews")
	// One line per rule of the looked-after chain ("   initial reviews"),
	// judged against its target ("initial_in_timescale").
	for _, r := range audit.InChain(audit.LookedAfter) {
		name := strings.ToLower(strings.TrimSuffix(r.Name, " review"))
		cond := dueLastYear("('" + r.ID + "')")
		sh("   "+name+" reviews", cond+" AND status = 'met'", cond, name+"_in_timescale", "Reviews")
	}
	sh("Adoption reviews held in timescale, of those due in the last 12 months", dueLastYear(adoptChain)+" AND status = 'met'", dueLastYear(adoptChain), "", "Reviews")
	cnt("Reviews overdue now", "rule IN "+chainRules+" AND status = 'overdue'", SheetActions)
	cnt("Reviews due in the next 20 working days", "rule IN "+chainRules+" AND status = 'upcoming' AND due <= wd_after(as_of(), 20)", SheetActions)
	// Snapshot figures: in date (met) out of the children whose first one is
	// due or done; a child with nothing recorded whose first is not yet due
	// (upcoming) is neither, and counted on the line beneath.
	snap := func(label, rule, target, sheet, apart string) {
		r := "rule = '" + rule + "'"
		sh(label, r+" AND status = 'met'", r+" AND status <> 'upcoming'", target, sheet)
		cnt(apart, r+" AND status = 'upcoming'", sheet)
	}
	snap("School-age children with a current PEP", "PEP_CURRENT", "pep_current", "Plans and education", "   school-age children whose first PEP is not yet due")
	permDue := "rule = 'PERM_BY_SECOND' AND " + counted("")
	sh("Permanence plan by the second review, last 12 months", permDue+" AND status = 'met'", permDue, "permanence_by_second", "Plans and education")
	brk := "rule = 'DISRUPTION_MEETING' AND " + counted("")
	sh("Breakdowns followed by a disruption meeting in time, last 12 months", brk+" AND status = 'met'", brk, "breakdowns_with_meeting", "Placements and disruption")
	cnt("Breakdowns without a disruption meeting (open now)", "rule = 'DISRUPTION_MEETING' AND status = 'overdue'", "Placements and disruption")
	snap("Health assessments in date", "HEALTH_ASSESSMENT", "health_in_date", "Health and visits", "   children whose first health assessment is not yet due")
	snap("Statutory visits in date", "VISIT_STATUTORY", "visits_in_date", "Health and visits", "   children whose first visit in the placement is not yet due")
	sh("Children with an allocated social worker", "rule = 'NO_ALLOCATED_SW' AND status = 'met'", "rule = 'NO_ALLOCATED_SW'", "allocated_sw", "Allocation")
	sh("Children with an allocated IRO", "rule = 'NO_ALLOCATED_IRO' AND status = 'met'", "rule = 'NO_ALLOCATED_IRO'", "allocated_iro", "Allocation")

	var aggs []string
	var dest []any
	for i := range specs {
		aggs = append(aggs, "count(*) FILTER (WHERE "+specs[i].num+")")
		dest = append(dest, &specs[i].count)
		if specs[i].den != "" {
			aggs = append(aggs, "count(*) FILTER (WHERE "+specs[i].den+")")
			dest = append(dest, &specs[i].of)
		}
	}
	if err := db.QueryRowContext(ctx, "SELECT "+strings.Join(aggs, ",\n")+"\nFROM wf WHERE "+where).Scan(dest...); err != nil {
		return nil, fmt.Errorf("summary figures: %w", err)
	}
	figs := []figure{{label: "Children looked after now", count: current}}
	if shortBreaks > 0 {
		figs = append(figs, figure{label: "Children on a short break now (not assessed: short breaks)", count: shortBreaks})
	}
	for _, sp := range specs {
		figs = append(figs, sp.figure)
	}
	return figs, nil
}

func summarySheet(ctx context.Context, db *store.DB, b *book, in Input, asOf string) error {
	s, err := b.newSheet(SheetSummary, "Children looked after: reviews and plans",
		"As of "+asOf+". Figures count obligations in RULES.md timescales; red, amber and green compare them with the targets set in the configuration.",
		[]float64{58, 13, 16, 11, 11, 26}, 6+len(in.Alerts))
	if err != nil {
		return err
	}
	for _, a := range in.Alerts {
		if err := s.put([]any{cell(a, b.st.heading)}, 18); err != nil {
			return err
		}
	}
	figs, err := headlineFigures(ctx, db)
	if err != nil {
		return err
	}
	if err := s.heading("Headline figures"); err != nil {
		return err
	}
	cols := []col{{"Figure", 58, kText}, {"Value", 13, kNum}, {"Of", 16, kText}, {"Green from", 11, kPct}, {"Amber from", 11, kPct}, {"Detail", 26, kText}}
	if err := s.header(cols); err != nil {
		return err
	}
	first := s.row + 1
	for _, f := range figs {
		vals := []any{cell(f.label, b.st.body)}
		switch {
		case f.pct && f.of == 0:
			vals = append(vals, cell("no data", b.st.body), cell("", b.st.body))
		case f.pct:
			vals = append(vals, cell(float64(f.count)/float64(f.of), b.st.pct), cell(fmt.Sprintf("%d of %d", f.count, f.of), b.st.center))
		default:
			vals = append(vals, cell(f.count, b.st.integer), cell("", b.st.body))
		}
		if t, ok := in.Config.Target(f.target); ok {
			vals = append(vals, cell(t.Green, b.st.pct), cell(t.Amber, b.st.pct))
		} else {
			vals = append(vals, cell(nil, b.st.body), cell(nil, b.st.body))
		}
		link := ""
		if f.sheet != "" {
			link = "See " + f.sheet
		}
		vals = append(vals, cell(link, b.st.link))
		if err := s.put(vals); err != nil {
			return err
		}
		row, sheet, isPct, hasData := s.row, f.sheet, f.pct, f.of > 0
		s.beforeFlush = append(s.beforeFlush, func() error {
			if sheet != "" {
				if err := b.f.SetCellHyperLink(SheetSummary, fmt.Sprintf("F%d", row), fmt.Sprintf("'%s'!A1", sheet), "Location",
					excelize.HyperlinkOpts{Tooltip: strPtr("Go to " + sheet)}); err != nil {
					return err
				}
			}
			if !isPct || !hasData {
				return nil
			}
			ref := fmt.Sprintf("B%d", row)
			return b.f.SetConditionalFormat(SheetSummary, ref, []excelize.ConditionalFormatOptions{
				{Type: "formula", Criteria: fmt.Sprintf("AND(ISNUMBER($D%[1]d),$B%[1]d>=$D%[1]d)", row), Format: &b.st.good},
				{Type: "formula", Criteria: fmt.Sprintf("AND(ISNUMBER($E%[1]d),$B%[1]d>=$E%[1]d,$B%[1]d<$D%[1]d)", row), Format: &b.st.amber},
				{Type: "formula", Criteria: fmt.Sprintf("AND(ISNUMBER($E%[1]d),$B%[1]d<$E%[1]d)", row), Format: &b.st.red},
			})
		})
	}
	if err := s.finishTable("Headline", cols, first-1); err != nil {
		return err
	}
	unread, err := unreadRows(ctx, db, in.Tables)
	if err != nil {
		return err
	}
	for _, n := range unread {
		if err := s.note(n); err != nil {
			return err
		}
	}
	for _, n := range []string{
		"Reviews in timescale: the looked-after chain's reviews due in the 12 months to the as-of date, held on or before the due date, out of all of them: met, late, missed and overdue (one due today and not held yet is not counted; one overdue since before the 12 months is in Reviews overdue now). Initial, second and subsequent add up to it; adoption reviews are apart. Permanence plans and disruption meetings are counted the same way.",
		"PEPs, health assessments and visits: in date out of the children looked after now whose first one is due or done; a child with none whose first is not yet due is counted on the line beneath, neither in date nor against.",
	} {
		if err := s.note(n); err != nil {
			return err
		}
	}
	var notAssessed [][]any
	for _, c := range in.Coverage {
		if c.Status != "assessed" {
			notAssessed = append(notAssessed, []any{c.Rule.Title + " (" + c.Rule.ID + ")", c.Status, c.Reason})
		}
	}
	if err := s.heading("Rules not assessed"); err != nil {
		return err
	}
	if len(notAssessed) == 0 {
		if err := s.note("Every rule was assessed: the extract had every table and column the rules need."); err != nil {
			return err
		}
	} else {
		if err := s.note("These rules need data the extract did not have. Absent data is never counted as compliance."); err != nil {
			return err
		}
		if err := s.table("NotAssessed", []col{{"Rule", 58, kText}, {"Status", 13, kText}, {"Why", 60, kText}}, notAssessed); err != nil {
			return err
		}
	}
	if err := s.heading("Sheets"); err != nil {
		return err
	}
	sheets := []string{
		"Action list: every review overdue now or due in the next 20 working days, with its preparation deadlines, most urgent first.",
		"Reviews, After-review records, Plans and education, Placements and disruption, Health and visits, Allocation: the exceptions (late, overdue, missed, not met) of the last 12 months and everything overdue now.",
		"By team and By IRO: obligations in timescale per rule family, and caseloads. Trend: the last " + fmt.Sprint(trendMonths) + " months and past nights.",
		"Data quality: rows that could not be read and warnings. Method: rules, timescales, configuration and input files.",
	}
	a, err := b.authorities(ctx, db)
	if err != nil {
		return err
	}
	if a.Several() {
		codes, _, err := codesInHeader(ctx, db, a.Codes)
		if err != nil {
			return err
		}
		sheets = append([]string{fmt.Sprintf("By authority: the figures above for each of the %d authorities of the extract (%s), side by side.",
			len(codes), strings.Join(codes, ", "))}, sheets...)
	}
	for _, line := range sheets {
		if err := s.note(line); err != nil {
			return err
		}
	}
	if in.Style.Logo != nil {
		logo := *in.Style.Logo
		s.beforeFlush = append(s.beforeFlush, func() error {
			return b.f.AddPictureFromBytes(SheetSummary, "F1", &logo)
		})
	}
	return s.flush()
}

// unreadRows are the Summary's lines for the tables used with rejected
// rows, core tables first: the figures built on them may be understated (a
// review that could not be read looks not held). A table left out for its
// rejects is not used at all, and is among the rules not assessed instead.
func unreadRows(ctx context.Context, db *store.DB, tables []ingest.TableStat) ([]string, error) {
	used := map[string]bool{}
	rows, err := db.QueryContext(ctx, "SELECT table_name FROM input_tables WHERE present")
	if err != nil {
		return nil, fmt.Errorf("read the tables used: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var t string
		if err := rows.Scan(&t); err != nil {
			return nil, err
		}
		used[t] = true
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	var out []string
	for _, core := range []bool{true, false} {
		for _, t := range ingest.Tables {
			if t.Core != core {
				continue
			}
			for _, st := range tables {
				if st.Table == t.Name && st.Rejected > 0 && used[t.Name] {
					rows := "rows"
					if st.Rejected == 1 {
						rows = "row"
					}
					out = append(out, fmt.Sprintf("%d %s of %s could not be read (see Data quality): figures that depend on them may be understated", st.Rejected, rows, t.Name))
				}
			}
		}
	}
	return out, nil
}

func strPtr(s string) *string { return &s }

package reports

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/xuri/excelize/v2"

	"github.com/lacaudit/lacaudit/audit"
	"github.com/lacaudit/lacaudit/config"
	"github.com/lacaudit/lacaudit/ingest"
	"github.com/lacaudit/lacaudit/store"
	"github.com/lacaudit/lacaudit/templates"
)

// Input is what the workbook says about the run besides the database.
type Input struct {
	AsOf       time.Time
	Config     *config.Config
	Style      *templates.Style
	Version    string
	InputLabel string
	Tables     []ingest.TableStat
	Ignored    []string
	Coverage   []audit.Coverage
	Started    time.Time
	// Pseudonymised says children and workers appear as keyed hashes.
	Pseudonymised bool
	// Notes are further rows (item, value) of the Method sheet's "This run"
	// table: what the partial-export guard compared, a fall accepted, an
	// optional table not used.
	Notes [][2]string
	// Alerts are lines shown prominently at the top of the Summary, above
	// the figures: an extract that looks out of date.
	Alerts []string
	// Lists, when set, is called as the exception sheets begin: from there
	// the workbook is mostly excelize writing rows on one core, and a
	// caller can use the other.
	Lists func()
	// FindingsFiles names the run's findings files, for the note over a
	// list cut short (empty: findings.csv).
	FindingsFiles string
}

// Sheet names, in workbook order.
const (
	SheetSummary  = "Summary"
	SheetActions  = "Action list"
	SheetByTeam   = "By team"
	SheetByIRO    = "By IRO"
	SheetTrend    = "Trend"
	SheetQuality  = "Data quality"
	SheetWarnings = "Warnings"
	SheetMethod   = "Method"
)

// chainRules are the review-timeliness rules of both chains, as the
// catalogue says (rule_coverage, audit.Catalogue).
const chainRules = `(SELECT rule FROM rule_coverage WHERE chain IS NOT NULL)`

// lastYear is the SQL condition for "in the 12 months up to the as-of date".
const lastYear = `> as_of() - INTERVAL 1 YEAR AND %s <= as_of()`

func inLastYear(col string) string { return col + " " + fmt.Sprintf(lastYear, col) }

// recent is the window of the exception sheets: obligations due in the 12
// months to the as-of date or later (a snapshot obligation that is met is
// due in the future), and everything overdue now.
func recent(alias string) string {
	return fmt.Sprintf("(%[1]sstatus = 'overdue' OR %[1]sdue > as_of() - INTERVAL 1 YEAR)", alias)
}

// snapshotRules are the rules with one row per child looked after now,
// judged on the as-of date: a met one is due in the future.
const snapshotRules = `(SELECT rule FROM rule_coverage WHERE snapshot)`

// counted is the condition (on wf, alias a with its dot) for the
// obligations a share in timescale counts, on the Summary, By team and By
// IRO alike, as the annual report counts a year: for a dated rule, those
// due in the 12 months to the as-of date, met, late, missed or overdue (one
// met early whose due date is still ahead waits for it; one overdue since
// before the 12 months is in "Reviews overdue now" and on the exception
// sheets, not in a share); for a snapshot rule, every child's row but an
// upcoming one (nothing recorded and the first not yet due, shown apart on
// the Summary).
func counted(a string) string {
	return fmt.Sprintf(`(%[1]sstatus <> 'upcoming' AND (%[1]srule IN %[2]s
		OR (%[1]sdue > as_of() - INTERVAL 1 YEAR AND %[1]sdue <= as_of())))`, a, snapshotRules)
}

// laChain is the looked-after review chain, whose timeliness is the
// headline; the adoption chain is reported apart. Both as the catalogue
// says (rule_coverage, audit.Catalogue).
const laChain = `(SELECT rule FROM rule_coverage WHERE chain = '` + string(audit.LookedAfter) + `')`

// adoptChain is the adoption review chain's rules.
const adoptChain = `(SELECT rule FROM rule_coverage WHERE chain = '` + string(audit.Adoption) + `')`

// WriteWorkbook writes the nightly performance workbook to path. The audit
// must have run in db (its findings, rule_coverage and helper tables), and
// Prepare after it.
func WriteWorkbook(ctx context.Context, db *store.DB, path string, in Input) error {
	b, err := newBook(in.Style)
	if err != nil {
		return err
	}
	defer b.f.Close()
	asOf := in.AsOf.Format("2 January 2006")
	steps := []func(context.Context, *store.DB, *book, Input, string) error{
		summarySheet, actionSheet, exceptionSheets, teamSheet, iroSheet, trendSheet, qualitySheet, methodSheet,
	}
	for _, step := range steps {
		if err := step(ctx, db, b, in, asOf); err != nil {
			return err
		}
	}
	if err := b.f.SetDocProps(docProps("Children looked after: reviews and plans, as of "+asOf, in.Version, in.Started)); err != nil {
		return err
	}
	// The Summary, the first sheet, is active in a new workbook. (Calling
	// SetActiveSheet would make excelize read every streamed sheet back
	// into memory.)
	if err := b.f.SaveAs(path); err != nil {
		return fmt.Errorf("write workbook %s: %w", path, err)
	}
	return nil
}

// findingsAsText is the findings table with its ENUM columns as text.
const findingsAsText = `SELECT rule::VARCHAR AS rule, child, period_start, due, done, status::VARCHAR AS status, days_late,
		       team::VARCHAR AS team, social_worker::VARCHAR AS social_worker, iro::VARCHAR AS iro
		FROM findings`

// trendMonths is how many months the Trend sheet shows, the as-of month last.
const trendMonths = 24

// textView defines wf, the findings as text, for the annual report (the
// nightly workbook's wf is Prepare's table): the workbooks read findings as
// text because duckdb-go scans ENUM values (rule, status, names) far more
// slowly than VARCHAR. (Prepare's wf keeps the ENUMs, which its summaries
// group and compare faster, and casts what its lists read.)
func textView(ctx context.Context, db *store.DB) error {
	if _, err := db.ExecContext(ctx, "CREATE OR REPLACE TEMP VIEW wf AS "+findingsAsText); err != nil {
		return fmt.Errorf("view of findings: %w", err)
	}
	return nil
}

// Prepare builds the tables the nightly workbook is written from, so that
// WriteWorkbook's own queries are small. wf is the findings it can show
// (rule, status and names still ENUMs): what is overdue or upcoming now,
// the snapshot rules (one row a child looked after now), whatever was due
// in the 12 months to the as-of date or later (the window of recent and of
// the Summary's 12-month figures), and the reviews held since the first
// month of the Trend sheet (trendMonths), so that ten years of history
// shrink to under a third. wx is the exception sheets' rows, unsorted:
// each sheet sorts its own (exceptionOrder), and past the list cap DuckDB
// keeps only the first rows as it sorts instead of sorting every exception
// (at 300,000 children, millions of rows sorted for 6 lists of 20,000).
func Prepare(ctx context.Context, db *store.DB, asOf time.Time) error {
	horizon := time.Date(asOf.Year(), asOf.Month()-(trendMonths-1), 1, 0, 0, 0, 0, time.UTC).Format(time.DateOnly)
	stmts := []string{`CREATE OR REPLACE TEMP TABLE wf AS
		SELECT rule, child, period_start, due, done, status, days_late, team, social_worker, iro FROM findings
		WHERE status IN ('overdue', 'upcoming') OR due > as_of() - INTERVAL 1 YEAR
		   OR (rule IN ` + chainRules + ` AND done >= DATE '` + horizon + `')
		   OR rule IN (SELECT rule FROM rule_coverage WHERE snapshot)`,
		`CREATE OR REPLACE TEMP TABLE wx AS
		SELECT c.family, c.title, f.child, f.period_start, f.due, f.done, replace(f.status::VARCHAR, '_', ' ') AS status,
		       f.days_late, f.team::VARCHAR AS team, f.social_worker::VARCHAR AS social_worker, f.iro::VARCHAR AS iro
		FROM wf f JOIN rule_coverage c ON c.rule = f.rule::VARCHAR
		WHERE f.status IN ('late', 'overdue', 'missed', 'not_met') AND ` + recent("f.")}
	for _, q := range stmts {
		if _, err := db.ExecContext(ctx, q); err != nil {
			return fmt.Errorf("prepare the workbook: %w", err)
		}
	}
	return nil
}

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
	var current, shortBreaks int64
	if err := db.QueryRowContext(ctx, "SELECT count(*) FILTER (WHERE NOT short_breaks), count(*) FILTER (WHERE short_breaks) FROM a_current").
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
	if err := db.QueryRowContext(ctx, "SELECT "+strings.Join(aggs, ",\n")+"\nFROM wf").Scan(dest...); err != nil {
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
	for _, line := range []string{
		"Action list: every review overdue now or due in the next 20 working days, with its preparation deadlines, most urgent first.",
		"Reviews, After-review records, Plans and education, Placements and disruption, Health and visits, Allocation: the exceptions (late, overdue, missed, not met) of the last 12 months and everything overdue now.",
		"By team and By IRO: obligations in timescale per rule family, and caseloads. Trend: the last " + fmt.Sprint(trendMonths) + " months and past nights.",
		"Data quality: rows that could not be read and warnings. Method: rules, timescales, configuration and input files.",
	} {
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

func actionSheet(ctx context.Context, db *store.DB, b *book, in Input, asOf string) error {
	cols := []col{
		{"Child", 12, kText}, {"Review", 30, kText}, {"Due", 12, kDate}, {"Days left", 10, kInt}, {"Status", 10, kText},
		{"Consult child by", 14, kDate}, {"Invitations by", 14, kDate}, {"SW report by", 14, kDate},
		{"Team", 20, kText}, {"Social worker", 20, kText}, {"IRO", 20, kText},
	}
	s, err := b.newSheet(SheetActions, "Action list: reviews overdue and due soon",
		"As of "+asOf+": every review overdue now (negative days left) or due in the next 20 working days, most urgent first. "+
			"Preparation deadlines are counted back from the due date in working days.", widths(cols), 5)
	if err != nil {
		return err
	}
	q := `SELECT f.child,
	             c.name,
	             f.due,
	             CASE WHEN f.status = 'overdue' THEN -f.days_late ELSE f.due - as_of() END,
	             f.status::VARCHAR,
	             CASE WHEN f.status = 'upcoming' THEN prep_owed('PREP_CONSULTATION', f.due, f.rule = 'REV_INITIAL', f.period_start) END,
	             CASE WHEN f.status = 'upcoming' THEN prep_owed('PREP_INVITATIONS', f.due, f.rule = 'REV_INITIAL', f.period_start) END,
	             CASE WHEN f.status = 'upcoming' THEN prep_owed('PREP_SW_REPORT', f.due, f.rule = 'REV_INITIAL', f.period_start) END,
	             f.team::VARCHAR, f.social_worker::VARCHAR, f.iro::VARCHAR
	      FROM wf f JOIN rule_coverage c USING (rule)
	      WHERE f.rule IN ` + chainRules + `
	        AND (f.status = 'overdue' OR (f.status = 'upcoming' AND f.due <= wd_after(as_of(), 20)))
	      ORDER BY f.due, f.child`
	if _, _, err := s.cappedTable(ctx, db, "Actions", cols, capOf(in, findingsFiles(in), "most urgent first"), q); err != nil {
		return err
	}
	return s.flush()
}

func widths(cols []col) []float64 {
	out := make([]float64, len(cols))
	for i, c := range cols {
		out[i] = c.width
	}
	return out
}

// exceptionOrder is the exception sheets' order (on wx, where a status is
// written with a space): overdue first, then not met, missed and late, each
// by days late, most first; rows equal on all of it are the same row.
const exceptionOrder = `CASE status WHEN 'overdue' THEN 1 WHEN 'not met' THEN 2 WHEN 'missed' THEN 3 ELSE 4 END,
		         days_late DESC, due, child, title, done, period_start`

func exceptionSheets(ctx context.Context, db *store.DB, b *book, in Input, asOf string) error {
	if in.Lists != nil {
		in.Lists()
	}
	cols := []col{
		{"Obligation", 40, kText}, {"Child", 12, kText}, {"Period start", 12, kDate}, {"Due", 12, kDate}, {"Done", 12, kDate},
		{"Status", 10, kText}, {"Days late", 10, kInt}, {"Team", 20, kText}, {"Social worker", 20, kText}, {"IRO", 20, kText},
	}
	for _, fam := range audit.Families {
		s, err := b.newSheet(string(fam), string(fam)+": exceptions",
			"As of "+asOf+": obligations late, overdue, missed or not met, due in the 12 months to the as-of date, and everything overdue now; overdue first, then by days late.",
			widths(cols), 5)
		if err != nil {
			return err
		}
		q := `SELECT title, child, period_start, due, done, status, days_late, team, social_worker, iro
		      FROM wx WHERE family = ? ORDER BY ` + exceptionOrder
		name := strings.NewReplacer(" ", "", "-", "").Replace(string(fam))
		if _, _, err := s.cappedTable(ctx, db, name, cols, capOf(in, findingsFiles(in), "most urgent first"), q, string(fam)); err != nil {
			return err
		}
		if err := s.flush(); err != nil {
			return err
		}
	}
	return nil
}

// sharesNote says what the By team and By IRO shares count (counted), and
// whose they are (RULES.md, "Team, social worker and IRO").
const sharesNote = "per rule family, the share met in timescale of the obligations due in the 12 months to the as-of date (met, late, missed or overdue)," +
	" as the Summary counts them (one met early whose due date is still ahead is not counted yet, one overdue since before the 12 months is on the exception sheets); for PEPs, health, visits and the long-term foster meeting," +
	" each child looked after now whose first one is due or done. Each obligation is the team's or IRO's allocated on its day: the day a review, plan or" +
	" meeting was done (the due date of a missed one), the review's day for what prepares or follows a held review, else the as-of date."

// familyShares is obligations and the share in timescale per group and
// family, as counted says.
func familyShares(ctx context.Context, db *store.DB, group string) (map[string]map[string][2]int64, []string, error) {
	q := fmt.Sprintf(`SELECT coalesce(%s, '(none recorded)') AS g, c.family,
	           count(*) FILTER (WHERE f.status = 'met'), count(*)
	    FROM wf f JOIN rule_coverage c USING (rule)
	    WHERE %s
	    GROUP BY ALL ORDER BY g`, group, counted("f."))
	rows, err := scanAll(ctx, db, q)
	if err != nil {
		return nil, nil, fmt.Errorf("shares by %s: %w", group, err)
	}
	out := map[string]map[string][2]int64{}
	var order []string
	for _, r := range rows {
		g, fam := r[0].(string), r[1].(string)
		if out[g] == nil {
			out[g] = map[string][2]int64{}
			order = append(order, g)
		}
		out[g][fam] = [2]int64{r[2].(int64), r[3].(int64)}
	}
	return out, order, nil
}

func shareRows(groups map[string]map[string][2]int64, order []string, extra map[string][]any) [][]any {
	var rows [][]any
	for _, g := range order {
		row := []any{g}
		row = append(row, extra[g]...)
		for _, fam := range audit.Families {
			v := groups[g][string(fam)]
			if v[1] == 0 {
				row = append(row, nil)
			} else {
				row = append(row, float64(v[0])/float64(v[1]))
			}
			row = append(row, v[1])
		}
		rows = append(rows, row)
	}
	return rows
}

func shareCols(first []col) []col {
	cols := append([]col(nil), first...)
	short := map[audit.Family]string{audit.Reviews: "Reviews and preparation", audit.AfterReview: "After review", audit.Plans: "Plans",
		audit.Placements: "Placements", audit.HealthVisit: "Health & visits", audit.Allocation: "Allocation"}
	for _, fam := range audit.Families {
		cols = append(cols, col{short[fam] + " in timescale", 13, kPct}, col{short[fam] + " obligations", 12, kInt})
	}
	return cols
}

func teamSheet(ctx context.Context, db *store.DB, b *book, in Input, asOf string) error {
	cols := shareCols([]col{{"Team", 26, kText}, {"Children now", 11, kInt}})
	s, err := b.newSheet(SheetByTeam, "By team", "As of "+asOf+": "+sharesNote+" Children looked after now by the team allocated now.", widths(cols), 4)
	if err != nil {
		return err
	}
	shares, order, err := familyShares(ctx, db, "f.team")
	if err != nil {
		return err
	}
	caseload, err := childrenNow(ctx, db, "TEAM")
	if err != nil {
		return err
	}
	g := &groups{shares: shares, order: order, extra: map[string][]any{}, width: 1}
	g.add(0, caseload)
	if err := s.table("ByTeam", cols, g.rows()); err != nil {
		return err
	}
	if err := s.heading("Social workers' caseloads now"); err != nil {
		return err
	}
	rows, err := scanAll(ctx, db, `SELECT a.worker, coalesce(arg_max(t.worker, t.start), ''), count(DISTINCT c.child)
		FROM a_current c
		JOIN a_allocations a ON a.child = c.child AND a.role = 'SW' AND a.start <= as_of() AND (a."end" IS NULL OR a."end" >= as_of())
		LEFT JOIN a_allocations t ON t.child = c.child AND t.role = 'TEAM' AND t.start <= as_of() AND (t."end" IS NULL OR t."end" >= as_of())
		WHERE NOT c.short_breaks
		GROUP BY a.worker ORDER BY 3 DESC, 1`)
	if err != nil {
		return err
	}
	if err := s.table("Caseloads", []col{{"Social worker", 26, kText}, {"Team", 11, kText}, {"Children allocated", 13, kInt}}, rows); err != nil {
		return err
	}
	return s.flush()
}

func iroSheet(ctx context.Context, db *store.DB, b *book, in Input, asOf string) error {
	cols := shareCols([]col{{"IRO", 26, kText}, {"Children now", 11, kInt}, {"Reviews chaired, 12 months", 13, kInt}})
	s, err := b.newSheet(SheetByIRO, "By IRO", "As of "+asOf+": children allocated now, reviews of both chains held in the last 12 months with the IRO allocated on the day. "+sharesNote, widths(cols), 4)
	if err != nil {
		return err
	}
	shares, order, err := familyShares(ctx, db, "f.iro")
	if err != nil {
		return err
	}
	caseload, err := childrenNow(ctx, db, "IRO")
	if err != nil {
		return err
	}
	chaired, err := scanAll(ctx, db, `SELECT coalesce(iro, '(none recorded)'), count(*) FROM wf
		WHERE rule IN `+chainRules+` AND done IS NOT NULL AND `+inLastYear("done")+` GROUP BY ALL`)
	if err != nil {
		return err
	}
	g := &groups{shares: shares, order: order, extra: map[string][]any{}, width: 2}
	g.add(0, caseload)
	g.add(1, chaired)
	if err := s.table("ByIRO", cols, g.rows()); err != nil {
		return err
	}
	return s.flush()
}

func trendSheet(ctx context.Context, db *store.DB, b *book, in Input, asOf string) error {
	cols := []col{{"Month", 14, kDate}, {"Reviews held", 13, kInt}, {"In timescale", 13, kInt}, {"% in timescale", 13, kPct}}
	s, err := b.newSheet(SheetTrend, "Trend", "Reviews held month by month over the "+fmt.Sprint(trendMonths)+" months to "+asOf+", and the share held in timescale; below, the reviews overdue on each past night's run.", []float64{14, 13, 13, 13, 4, 14, 14}, 4)
	if err != nil {
		return err
	}
	rows, err := scanAll(ctx, db, `
		WITH months AS (
		    SELECT date_trunc('month', as_of() - INTERVAL (m) MONTH)::DATE AS month FROM range(`+fmt.Sprint(trendMonths-1)+`, -1, -1) t(m)
		)
		SELECT m.month, count(f.rule), count(f.rule) FILTER (WHERE f.status = 'met'),
		       CASE WHEN count(f.rule) > 0 THEN (count(f.rule) FILTER (WHERE f.status = 'met'))::DOUBLE / count(f.rule) END
		FROM months m
		LEFT JOIN wf f ON f.rule IN `+chainRules+` AND f.done IS NOT NULL
		     AND date_trunc('month', f.done) = m.month AND f.done <= as_of()
		GROUP BY m.month ORDER BY m.month`)
	if err != nil {
		return fmt.Errorf("trend: %w", err)
	}
	if err := s.header(cols); err != nil {
		return err
	}
	first := s.row
	for _, r := range rows {
		if err := s.put([]any{cell(r[0], b.st.month), cell(r[1], b.st.integer), cell(r[2], b.st.integer), s.value(cols[3], r[3])}); err != nil {
			return err
		}
	}
	last := s.row
	if err := s.finishTable("Trend", cols, first); err != nil {
		return err
	}
	if err := s.heading("Reviews overdue on each night's run"); err != nil {
		return err
	}
	hist, err := scanAll(ctx, db, `SELECT as_of, max(run_at), arg_max(reviews_overdue, run_at), arg_max(overdue, run_at)
		FROM run_history GROUP BY as_of ORDER BY as_of DESC LIMIT 400`)
	if err != nil {
		return fmt.Errorf("run history: %w", err)
	}
	hcols := []col{{"As of", 14, kDate}, {"Run at", 13, kText}, {"Reviews overdue", 13, kInt}, {"All obligations overdue", 13, kInt}}
	for _, h := range hist {
		if t, ok := h[1].(time.Time); ok {
			h[1] = t.Format("02/01/2006 15:04")
		}
	}
	if len(hist) == 0 {
		if err := s.note("This is the first run recorded in this database: the history starts tonight."); err != nil {
			return err
		}
	}
	if err := s.table("History", hcols, hist); err != nil {
		return err
	}
	zero, one := 0.0, 1.0
	s.beforeFlush = append(s.beforeFlush, func() error {
		c := chart(excelize.Line, "Reviews held in timescale, by month",
			fmt.Sprintf("'%s'!$A$%d:$A$%d", SheetTrend, first+1, last),
			fmt.Sprintf("'%s'!$D$%d:$D$%d", SheetTrend, first+1, last), &zero, &one, "0%")
		c.XAxis = excelize.ChartAxis{NumFmt: excelize.ChartNumFmt{CustomNumFmt: "mmm yy"}}
		c.Dimension = excelize.ChartDimension{Width: 720, Height: 360}
		return b.f.AddChart(SheetTrend, "F4", c)
	})
	return s.flush()
}

func qualitySheet(ctx context.Context, db *store.DB, b *book, in Input, asOf string) error {
	cols := []col{{"File", 34, kText}, {"Line", 9, kInt}, {"Column", 18, kText}, {"Value", 26, kText}, {"Reason", 60, kText}}
	s, err := b.newSheet(SheetQuality, "Data quality", "Rows of the extracts that could not be read, and records that look inconsistent. Rejected rows are left out of the audit; fix them at the source.", widths(cols), 3)
	if err != nil {
		return err
	}
	var tables [][]any
	for _, t := range in.Tables {
		src := t.Source
		if !t.Present {
			src = "absent"
		}
		tables = append(tables, []any{t.Table, t.Read, src, t.Rejected, strings.Join(t.Unknown, ", ")})
	}
	if err := s.heading("Tables read"); err != nil {
		return err
	}
	if err := s.table("Tables", []col{{"Table", 34, kText}, {"Rows read", 9, kInt}, {"Source", 18, kText}, {"Rejected", 26, kInt}, {"Columns ignored", 60, kText}}, tables); err != nil {
		return err
	}
	warn, err := scanAll(ctx, db, `SELECT table_name, count(*), message FROM dq_warnings GROUP BY ALL ORDER BY 1, 3`)
	if err != nil {
		return err
	}
	if err := s.heading("Warnings (records listed on the Warnings sheet)"); err != nil {
		return err
	}
	if err := s.table("WarningCounts", []col{{"Table", 34, kText}, {"Records", 9, kInt}, {"Warning", 18, kText}}, warn); err != nil {
		return err
	}
	if err := s.heading("Rejected rows"); err != nil {
		return err
	}
	if _, _, err := s.cappedTable(ctx, db, "Rejects", cols, capOf(in, "rejects.csv", "by file and line"), `SELECT source, line, column_name, value, reason FROM rejects ORDER BY source, line, column_name`); err != nil {
		return err
	}
	if err := s.flush(); err != nil {
		return err
	}
	wcols := []col{{"Table", 18, kText}, {"Warning", 60, kText}, {"Child", 12, kText}, {"Date", 12, kDate}, {"Detail", 40, kText}}
	w, err := b.newSheet(SheetWarnings, "Warnings", "Each record a consistency check found, as DATA.md describes; how each is handled is in the warning.", widths(wcols), 5)
	if err != nil {
		return err
	}
	if _, _, err := w.cappedTable(ctx, db, "Warnings", wcols, capOf(in, "the database (lacaudit.duckdb, table dq_warnings)", "by table and warning"), `SELECT table_name, message, child, record_date, detail FROM dq_warnings ORDER BY table_name, message, child, record_date`); err != nil {
		return err
	}
	return w.flush()
}

func methodSheet(ctx context.Context, db *store.DB, b *book, in Input, asOf string) error {
	s, err := b.newSheet(SheetMethod, "Method", "How these figures were made.", methodWidths, 3)
	if err != nil {
		return err
	}
	cfgSrc := "defaults (RULES.md)"
	if in.Config.Source != "" {
		cfgSrc = in.Config.Source
	}
	about := [][]any{
		{"As-of date", asOf},
		{"Written", in.Started.Format("02/01/2006 15:04")},
		{"Program", "lacaudit " + in.Version},
		{"Input", in.InputLabel},
		{"Configuration", cfgSrc},
		{"Time taken to audit", fmt.Sprintf("%.1f seconds", time.Since(in.Started).Seconds())},
		{"Working days", "Monday to Friday except England and Wales bank holidays (including the one-off holidays) and configured closures"},
		{"Placement breakdown reasons", strings.Join(in.Config.BreakdownReasons, ", ")},
	}
	for _, c := range in.Config.Closures {
		about = append(about, []any{"Closure day", c.Date.Format("02/01/2006") + " " + c.Name})
	}
	if in.Pseudonymised {
		about = append(about, []any{"Pseudonymised", "Yes: children (C-...) and social workers and IROs (W-...) appear as keyed hashes, the same for the same key; UPNs and rejected values are withheld"})
	}
	for _, n := range in.Notes {
		about = append(about, []any{n[0], n[1]})
	}
	if err := s.heading("This run"); err != nil {
		return err
	}
	if err := s.table("Run", []col{{"Item", 34, kText}, {"Value", 90, kText}}, about); err != nil {
		return err
	}
	if err := rulesTable(s, in.Coverage, in.Config); err != nil {
		return err
	}
	var ts [][]any
	for _, t := range in.Config.Timescales {
		ts = append(ts, []any{t.Key, t.Meaning, int64(t.Value), t.Unit})
	}
	if err := s.heading("Configuration"); err != nil {
		return err
	}
	if err := s.table("Timescales", []col{{"Setting", 34, kText}, {"Meaning", 90, kText}, {"Value", 24, kInt}, {"Unit", 16, kText}}, ts); err != nil {
		return err
	}
	if err := inputsTable(s, in.Tables); err != nil {
		return err
	}
	if len(in.Ignored) > 0 {
		if err := s.note("Files and sheets of the input folder not read: " + strings.Join(in.Ignored, "; ") + "."); err != nil {
			return err
		}
	}
	return s.flush()
}

// methodWidths are the column widths of both workbooks' Method sheets.
var methodWidths = []float64{34, 90, 24, 16, 66}

// rulesTable writes the rules in force with their timescales and coverage.
func rulesTable(s *sheet, coverage []audit.Coverage, cfg *config.Config) error {
	var rules [][]any
	for _, c := range coverage {
		rules = append(rules, []any{c.Rule.ID, c.Rule.Title + ": due " + c.Rule.DueText(cfg), string(c.Rule.Family), c.Status, c.Reason})
	}
	if err := s.heading("Rules and timescales in force"); err != nil {
		return err
	}
	return s.table("Rules", []col{{"Rule", 34, kText}, {"What and when", 90, kText}, {"Family", 24, kText}, {"Assessed", 16, kText}, {"Why not", 66, kText}}, rules)
}

// inputsTable writes the input files with rows read and rejected, SHA-256
// and, for CSV files, the encoding they were read in.
func inputsTable(s *sheet, tables []ingest.TableStat) error {
	var files [][]any
	for _, t := range tables {
		if t.Present {
			enc := t.Encoding
			if enc == "" {
				enc = "XLSX"
			}
			files = append(files, []any{t.Table, t.Source, t.Read, t.Rejected, t.SHA256, enc})
		}
	}
	if err := s.heading("Input files"); err != nil {
		return err
	}
	return s.table("Inputs", []col{{"Table", 34, kText}, {"File", 90, kText}, {"Rows read", 24, kInt}, {"Rows rejected", 16, kInt}, {"SHA-256", 66, kText}, {"Encoding", 18, kText}}, files)
}

// childrenNow counts the children looked after now by the worker (or team)
// of role allocated on the as-of date.
func childrenNow(ctx context.Context, db *store.DB, role string) ([][]any, error) {
	return scanAll(ctx, db, `SELECT coalesce(a.worker, '(none recorded)'), count(DISTINCT c.child)
		FROM a_current c LEFT JOIN a_allocations a ON a.child = c.child AND a.role = ?
		     AND a.start <= as_of() AND (a."end" IS NULL OR a."end" >= as_of())
		WHERE NOT c.short_breaks GROUP BY ALL`, role)
}

// groups are rows of a By team or By IRO table: shares per rule family and
// extra counts (caseloads), for every group that has either.
type groups struct {
	shares map[string]map[string][2]int64
	order  []string
	extra  map[string][]any
	width  int // extra counts per group
}

func (g *groups) ensure(name string) {
	if g.extra[name] == nil {
		g.extra[name] = make([]any, g.width)
		for i := range g.extra[name] {
			g.extra[name][i] = int64(0)
		}
	}
	if g.shares[name] == nil {
		g.shares[name] = map[string][2]int64{}
		g.order = append(g.order, name)
	}
}

// add sets extra count pos from rows of (group, count).
func (g *groups) add(pos int, rows [][]any) {
	for _, r := range rows {
		name := r[0].(string)
		g.ensure(name)
		g.extra[name][pos] = r[1]
	}
}

func (g *groups) rows() [][]any {
	for _, name := range g.order {
		g.ensure(name)
	}
	return shareRows(g.shares, g.order, g.extra)
}

package audit

import (
	"context"
	"embed"
	"fmt"
	"io/fs"
	"regexp"
	"sort"
	"strings"
	"time"

	"github.com/lacaudit/lacaudit/calendar"
	"github.com/lacaudit/lacaudit/config"
	"github.com/lacaudit/lacaudit/ingest"
	"github.com/lacaudit/lacaudit/store"
)

//go:embed sql/*.sql
var sqlFiles embed.FS

// ruleSQL is where Run reads the rule files from: sqlFiles, or, in the
// mutation test, a copy of them with one small change.
var ruleSQL fs.FS = sqlFiles

var (
	//go:embed sql/write/findings.sql
	writeFindingsSQL string
	//go:embed sql/write/done.sql
	writeDoneSQL string
	//go:embed sql/write/published.sql
	publishedSQL string
)

// Published are the views the audit leaves for reports and job
// (sql/write/published.sql; doc.go says what each holds). With the tables
// findings and rule_coverage, they are all that others read of the audit.
var Published = []string{"periods", "looked_after_now", "known_episodes", "allocations_now", "held_reviews", "breakdowns"}

// addsObligations matches a statement that adds obligations.
var addsObligations = regexp.MustCompile(`(?m)^INSERT INTO obligations\b`)

// flushRows is how many obligations the rule files may add before they are
// written to the findings table: 4 million rows are about 175 MB, a third
// of the default memory limit (512 MB), and ten years of a national
// extract have some 37 million. (Written every million rows instead,
// 300,000 children took the same time, and 1,000,000 children a little
// longer with a higher peak: each write builds the allocation spans' hash
// table again.)
var flushRows int64 = 4_000_000

// findingsWriter moves the obligations the rule files add into the findings
// table (sql/write/findings.sql), leaving out rules that could not be
// assessed (rule_coverage).
type findingsWriter struct {
	db *store.DB
}

// writeIfLarge writes the obligations when there are flushRows or more.
func (w *findingsWriter) writeIfLarge(ctx context.Context) error {
	var n int64
	if err := w.db.QueryRowContext(ctx, "SELECT count(*) FROM obligations").Scan(&n); err != nil {
		return fmt.Errorf("count obligations: %w", err)
	}
	if n < flushRows {
		return nil
	}
	return w.write(ctx)
}

// write writes the obligations to the findings table and empties them.
func (w *findingsWriter) write(ctx context.Context) error {
	// Rules that could not be assessed leave no rows.
	if _, err := w.db.ExecContext(ctx, `DELETE FROM obligations
		WHERE rule IN (SELECT rule FROM rule_coverage WHERE status = 'not assessed')`); err != nil {
		return fmt.Errorf("remove rules not assessed: %w", err)
	}
	return w.db.Exec(ctx, "audit/sql/write/findings.sql", writeFindingsSQL)
}

// Coverage says whether a rule could be assessed.
type Coverage struct {
	Rule   Rule
	Status string // "assessed", "partly assessed" or "not assessed"
	Reason string // what is missing
}

// Result is what an audit produced.
type Result struct {
	Coverage []Coverage
	Findings int64 // rows in the findings table
	// ShortBreakPeriods counts the periods of care excluded as short breaks.
	ShortBreakPeriods int64
	// Timings are the seconds each rule file took, in run order.
	Timings []Timing
}

// Timing is how long one SQL file of the audit took.
type Timing struct {
	File    string
	Seconds float64
}

// NotAssessed returns the coverage entries of rules that were not assessed.
func (r *Result) NotAssessed() []Coverage {
	var out []Coverage
	for _, c := range r.Coverage {
		if c.Status != "assessed" {
			out = append(out, c)
		}
	}
	return out
}

// Run audits the loaded extracts as they stood on asOf into the tables
// findings and rule_coverage. knownFrom is the first day the extracts can
// know reviews from, for a folder of returns (ingest.Result.KnownFrom); the
// zero time for a plain folder, which does not know it (RULES.md §2.2).
func Run(ctx context.Context, db *store.DB, cfg *config.Config, asOf, knownFrom time.Time) (*Result, error) {
	if err := setVariables(ctx, db, cfg, asOf, knownFrom); err != nil {
		return nil, err
	}
	t0 := time.Now()
	from, to, err := dateRange(ctx, db, asOf)
	if err != nil {
		return nil, err
	}
	if err := calendar.New(cfg.Closures).Materialise(ctx, db, from, to); err != nil {
		return nil, err
	}
	calendarTime := Timing{File: "calendar", Seconds: time.Since(t0).Seconds()}
	names, err := fs.Glob(ruleSQL, "sql/*.sql")
	if err != nil {
		return nil, err
	}
	sort.Strings(names)
	cov, err := coverage(ctx, db, cfg)
	if err != nil {
		return nil, err
	}
	// The catalogue and what could be assessed go first: the rule files
	// take their rule_id type from it (00_base.sql).
	if err := saveCoverage(ctx, db, cov); err != nil {
		return nil, err
	}
	res := &Result{Coverage: cov, Timings: []Timing{calendarTime}}
	w := findingsWriter{db: db}
	for _, name := range names {
		t0 := time.Now()
		b, err := fs.ReadFile(ruleSQL, name)
		if err != nil {
			return nil, err
		}
		if err := db.ExecThen(ctx, "audit/"+name, string(b), func(stmt string) error {
			if addsObligations.MatchString(stmt) {
				return w.writeIfLarge(ctx)
			}
			return nil
		}); err != nil {
			return nil, err
		}
		res.Timings = append(res.Timings, Timing{File: strings.TrimPrefix(name, "sql/"), Seconds: time.Since(t0).Seconds()})
	}
	t0 = time.Now()
	if err := w.write(ctx); err != nil {
		return nil, err
	}
	if err := db.Exec(ctx, "audit/sql/write/done.sql", writeDoneSQL); err != nil {
		return nil, err
	}
	if err := db.Exec(ctx, "audit/sql/write/published.sql", publishedSQL); err != nil {
		return nil, err
	}
	res.Timings = append(res.Timings, Timing{File: "write/findings.sql", Seconds: time.Since(t0).Seconds()})
	if err := db.QueryRowContext(ctx, "SELECT count(*) FROM findings").Scan(&res.Findings); err != nil {
		return nil, fmt.Errorf("count findings: %w", err)
	}
	if err := db.QueryRowContext(ctx, "SELECT count(*) FROM a_periods WHERE short_breaks").Scan(&res.ShortBreakPeriods); err != nil {
		return nil, fmt.Errorf("count short breaks: %w", err)
	}
	return res, nil
}

// dateRange is the span of days the calendar must cover: from 60 days before
// the earliest record to 800 days after the latest record or the as-of date,
// enough for every deadline counted from them (the longest is 365 days).
func dateRange(ctx context.Context, db *store.DB, asOf time.Time) (time.Time, time.Time, error) {
	var parts []string
	for table, col := range ingest.DateColumns {
		parts = append(parts, fmt.Sprintf("SELECT min(%[2]s) AS lo, max(%[2]s) AS hi FROM %[1]s", table, strings.ToLower(col)))
	}
	parts = append(parts, "SELECT min(dec), max(dec) FROM episodes")
	var lo, hi *time.Time
	q := "SELECT min(lo), max(hi) FROM (" + strings.Join(parts, " UNION ALL ") + ")"
	if err := db.QueryRowContext(ctx, q).Scan(&lo, &hi); err != nil {
		return time.Time{}, time.Time{}, fmt.Errorf("date range of the extract: %w", err)
	}
	from, to := asOf, asOf
	if lo != nil && lo.Before(from) {
		from = *lo
	}
	if hi != nil && hi.After(to) {
		to = *hi
	}
	return from.AddDate(0, 0, -60), to.AddDate(0, 0, 800), nil
}

func setVariables(ctx context.Context, db *store.DB, cfg *config.Config, asOf, knownFrom time.Time) error {
	// One script of literals, not a statement a variable: on a single
	// authority's extract a statement's fixed cost is most of its time.
	var b strings.Builder
	fmt.Fprintf(&b, "SET VARIABLE as_of = DATE '%s';\n", asOf.Format(time.DateOnly))
	from := "NULL::DATE" // a plain folder
	if !knownFrom.IsZero() {
		from = "DATE '" + knownFrom.Format(time.DateOnly) + "'"
	}
	fmt.Fprintf(&b, "SET VARIABLE returns_from = %s;\n", from)
	for _, t := range cfg.Timescales {
		if !variableName.MatchString(t.Key) {
			return fmt.Errorf("set %q: not a timescale's name", t.Key)
		}
		fmt.Fprintf(&b, "SET VARIABLE %s = %d;\n", t.Key, t.Value)
	}
	q := make([]string, len(cfg.BreakdownReasons))
	for i, r := range cfg.BreakdownReasons {
		q[i] = store.Quote(r)
	}
	fmt.Fprintf(&b, "SET VARIABLE breakdown_reasons = [%s]::VARCHAR[];\n", strings.Join(q, ", "))
	if _, err := db.ExecContext(ctx, b.String()); err != nil {
		return fmt.Errorf("set the as-of date, timescales and breakdown reasons: %w", err)
	}
	return nil
}

// variableName is what a timescale's key must look like to be a SQL
// variable's name (config.Load accepts only the known keys).
var variableName = regexp.MustCompile(`^[a-z][a-z0-9_]*$`)

// coverage decides, from what the load found, which rules can be assessed.
func coverage(ctx context.Context, db *store.DB, cfg *config.Config) ([]Coverage, error) {
	present := map[string]bool{}
	rows, err := db.QueryContext(ctx, `SELECT table_name, '' FROM input_tables WHERE present
		UNION ALL SELECT table_name, column_name FROM input_columns WHERE known`)
	if err != nil {
		return nil, fmt.Errorf("read what was loaded: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var t, c string
		if err := rows.Scan(&t, &c); err != nil {
			return nil, err
		}
		present[Need{t, c}.String()] = true
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	missing := func(ns []Need) []string {
		var out []string
		for _, n := range ns {
			if !present[Need{Table: n.Table}.String()] {
				out = append(out, "no "+n.Table+" table")
			} else if n.Column != "" && !present[n.String()] {
				out = append(out, "no "+n.Column+" column in "+n.Table)
			}
		}
		return out
	}
	var cov []Coverage
	for _, r := range Catalogue {
		c := Coverage{Rule: r, Status: "assessed"}
		if m := missing(r.Needs); len(m) > 0 {
			c.Status, c.Reason = "not assessed", strings.Join(dedupe(m), "; ")
		} else if r.Switch != "" && cfg.Days(r.Switch) == 0 {
			c.Status, c.Reason = "not assessed", "switched off in the configuration ("+r.Switch+" = 0)"
		} else if m := missing(r.Partial); len(m) > 0 {
			c.Status, c.Reason = "partly assessed", "upcoming reviews only: "+strings.Join(dedupe(m), "; ")
		}
		cov = append(cov, c)
	}
	return cov, nil
}

func dedupe(xs []string) []string {
	var out []string
	seen := map[string]bool{}
	for _, x := range xs {
		if !seen[x] {
			seen[x] = true
			out = append(out, x)
		}
	}
	return out
}

// saveCoverage writes the catalogue, with whether each rule could be
// assessed, to the table rule_coverage: the rule_id type of the SQL is made
// from it, and the reports select rules by its columns (family, chain,
// snapshot) rather than by lists of ids.
func saveCoverage(ctx context.Context, db *store.DB, cov []Coverage) error {
	if _, err := db.ExecContext(ctx, `CREATE OR REPLACE TABLE rule_coverage (
		rule VARCHAR, family VARCHAR, title VARCHAR, status VARCHAR, reason VARCHAR,
		chain VARCHAR, snapshot BOOLEAN, name VARCHAR, section VARCHAR)`); err != nil {
		return fmt.Errorf("create rule_coverage: %w", err)
	}
	rows := make([][]any, len(cov))
	for i, c := range cov {
		var chain any // NULL: no review chain
		if c.Rule.Chain != NoChain {
			chain = string(c.Rule.Chain)
		}
		rows[i] = []any{c.Rule.ID, string(c.Rule.Family), c.Rule.Title, c.Status, c.Reason,
			chain, c.Rule.Snapshot, c.Rule.Name, c.Rule.Section}
	}
	return db.InsertRows(ctx, "rule_coverage", rows)
}

// FindingsOrder is findings.csv's order (docs/RULES.md §7): rule, child, due date,
// done date, status, then the period and the days late, so that the file is
// byte-identical for the same inputs. Rows equal on all of these are equal
// on the rest too: team, social worker and IRO follow from the child and
// the day, which the dates and status fix.
const FindingsOrder = "rule, child, due, done NULLS LAST, status, period_start, days_late"

// laColumn is the findings files' last column, la, when the extract names
// its authority: last, so that a report built on the columns before it
// (Power BI's CSV query fixes their number) reads them unchanged.
func laColumn(a ingest.Authorities) string {
	if !a.Recorded() {
		return ""
	}
	return ", " + a.LA("child") + " AS la"
}

// findingsOrder is FindingsOrder with several authorities' children
// ordered by authority, then child (the output's la and child columns).
func findingsOrder(a ingest.Authorities) string {
	if !a.Several() {
		return FindingsOrder
	}
	return strings.Replace(FindingsOrder, "child", "la, child", 1)
}

// CSVText is a text column as the CSV files write it, with OWASP's
// mitigation of formula injection: a value that starts with =, +, -, @, a
// tab or a carriage return (or the full-width =, +, - and @, which Excel
// also reads as a formula) gets a leading apostrophe, so that a
// spreadsheet shows it as text and never runs it. The column keeps its
// name, unquoted.
func CSVText(col string) string {
	return fmt.Sprintf(`CASE WHEN left(%[1]s::VARCHAR, 1) IN ('=', '+', '-', '@', chr(9), chr(13), '＝', '＋', '－', '＠')
	        THEN '''' || %[1]s::VARCHAR ELSE %[1]s::VARCHAR END`, col)
}

// csvBOM heads the first column's name, so that the file starts with a
// UTF-8 byte order mark: without it Excel reads UTF-8 as the machine's code
// page and shows Zoë as ZoÃ«.
const csvBOM = "\uFEFF"

// WriteFindings writes the findings table to path as docs/RULES.md §7's
// findings.csv, sorted, with DuckDB's COPY: UTF-8 with a byte order mark,
// text fields guarded against formula injection (CSVText).
// An extract that names its authority has a last column, la (DATA.md,
// "Several authorities").
func WriteFindings(ctx context.Context, db *store.DB, path string) error {
	a, err := ingest.ReadAuthorities(ctx, db)
	if err != nil {
		return err
	}
	q := `COPY (SELECT rule AS ` + store.Ident(csvBOM+"rule") + `, ` + CSVText(a.Child("child")) + ` AS child, period_start, due, done, status, days_late, ` +
		CSVText("team") + ` AS team, ` + CSVText("social_worker") + ` AS social_worker, ` + CSVText("iro") + ` AS iro` + laColumn(a) + `
	            FROM findings ORDER BY ` + findingsOrder(a) + `)
	      TO ` + store.Quote(path) + ` (HEADER, DELIMITER ',')` // DuckDB writes dates as yyyy-mm-dd
	if _, err := db.ExecContext(ctx, q); err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	return nil
}

// WriteRejects writes every rejected input row to path as rejects.csv, as
// WriteFindings writes findings.csv.
func WriteRejects(ctx context.Context, db *store.DB, path string) error {
	q := `COPY (SELECT ` + CSVText("source") + ` AS ` + store.Ident(csvBOM+"file") + `, line, ` + CSVText("column_name") + ` AS "column", ` +
		CSVText("value") + ` AS value, ` + CSVText("reason") + ` AS reason FROM rejects
	            ORDER BY source, line, column_name, rejects.value, rejects.reason)
	      TO ` + store.Quote(path) + ` (HEADER, DELIMITER ',')`
	if _, err := db.ExecContext(ctx, q); err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	return nil
}

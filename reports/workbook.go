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

// Input is what the workbook says about the run besides the database.
type Input struct {
	AsOf       time.Time
	Config     *config.Config
	Style      *templates.Style
	Version    string
	InputLabel string
	Tables     []ingest.TableStat
	Returns    []ingest.ReturnFile // a folder of returns' files, by year
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
// must have run in db (its findings, rule_coverage and published views),
// and Prepare after it.
func WriteWorkbook(ctx context.Context, db *store.DB, path string, in Input) error {
	w, err := NewWorkbook(in)
	if err != nil {
		return err
	}
	defer w.Close()
	if err := w.WriteFigures(ctx, db); err != nil {
		return err
	}
	if err := w.WriteLists(ctx, db); err != nil {
		return err
	}
	return w.Save(path)
}

// Workbook is a nightly workbook being written in two parts: its figures
// (the Summary and the Action list), then its lists (the exception lists
// to the Method sheet). From the lists on, writing is mostly excelize
// writing rows on one core, so a caller can start other work between the
// two.
type Workbook struct {
	b    *book
	in   Input
	asOf string
}

// NewWorkbook starts a nightly workbook in the house style of in.
func NewWorkbook(in Input) (*Workbook, error) {
	b, err := newBook(in.Style)
	if err != nil {
		return nil, err
	}
	return &Workbook{b: b, in: in, asOf: in.AsOf.Format("2 January 2006")}, nil
}

// figureSheets and listSheets are the workbook's sheets, in order.
var (
	figureSheets = []func(context.Context, *store.DB, *book, Input, string) error{summarySheet, byAuthoritySheet, actionSheet}
	listSheets   = []func(context.Context, *store.DB, *book, Input, string) error{
		exceptionSheets, teamSheet, iroSheet, trendSheet, qualitySheet, methodSheet,
	}
)

// WriteFigures writes the Summary and the Action list.
func (w *Workbook) WriteFigures(ctx context.Context, db *store.DB) error {
	return w.write(ctx, db, figureSheets)
}

// WriteLists writes the exception lists and the sheets after them.
func (w *Workbook) WriteLists(ctx context.Context, db *store.DB) error {
	return w.write(ctx, db, listSheets)
}

func (w *Workbook) write(ctx context.Context, db *store.DB, steps []func(context.Context, *store.DB, *book, Input, string) error) error {
	for _, step := range steps {
		if err := step(ctx, db, w.b, w.in, w.asOf); err != nil {
			return err
		}
	}
	return nil
}

// Save writes the workbook to path.
func (w *Workbook) Save(path string) error {
	if err := w.b.f.SetDocProps(docProps("Children looked after: reviews and plans, as of "+w.asOf, w.in.Version, w.in.Started)); err != nil {
		return err
	}
	// The Summary, the first sheet, is active in a new workbook. (Calling
	// SetActiveSheet would make excelize read every streamed sheet back
	// into memory.)
	if err := w.b.f.SaveAs(path); err != nil {
		return fmt.Errorf("write workbook %s: %w", path, err)
	}
	return nil
}

// Close releases the workbook's temporary files.
func (w *Workbook) Close() error { return w.b.f.Close() }

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

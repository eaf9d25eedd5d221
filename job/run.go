package job

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/lacaudit/lacaudit/audit"
	"github.com/lacaudit/lacaudit/ingest"
	"github.com/lacaudit/lacaudit/pseudonym"
	"github.com/lacaudit/lacaudit/reports"
	"github.com/lacaudit/lacaudit/store"
	"github.com/lacaudit/lacaudit/templates"
)

// Summary is what a run produced, for the terminal.
type Summary struct {
	AsOf      time.Time
	Out       string
	Files     []string // output files, in the output folder
	Findings  int64
	ByStatus  map[string]int64
	Rejected  int64
	Warnings  int64
	NotAssess []audit.Coverage
	Stages    []Stage
}

// Stage is one timed stage of a run.
type Stage struct {
	Name    string
	Seconds float64
	Rows    int64
	PeakRSS int64 // bytes, the process's peak resident memory during the stage
}

// sideBySide is the number of findings below which findings.csv, rejects.csv
// and the database's checkpoint are written on a second connection from the
// start of the workbook. Below it each is mostly statements too small to
// keep both cores busy (at 2,000 children the command's median went from
// 1.07 to 1.01 s). Above it they start when the workbook reaches its
// exception lists, which excelize writes on one core: from the start, at
// 300,000 children the two took longer (17.7 to 19.3 s against 15.8 to
// 15.9 s one after the other); from the lists, the whole run took 29.2 and
// 29.3 s against 30.7 and 30.9 s.
var sideBySide int64 = 1_000_000

// DBFileName is the database's name in the output folder.
const DBFileName = "lacaudit.duckdb"

// LatestWorkbook is the stable name of the newest performance workbook.
const LatestWorkbook = "latest.xlsx"

// WorkbookName is the performance workbook's name for an as-of date.
func WorkbookName(asOf time.Time) string { return "lacaudit-" + asOf.Format(time.DateOnly) + ".xlsx" }

func copyFile(from, to string) error {
	in, err := os.Open(from)
	if err != nil {
		return err
	}
	defer in.Close()
	out, err := os.OpenFile(to, os.O_CREATE|os.O_WRONLY|os.O_TRUNC, 0o600)
	if err != nil {
		return err
	}
	if _, err := io.Copy(out, in); err != nil {
		out.Close()
		return fmt.Errorf("copy %s: %w", filepath.Base(to), err)
	}
	return out.Close()
}

// Run is the nightly job: it reads the extracts, audits them and writes the
// findings, the rejects and the database into s.Out, replacing the earlier
// outputs only when everything succeeded. Each stage leaves in the run what
// the next needs.
func Run(ctx context.Context, s Settings, log *slog.Logger) (_ *Summary, err error) {
	r := &run{s: s, log: log, started: time.Now(), sum: &Summary{AsOf: s.AsOf, Out: s.Out}}
	defer func() { err = explain(err, r.s) }()
	defer r.close()
	for _, stage := range []func(context.Context) error{
		r.open,       // the locked output folder, its staging folder and the database
		r.load,       // the extracts into the database, or every reject that stopped it
		r.check,      // the consistency checks, pseudonyms, history, lock-down
		r.audit,      // the rules, and the partial-export guard against last night
		r.record,     // the counts and the night's row of run_history
		r.filesEarly, // a small run's findings files, beside the whole workbook
		r.figures,    // the workbook's Summary and Action list
		r.files,      // a large run's findings files, beside the workbook's lists
		r.lists,      // the workbook's lists and the sheets after them
		r.waitFiles,  // the findings files done
		r.finish,     // the shared database, the timings, the database closed
		r.commit,     // every output moved into place as one transaction
	} {
		if err := stage(ctx); err != nil {
			return nil, r.fail(err)
		}
	}
	return r.sum, nil
}

// run is one nightly run on its way through Run's stages.
type run struct {
	s       Settings
	log     *slog.Logger
	started time.Time
	sum     *Summary
	cleanup []func() // undone by close, last first

	dbPath   string // where the database is kept
	stage    string // the staging folder
	stagedDB string // the database as it is built, beside dbPath
	db, side *store.DB
	dbClosed bool
	limit    string // the database's memory limit
	threads  int    // DuckDB's worker threads (0: one a core)

	res    *ingest.Result
	unused []UnusedTable
	read   int64 // rows read of every table
	stale  string
	ar     *audit.Result
	notes  [][2]string

	findings  []string // the findings files written
	book      string   // the workbook's name
	workbook  *reports.Workbook
	bookStart time.Time

	filesDone    chan error // nil until the findings files are started
	filesWaited  bool
	filesSeconds float64
}

// timed records a stage of the summary that began at t0 and starts the
// next stage's memory peak.
func (r *run) timed(name string, rows int64, t0 time.Time) {
	r.stageDone(name, rows, time.Since(t0).Seconds())
	ResetPeakRSS()
}

func (r *run) stageDone(name string, rows int64, seconds float64) {
	st := Stage{Name: name, Seconds: seconds, Rows: rows, PeakRSS: PeakRSS()}
	r.sum.Stages = append(r.sum.Stages, st)
	r.log.Info("stage done", "stage", name, "seconds", round(st.Seconds), "rows", rows, "peak_rss_mb", st.PeakRSS>>20)
}

// fail is a stage's error, once findings files being written beside the
// workbook are done: their error first.
func (r *run) fail(err error) error {
	if r.filesDone != nil && !r.filesWaited {
		r.filesWaited = true
		if ferr := <-r.filesDone; ferr != nil {
			return ferr
		}
	}
	return err
}

// close undoes what the stages set up, last first.
func (r *run) close() {
	for i := len(r.cleanup) - 1; i >= 0; i-- {
		r.cleanup[i]()
	}
}

// open locks the output folder, makes the staging folder and opens the
// database beside its target.
func (r *run) open(ctx context.Context) error {
	r.dbPath = r.s.DB
	if r.dbPath == "" {
		r.dbPath = filepath.Join(r.s.Out, DBFileName)
	}
	ws, err := openWorkspace(&r.s, r.dbPath, r.log)
	if err != nil {
		return err
	}
	r.cleanup = append(r.cleanup, ws.close)
	r.stage = ws.stage
	// A folder of pseudonymised outputs holds nothing raw (outkind.go).
	if err := claimOutputKind(r.s.Out, r.s.PseudonymKey != nil); err != nil {
		return err
	}
	if err := useBundledSample(&r.s, r.stage); err != nil {
		return err
	}
	// The database is built beside its target, so that moving it into place
	// is a rename even when --db is on another file system.
	r.stagedDB = r.dbPath + stagedDBSuffix + filepath.Base(r.stage)
	r.cleanup = append(r.cleanup, func() { os.Remove(r.stagedDB) }, func() { os.Remove(r.stagedDB + ".wal") })
	ResetPeakRSS()
	limit := memoryLimit(r.s.MemoryLimit, r.s.Input)
	r.threads = threads(r.s.Threads, r.s.Input)
	r.log.Info("database memory limit", "limit", limit, "threads", shownThreads(r.threads))
	r.limit = limit
	// A pseudonymised run works in memory, so that no raw record ever
	// reaches a database file; a process that never held one writes the
	// shared database (pseudonym.Build).
	dbFile := r.stagedDB
	if r.s.PseudonymKey != nil {
		dbFile = ""
	}
	r.db, err = store.Open(ctx, dbFile, store.Options{Threads: r.threads, MemoryLimit: limit, TempDir: filepath.Join(r.stage, "tmp")})
	if err != nil {
		return err
	}
	r.cleanup = append(r.cleanup, func() {
		if !r.dbClosed {
			_ = r.db.Close()
		}
	})
	return nil
}

// load loads the extracts with the reject threshold, as check does. An
// extract with too many rejects stops the run with every rejected row
// written out, for whoever mends the export.
func (r *run) load(ctx context.Context) error {
	t0 := time.Now()
	var err error
	r.res, r.unused, err = loadExtracts(ctx, r.db, r.s, r.log, filepath.Join(r.stage, "tmp"), r.limit)
	if err != nil {
		var ie *ingest.InputError
		if errors.As(err, &ie) && ie.Rejects {
			if rows, rerr := ingest.FirstRejects(ctx, r.db, 10); rerr == nil {
				for _, rj := range rows {
					r.log.Warn("rejected row", "file", rj.Source, "line", rj.Line, "column", rj.Column, "reason", pseudonym.Reason(rj.Reason))
				}
			}
			path, werr := writeStoppedRejects(ctx, r.db, r.s, r.stage)
			if werr != nil {
				return fmt.Errorf("%w (and the list of rejected rows could not be written: %v)", err, werr)
			}
			return &ingest.InputError{Rejects: true, Msg: ie.Msg + "; every rejected row is listed in " + path}
		}
		return err
	}
	for _, t := range r.res.Tables {
		r.read += t.Read
		r.sum.Rejected += t.Rejected
	}
	r.timed("ingest", r.read, t0)
	return nil
}

// check runs the consistency checks and the stale-extract check,
// pseudonymises a pseudonymised run, carries the run history over, and
// locks the database down, with a second connection for the output files
// opened first (the lock-down forbids the settings a new one makes).
// Warnings are counted once the audit has added its own.
func (r *run) check(ctx context.Context) error {
	t0 := time.Now()
	if _, err := ingest.Checks(ctx, r.db, r.s.AsOf); err != nil {
		return err
	}
	var err error
	if r.stale, err = staleExtract(ctx, r.db, r.s, r.log); err != nil {
		return err
	}
	r.timed("checks", r.read, t0)
	if r.s.PseudonymKey != nil {
		if err := pseudonym.Apply(ctx, r.db, r.s.PseudonymKey); err != nil {
			return err
		}
		// Nor the input files' SHA-256 on the Method sheet: with a copy of
		// an extract, it would confirm that extract was the input.
		for i := range r.res.Tables {
			r.res.Tables[i].SHA256 = ""
		}
		for i := range r.res.Returns {
			r.res.Returns[i].SHA256 = ""
		}
		r.log.Info("children and workers pseudonymised in every output")
	}
	if err := carryHistory(ctx, r.db, previousDB(r.s, r.dbPath)); err != nil {
		return err
	}
	if r.side, err = r.db.Fork(ctx); err != nil {
		return err
	}
	r.cleanup = append(r.cleanup, func() { r.side.Close() })
	return r.db.LockDown(ctx, r.stage)
}

// audit runs the rules, says why unused tables leave rules unassessed, and
// holds tonight's extract against last night's (the partial-export guard).
func (r *run) audit(ctx context.Context) error {
	t0 := time.Now()
	var err error
	if r.ar, err = audit.Run(ctx, r.db, r.s.Config, r.s.AsOf, r.res.KnownFrom()); err != nil {
		return err
	}
	r.sum.Findings = r.ar.Findings
	for _, t := range r.ar.Timings {
		r.log.Debug("rule file done", "file", t.File, "seconds", round(t.Seconds))
	}
	if err := explainUnused(ctx, r.db, r.ar, r.unused); err != nil {
		return err
	}
	if r.notes, err = guardPartialExport(ctx, r.db, r.s, r.res, r.log); err != nil {
		return err
	}
	r.notes = append(r.notes, unusedNotes(r.unused)...)
	r.sum.NotAssess = r.ar.NotAssessed()
	r.timed("rules", r.ar.Findings, t0)
	return nil
}

// record counts the findings and warnings (the checks' and the audit's
// own), and records the night in run_history and run_tables.
func (r *run) record(ctx context.Context) error {
	var err error
	if r.sum.ByStatus, err = countByStatus(ctx, r.db); err != nil {
		return err
	}
	if err := r.db.QueryRowContext(ctx, "SELECT count(*) FROM dq_warnings").Scan(&r.sum.Warnings); err != nil {
		return fmt.Errorf("count warnings: %w", err)
	}
	if err := appendHistory(ctx, r.db, r.s, r.sum, r.started); err != nil {
		return err
	}
	r.findings = findingsFiles(r.s.Findings, r.ar.Findings)
	if (r.s.Findings == "" || r.s.Findings == FindingsAuto) && !containsName(r.findings, "findings.csv") {
		r.log.Info("findings.csv not written: more findings than an Excel sheet holds; findings.parquet holds them (--findings both writes both)",
			"findings", r.ar.Findings, "sheet_rows", FindingsAutoParquet)
	}
	r.book = WorkbookName(r.s.AsOf)
	return recordTables(ctx, r.db, r.res)
}

// filesEarly starts the findings files of a run of fewer than sideBySide
// findings beside the whole workbook.
func (r *run) filesEarly(ctx context.Context) error {
	if r.ar.Findings < sideBySide {
		return r.files(ctx)
	}
	return nil
}

// files starts, unless started, findings.csv and rejects.csv on the second
// connection, then a checkpoint, so that closing the database has nothing
// left to write. findings.csv is sorted as it is written: the table is not
// (see audit/sql/05_allocations.sql).
func (r *run) files(ctx context.Context) error {
	if r.filesDone != nil {
		return nil
	}
	r.filesDone = make(chan error, 1)
	go func() {
		t0 := time.Now()
		err := r.writeFiles(ctx)
		r.filesSeconds = time.Since(t0).Seconds()
		r.filesDone <- err
	}()
	return nil
}

func (r *run) writeFiles(ctx context.Context) error {
	if err := writeFindingsFiles(ctx, r.side, r.stage, r.findings); err != nil {
		return err
	}
	if err := audit.WriteRejects(ctx, r.side, filepath.Join(r.stage, "rejects.csv")); err != nil {
		return err
	}
	// Closing checkpoints too: a checkpoint that cannot run now costs only
	// time there.
	_, _ = r.side.ExecContext(ctx, "CHECKPOINT")
	return nil
}

// figures starts the workbook and writes its Summary and Action list.
func (r *run) figures(ctx context.Context) error {
	r.bookStart = time.Now()
	if err := reports.Prepare(ctx, r.db, r.s.AsOf); err != nil {
		return err
	}
	style, err := templates.Load(r.s.Template)
	if err != nil {
		return err
	}
	in := reports.Input{
		AsOf: r.s.AsOf, Config: r.s.Config, Style: style, Version: r.s.Version, InputLabel: r.s.InputLabel,
		Tables: r.res.Tables, Returns: r.res.Returns, Ignored: ignoredWithWhy(r.res), Coverage: r.ar.Coverage, Started: r.started,
		Pseudonymised: r.s.PseudonymKey != nil, Notes: r.notes, FindingsFiles: findingsLabel(r.findings),
	}
	if r.stale != "" {
		in.Alerts = []string{r.stale}
	}
	if r.workbook, err = reports.NewWorkbook(in); err != nil {
		return err
	}
	r.cleanup = append(r.cleanup, func() {
		if r.workbook != nil {
			r.workbook.Close()
		}
	})
	return r.workbook.WriteFigures(ctx, r.db)
}

// lists writes the rest of the workbook, saves it and copies it to
// latest.xlsx beside it.
func (r *run) lists(ctx context.Context) error {
	if err := r.workbook.WriteLists(ctx, r.db); err != nil {
		return err
	}
	path := filepath.Join(r.stage, r.book)
	err := r.workbook.Save(path)
	r.workbook.Close()
	r.workbook = nil
	if err != nil {
		return err
	}
	return copyFile(path, filepath.Join(r.stage, LatestWorkbook))
}

// waitFiles waits for the findings files.
func (r *run) waitFiles(context.Context) error {
	r.filesWaited = true
	return <-r.filesDone
}

// finish writes the shared database of a pseudonymised run, records the
// timings of the two overlapping stages (each its own time, and the peak of
// both), and closes the database.
func (r *run) finish(ctx context.Context) error {
	shared := filepath.Join(r.stage, "shared")
	if r.s.PseudonymKey != nil {
		if err := os.Mkdir(shared, 0o700); err != nil {
			return fmt.Errorf("write the shared database: %w", err)
		}
		withheld, err := pseudonym.Withheld(ctx, r.db)
		if err != nil {
			return err
		}
		for _, w := range withheld {
			r.log.Warn("values that are not codes withheld from the shared database", "table", w.Table, "column", strings.ToUpper(w.Column), "values", w.Values)
		}
		if err := pseudonym.Export(ctx, r.db, shared); err != nil {
			return err
		}
	}
	r.stageDone("findings", r.ar.Findings, r.filesSeconds)
	r.timed("workbook", r.ar.Findings, r.bookStart)
	r.sum.Files = append(append(r.sum.Files, r.findings...), "rejects.csv", r.book, LatestWorkbook)
	r.dbClosed = true
	if err := r.db.Close(); err != nil {
		return fmt.Errorf("close database: %w", err)
	}
	if err := ctx.Err(); err != nil {
		return err
	}
	if r.s.PseudonymKey != nil {
		if err := pseudonym.Build(ctx, shared, r.stagedDB, store.Options{Threads: r.threads, MemoryLimit: r.limit}); err != nil {
			return err
		}
		_ = os.RemoveAll(shared)
	}
	return nil
}

// commit moves everything built into place as one transaction.
func (r *run) commit(context.Context) error {
	var moves []move
	for _, f := range r.sum.Files {
		moves = append(moves, move{Staged: filepath.Join(r.stage, f), Target: filepath.Join(r.s.Out, f)})
	}
	moves = append(moves, move{Staged: r.stagedDB, Target: r.dbPath})
	if err := commit(r.stage, moves, r.s.FileMode); err != nil {
		return err
	}
	removeStaleFindings(r.s.Out, r.findings, r.log)
	r.sum.Files = append(r.sum.Files, filepath.Base(r.dbPath))
	r.log.Info("run finished", "seconds", round(time.Since(r.started).Seconds()), "findings", r.sum.Findings,
		"rejected_rows", r.sum.Rejected, "warnings", r.sum.Warnings, "as_of", r.s.AsOf.Format(time.DateOnly),
		"files", r.sum.Files)
	return nil
}

func round(x float64) float64 { return float64(int64(x*1000+0.5)) / 1000 }

// dirMode is the folder mode that goes with a file mode: 0700 for 0600.
func dirMode(m os.FileMode) os.FileMode {
	d := m | 0o700
	if m&0o040 != 0 {
		d |= 0o050
	}
	if m&0o004 != 0 {
		d |= 0o005
	}
	return d
}

// carryHistory copies run_history from the previous database, if any, into
// the new one, so that the trend of past nights survives the rebuild.
func carryHistory(ctx context.Context, db *store.DB, previous string) error {
	if _, err := db.ExecContext(ctx, `CREATE TABLE IF NOT EXISTS run_history (
		run_at TIMESTAMP, as_of DATE, program_version VARCHAR, seconds DOUBLE,
		children_looked_after BIGINT, findings BIGINT, overdue BIGINT, missed BIGINT, late BIGINT,
		not_met BIGINT, upcoming BIGINT, met BIGINT, reviews_overdue BIGINT, rows_rejected BIGINT, warnings BIGINT)`); err != nil {
		return fmt.Errorf("create run_history: %w", err)
	}
	if _, err := db.ExecContext(ctx, createRunTables); err != nil {
		return fmt.Errorf("create run_tables: %w", err)
	}
	if previous == "" {
		return nil
	}
	if _, err := os.Stat(previous); err != nil {
		return nil
	}
	if _, err := db.ExecContext(ctx, "ATTACH "+store.Quote(previous)+" AS previous (READ_ONLY)"); err != nil {
		// An unreadable previous database costs the history, not the night's report.
		return nil
	}
	defer db.ExecContext(ctx, "DETACH previous")
	for _, table := range []string{"run_history", "run_tables"} {
		var n int
		if err := db.QueryRowContext(ctx, `SELECT count(*) FROM duckdb_tables() WHERE database_name = 'previous' AND table_name = ?`, table).Scan(&n); err != nil || n == 0 {
			return nil
		}
		if _, err := db.ExecContext(ctx, "INSERT INTO "+table+" BY NAME SELECT * FROM previous."+table); err != nil {
			return fmt.Errorf("copy run history from %s: %w", previous, err)
		}
	}
	return nil
}

func countByStatus(ctx context.Context, db *store.DB) (map[string]int64, error) {
	rows, err := db.QueryContext(ctx, "SELECT status, count(*) FROM findings GROUP BY status")
	if err != nil {
		return nil, fmt.Errorf("count findings: %w", err)
	}
	defer rows.Close()
	out := map[string]int64{}
	for rows.Next() {
		var s string
		var n int64
		if err := rows.Scan(&s, &n); err != nil {
			return nil, err
		}
		out[s] = n
	}
	return out, rows.Err()
}

func appendHistory(ctx context.Context, db *store.DB, s Settings, sum *Summary, started time.Time) error {
	_, err := db.ExecContext(ctx, `INSERT INTO run_history
		SELECT now()::TIMESTAMP, ?::DATE, ?, ?,
		       (SELECT count(*) FROM looked_after_now),
		       ?, ?, ?, ?, ?, ?, ?,
		       (SELECT count(*) FROM findings WHERE status = 'overdue'
		            AND rule IN (SELECT rule FROM rule_coverage WHERE chain IS NOT NULL)),
		       ?, ?`,
		s.AsOf.Format(time.DateOnly), s.Version, time.Since(started).Seconds(),
		sum.Findings, sum.ByStatus["overdue"], sum.ByStatus["missed"], sum.ByStatus["late"], sum.ByStatus["not_met"],
		sum.ByStatus["upcoming"], sum.ByStatus["met"], sum.Rejected, sum.Warnings)
	if err != nil {
		return fmt.Errorf("record run history: %w", err)
	}
	return nil
}

// PrintSummary writes a run's summary for the operator.
func PrintSummary(w io.Writer, sum *Summary) {
	fmt.Fprintf(w, "lacaudit: audit as of %s written to %s\n", sum.AsOf.Format("2 January 2006"), sum.Out)
	for _, f := range sum.Files {
		fmt.Fprintf(w, "  %s\n", f)
	}
	fmt.Fprintf(w, "%d obligations: %d overdue, %d missed, %d late, %d not met, %d upcoming, %d met\n",
		sum.Findings, sum.ByStatus["overdue"], sum.ByStatus["missed"], sum.ByStatus["late"], sum.ByStatus["not_met"],
		sum.ByStatus["upcoming"], sum.ByStatus["met"])
	if sum.Rejected > 0 || sum.Warnings > 0 {
		fmt.Fprintf(w, "data quality: %d rejected rows (rejects.csv), %d warnings\n", sum.Rejected, sum.Warnings)
	}
	for _, c := range sum.NotAssess {
		fmt.Fprintf(w, "%s %s: %s\n", c.Status, c.Rule.ID, c.Reason)
	}
}

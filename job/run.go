package job

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
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
// outputs only when everything succeeded.
func Run(ctx context.Context, s Settings, log *slog.Logger) (_ *Summary, err error) {
	defer func() { err = explain(err, s) }()
	started := time.Now()
	dbPath := s.DB
	if dbPath == "" {
		dbPath = filepath.Join(s.Out, DBFileName)
	}
	ws, err := openWorkspace(&s, dbPath, log)
	if err != nil {
		return nil, err
	}
	defer ws.close()
	stage := ws.stage
	// The database is built beside its target, so that moving it into place
	// is a rename even when --db is on another file system.
	stagedDB := dbPath + stagedDBSuffix + filepath.Base(stage)
	defer os.Remove(stagedDB)
	defer os.Remove(stagedDB + ".wal")

	sum := &Summary{AsOf: s.AsOf, Out: s.Out}
	stageDone := func(name string, rows int64, seconds float64) {
		st := Stage{Name: name, Seconds: seconds, Rows: rows, PeakRSS: PeakRSS()}
		sum.Stages = append(sum.Stages, st)
		log.Info("stage done", "stage", name, "seconds", round(st.Seconds), "rows", rows, "peak_rss_mb", st.PeakRSS>>20)
	}
	timed := func(name string, rows int64, t0 time.Time) {
		stageDone(name, rows, time.Since(t0).Seconds())
		ResetPeakRSS()
	}
	ResetPeakRSS()

	limit := memoryLimit(s.MemoryLimit, s.Input)
	log.Info("database memory limit", "limit", limit)
	// A pseudonymised run works in memory, so that no raw record ever
	// reaches a database file; pseudonym.Export writes the shared one.
	dbFile := stagedDB
	if s.PseudonymKey != nil {
		dbFile = ""
	}
	db, err := store.Open(ctx, dbFile, store.Options{Threads: s.Threads, MemoryLimit: limit, TempDir: filepath.Join(stage, "tmp")})
	if err != nil {
		return nil, err
	}
	closed := false
	defer func() {
		if !closed {
			_ = db.Close()
		}
	}()

	t0 := time.Now()
	// The load and the reject threshold, as check does them.
	res, unused, err := loadExtracts(ctx, db, s, log, filepath.Join(stage, "tmp"), limit)
	if err != nil {
		var ie *ingest.InputError
		if errors.As(err, &ie) && ie.Rejects {
			if rows, rerr := ingest.FirstRejects(ctx, db, 10); rerr == nil {
				for _, r := range rows {
					log.Warn("rejected row", "file", r.Source, "line", r.Line, "column", r.Column, "reason", pseudonym.Reason(r.Reason))
				}
			}
			// Every rejected row, for whoever mends the export.
			path, werr := writeStoppedRejects(ctx, db, s, stage)
			if werr != nil {
				return nil, fmt.Errorf("%w (and the list of rejected rows could not be written: %v)", err, werr)
			}
			return nil, &ingest.InputError{Rejects: true, Msg: ie.Msg + "; every rejected row is listed in " + path}
		}
		return nil, err
	}
	var read int64
	for _, t := range res.Tables {
		read += t.Read
		sum.Rejected += t.Rejected
	}
	timed("ingest", read, t0)
	// Warnings are counted once the audit has added its own.
	t0 = time.Now()
	if _, err := ingest.Checks(ctx, db, s.AsOf); err != nil {
		return nil, err
	}
	stale, err := staleExtract(ctx, db, s, log)
	if err != nil {
		return nil, err
	}
	timed("checks", read, t0)
	if s.PseudonymKey != nil {
		if err := pseudonym.Apply(ctx, db, s.PseudonymKey); err != nil {
			return nil, err
		}
		if err := pseudonym.Attach(ctx, db, stagedDB); err != nil {
			return nil, err
		}
		log.Info("children and workers pseudonymised in every output")
	}
	if err := carryHistory(ctx, db, previousDB(s, dbPath)); err != nil {
		return nil, err
	}
	// A second connection for the output files, opened before the lock-down
	// (which forbids the settings every new connection makes).
	side, err := db.Fork(ctx)
	if err != nil {
		return nil, err
	}
	defer side.Close()
	if err := db.LockDown(ctx, stage); err != nil {
		return nil, err
	}

	t0 = time.Now()
	ar, err := audit.Run(ctx, db, s.Config, s.AsOf)
	if err != nil {
		return nil, err
	}
	sum.Findings = ar.Findings
	for _, t := range ar.Timings {
		log.Debug("rule file done", "file", t.File, "seconds", round(t.Seconds))
	}
	if err := explainUnused(ctx, db, ar, unused); err != nil {
		return nil, err
	}
	notes, err := guardPartialExport(ctx, db, s, res, log)
	if err != nil {
		return nil, err
	}
	notes = append(notes, unusedNotes(unused)...)
	sum.NotAssess = ar.NotAssessed()
	timed("rules", ar.Findings, t0)

	sum.ByStatus, err = countByStatus(ctx, db)
	if err != nil {
		return nil, err
	}
	// The checks' warnings and the audit's own (reviews outside any period of care).
	if err := db.QueryRowContext(ctx, "SELECT count(*) FROM dq_warnings").Scan(&sum.Warnings); err != nil {
		return nil, fmt.Errorf("count warnings: %w", err)
	}
	if err := appendHistory(ctx, db, s, sum, started); err != nil {
		return nil, err
	}
	if err := recordTables(ctx, db, res); err != nil {
		return nil, err
	}

	findingsNames := findingsFiles(s.Findings, ar.Findings)
	// findings.csv and rejects.csv, then a checkpoint, so that closing the
	// database has nothing left to write. findings.csv is sorted as it is
	// written: the table is not (see audit/sql/05_allocations.sql).
	var filesSeconds float64
	files := func() error {
		t0 := time.Now()
		defer func() { filesSeconds = time.Since(t0).Seconds() }()
		if err := writeFindingsFiles(ctx, side, stage, findingsNames); err != nil {
			return err
		}
		if err := audit.WriteRejects(ctx, side, filepath.Join(stage, "rejects.csv")); err != nil {
			return err
		}
		// Closing checkpoints too: a checkpoint that cannot run now costs
		// only time there.
		_, _ = side.ExecContext(ctx, "CHECKPOINT")
		return nil
	}
	done := make(chan error, 1)
	// start is only ever called on this goroutine: the workbook calls it
	// back, as its lists begin, from inside writeWorkbook.
	filesStarted := false
	start := func() {
		if !filesStarted {
			filesStarted = true
			go func() { done <- files() }()
		}
	}
	if ar.Findings < sideBySide {
		start()
	}
	t0 = time.Now()
	err = reports.Prepare(ctx, db, s.AsOf)
	book := WorkbookName(s.AsOf)
	if err == nil {
		err = writeWorkbook(ctx, db, s, filepath.Join(stage, book), res, ar, notes, stale, started, start, findingsLabel(findingsNames))
	}
	if err != nil && !filesStarted {
		// The workbook failed before its lists: the run fails, and there are
		// no output files worth writing or waiting for.
		return nil, err
	}
	start() // a no-op once started; keeps the wait below from blocking
	if ferr := <-done; ferr != nil {
		return nil, ferr
	}
	if err != nil {
		return nil, err
	}
	if s.PseudonymKey != nil {
		if err := pseudonym.Export(ctx, db); err != nil {
			return nil, err
		}
	}
	// The two stages overlap: each has its own time and the peak of both.
	stageDone("findings", ar.Findings, filesSeconds)
	timed("workbook", ar.Findings, t0)
	sum.Files = append(append(sum.Files, findingsNames...), "rejects.csv", book, LatestWorkbook)
	closed = true
	if err := db.Close(); err != nil {
		return nil, fmt.Errorf("close database: %w", err)
	}
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	// Everything is built: move it into place as one transaction.
	var moves []move
	for _, f := range sum.Files {
		moves = append(moves, move{Staged: filepath.Join(stage, f), Target: filepath.Join(s.Out, f)})
	}
	moves = append(moves, move{Staged: stagedDB, Target: dbPath})
	if err := commit(stage, moves, s.FileMode); err != nil {
		return nil, err
	}
	removeStaleFindings(s.Out, findingsNames, log)
	sum.Files = append(sum.Files, filepath.Base(dbPath))
	log.Info("run finished", "seconds", round(time.Since(started).Seconds()), "findings", sum.Findings,
		"rejected_rows", sum.Rejected, "warnings", sum.Warnings, "as_of", s.AsOf.Format(time.DateOnly))
	return sum, nil
}

// writeWorkbook writes the nightly workbook to path and copies it to
// latest.xlsx beside it.
func writeWorkbook(ctx context.Context, db *store.DB, s Settings, path string, res *ingest.Result, ar *audit.Result, notes [][2]string, stale string, started time.Time, lists func(), findings string) error {
	style, err := templates.Load(s.Template)
	if err != nil {
		return err
	}
	in := reports.Input{
		AsOf: s.AsOf, Config: s.Config, Style: style, Version: s.Version, InputLabel: s.InputLabel,
		Tables: res.Tables, Returns: res.Returns, Ignored: ignoredWithWhy(res), Coverage: ar.Coverage, Started: started,
		Pseudonymised: s.PseudonymKey != nil, Lists: lists, Notes: notes, FindingsFiles: findings,
	}
	if stale != "" {
		in.Alerts = []string{stale}
	}
	if err := reports.WriteWorkbook(ctx, db, path, in); err != nil {
		return err
	}
	return copyFile(path, filepath.Join(filepath.Dir(path), LatestWorkbook))
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
		       (SELECT count(*) FROM a_current),
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

package job

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"time"

	"github.com/lacaudit/lacaudit/ingest"
	"github.com/lacaudit/lacaudit/store"
)

// The partial-export guard. Every successful run records in the database,
// beside run_history, the rows read of every table (run_tables); the
// children looked after are in run_history itself. The next run compares
// its own figures with those of the last successful run, the latest in
// run_history: a fall by more than the configured share stops it with exit
// status 3, unless it was run with --accept-drop. A run that fails records
// nothing (its database is never moved into place), so the comparison is
// always with a night whose report was published.

const createRunTables = `CREATE TABLE IF NOT EXISTS run_tables (
	run_at TIMESTAMP, table_name VARCHAR, source VARCHAR, rows_read BIGINT, rows_rejected BIGINT)`

// previousDB is the database that holds the run history to carry on: the
// database at dbPath when it exists, else, when --db names a new file, the
// one in the output folder, which the runs before wrote by default. The
// history, and with it the guard's figures, follows the output folder's
// reports rather than starting again with a new database file. Empty when
// there is neither: the first run.
func previousDB(s Settings, dbPath string) string {
	// A regular file only: a symbolic link is never followed.
	if st, err := os.Lstat(dbPath); err == nil && st.Mode().IsRegular() {
		return dbPath
	}
	def := filepath.Join(s.Out, DBFileName)
	if def != dbPath {
		if st, err := os.Lstat(def); err == nil && st.Mode().IsRegular() {
			return def
		}
	}
	return ""
}

// lastRun is the last successful run's figures.
type lastRun struct {
	runAt    time.Time
	asOf     time.Time
	children int64
	tables   map[string]int64 // rows read by table name
	sources  []string         // the files it read ("2024-25/header.csv", "header.csv")
}

func readLastRun(ctx context.Context, db *store.DB) (*lastRun, error) {
	var lr lastRun
	var children sql.NullInt64
	err := db.QueryRowContext(ctx, `SELECT run_at, as_of, children_looked_after FROM run_history
		ORDER BY run_at DESC LIMIT 1`).Scan(&lr.runAt, &lr.asOf, &children)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("read the last run's figures: %w", err)
	}
	lr.children = children.Int64
	lr.tables = map[string]int64{}
	rows, err := db.QueryContext(ctx, "SELECT table_name, rows_read, coalesce(source, '') FROM run_tables WHERE run_at = ?", lr.runAt)
	if err != nil {
		return nil, fmt.Errorf("read the last run's figures: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var t, src string
		var n int64
		if err := rows.Scan(&t, &n, &src); err != nil {
			return nil, err
		}
		lr.tables[t] = n
		if src != "" {
			lr.sources = append(lr.sources, strings.Split(src, "; ")...)
		}
	}
	return &lr, rows.Err()
}

// fall says how tonight's figure compares with the last run's, and whether
// it fell by more than the share allowed.
func fall(before, now int64, allowed float64) (float64, bool) {
	if before <= 0 || now >= before {
		return 0, false
	}
	share := float64(before-now) / float64(before)
	return share, share > allowed
}

// guardPartialExport compares tonight's rows per table and children looked
// after (the audit's looked_after_now) with the last successful run's. A fall over
// the configured share is an *ingest.InputError naming every table that
// fell, with both figures; with s.AcceptDrop it is logged instead and
// returned as a note for the Method sheet. The notes also say what the
// guard compared with.
func guardPartialExport(ctx context.Context, db *store.DB, s Settings, res *ingest.Result, log *slog.Logger) ([][2]string, error) {
	last, err := readLastRun(ctx, db)
	if err != nil {
		return nil, err
	}
	allowed := s.Config.DropThreshold
	if last == nil {
		log.Info("partial-export guard: no earlier run recorded, nothing to compare with")
		return [][2]string{{"Partial-export guard", "no earlier run recorded: nothing to compare with"}}, nil
	}
	var children int64
	if err := db.QueryRowContext(ctx, "SELECT count(*) FROM looked_after_now").Scan(&children); err != nil {
		return nil, fmt.Errorf("count children looked after: %w", err)
	}
	var falls []string
	for _, t := range res.Tables {
		before, ok := last.tables[t.Table]
		if !ok {
			continue
		}
		if share, over := fall(before, t.Read, allowed); over {
			name := t.Table
			if t.Source != "" && t.Source != t.Table+".csv" && !strings.Contains(t.Source, "; ") {
				name += " (" + t.Source + ")"
			}
			falls = append(falls, fmt.Sprintf("%s: %d rows tonight against %d (down %.1f %%)", name, t.Read, before, 100*share))
		}
	}
	if share, over := fall(last.children, children, allowed); over {
		falls = append(falls, fmt.Sprintf("children looked after: %d tonight against %d (down %.1f %%)", children, last.children, 100*share))
	}
	since := fmt.Sprintf("the last successful run (%s, as of %s)", last.runAt.Format("02/01/2006 15:04"), last.asOf.Format("02/01/2006"))
	if len(falls) == 0 {
		if s.AcceptDrop {
			log.Info("--accept-drop given, but nothing fell by more than the share allowed", "drop_threshold_percent", 100*allowed)
		}
		return [][2]string{{"Partial-export guard", fmt.Sprintf("compared with %s: no fall over %.1f %%", since, 100*allowed)}}, nil
	}
	what := strings.Join(falls, "; ")
	if s.AcceptDrop {
		log.Warn("partial-export guard: fall accepted with --accept-drop", "against", since, "falls", what)
		return [][2]string{{"Partial-export guard", fmt.Sprintf("fall accepted with --accept-drop against %s: %s", since, what)}}, nil
	}
	if gone := goneSources(last.sources, res); len(gone) > 0 {
		// The cause is a return (or file) that left the folder: say so,
		// in one line; the figures go to the log.
		log.Warn("partial-export guard: falls", "against", since, "falls", what)
		verb := "is"
		if len(gone) > 1 {
			verb = "are"
		}
		return nil, &ingest.InputError{Msg: fmt.Sprintf(
			"the extract looks partial: %s, read by %s, %s no longer in the input folder, and %d figures fell by more than the %.1f %% allowed (drop_threshold_percent; each is in the log); put it back, or if it left on purpose (the oldest return of a moving window) run again once with --accept-drop",
			strings.Join(gone, ", "), since, verb, len(falls), 100*allowed)}
	}
	return nil, &ingest.InputError{Msg: fmt.Sprintf(
		"the extract looks partial: against %s, %s (more than the %.1f %% allowed, drop_threshold_percent); check the export, and if the fall is real run again once with --accept-drop",
		since, what, 100*allowed)}
}

// goneSources names what the last run read that tonight's did not: each
// return by its folder ("2024-25/") or file, a workbook without its sheet.
func goneSources(last []string, res *ingest.Result) []string {
	now := map[string]bool{}
	for _, t := range res.Tables {
		if t.Present {
			for _, src := range strings.Split(t.Source, "; ") {
				now[src] = true
			}
		}
	}
	whole := func(src string) string {
		if i := strings.Index(src, "/"); i >= 0 {
			return src[:i+1]
		} else if i := strings.Index(src, "["); i >= 0 {
			return src[:i]
		}
		return src
	}
	still := map[string]bool{}
	for src := range now {
		still[whole(src)] = true
	}
	seen := map[string]bool{}
	var gone []string
	for _, src := range last {
		if now[src] {
			continue
		}
		name := whole(src)
		if still[name] {
			name = src // the return or workbook is there, without this table
		}
		if !seen[name] {
			seen[name] = true
			gone = append(gone, name)
		}
	}
	sort.Strings(gone)
	return gone
}

// recordTables records tonight's rows per table under tonight's run, the
// latest in run_history, for the next run's guard.
func recordTables(ctx context.Context, db *store.DB, res *ingest.Result) error {
	var runAt time.Time
	if err := db.QueryRowContext(ctx, "SELECT max(run_at) FROM run_history").Scan(&runAt); err != nil {
		return fmt.Errorf("record rows per table: %w", err)
	}
	var rows [][]any
	for _, t := range res.Tables {
		if t.Present {
			rows = append(rows, []any{runAt, t.Table, t.Source, t.Read, t.Rejected})
		}
	}
	return db.InsertRows(ctx, "run_tables", rows)
}

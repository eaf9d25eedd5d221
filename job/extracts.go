package job

import (
	"context"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/lacaudit/lacaudit/audit"
	"github.com/lacaudit/lacaudit/ingest"
	"github.com/lacaudit/lacaudit/store"
)

// UnusedTable is an optional table left out of a run because more of its
// rows were rejected than the threshold allows: the rules that need it are
// not assessed, and the night goes on.
type UnusedTable struct {
	Table, Source string
	Why           string // "12 of 40 rows rejected (30.0 %), over the 5.0 % threshold"
	// Empty says the table has its header and no data rows: read, it would
	// make every child's first one overdue, so it is taken as absent.
	Empty bool
}

// loadExtracts is how every command reads the extracts into db: the load
// and the reject threshold table by table. run and check both use it, then
// ingest.Checks and the audit (whose warnings are counted with the checks'),
// so that check reports exactly the rejects and warnings that run would.
//
// A core table over the threshold stops the command: the *ingest.InputError
// has Rejects set, and every rejected row is in db's rejects table. An
// optional table over it is emptied and marked absent, so that the audit
// reports its rules as not assessed (see explainUnused).
//
// tmp is the command's private folder, for copies of files DuckDB cannot
// read as they are; limit is DuckDB's memory limit, which bounds Go's heap
// too (boundGoHeap).
func loadExtracts(ctx context.Context, db *store.DB, s Settings, log *slog.Logger, tmp, limit string) (*ingest.Result, []UnusedTable, error) {
	// The load's own threshold applies to every table alike; here it is
	// applied per table instead, so the load is given one it never reaches.
	res, err := ingest.Load(ctx, db, ingest.Options{Dir: s.Input, RejectThreshold: 1, TempDir: tmp, MemoryLimit: boundGoHeap(limit)})
	if res != nil {
		logInputFiles(log, res)
	}
	if err != nil {
		return res, nil, err
	}
	threshold := s.Config.RejectThreshold
	var over []string
	var unused []UnusedTable
	for _, t := range res.Tables {
		if t.Present && t.Read == 0 && !isCore(t.Table) {
			// The load refuses a core table with no rows.
			if _, err := db.ExecContext(ctx, "UPDATE input_tables SET present = false WHERE table_name = ?", t.Table); err != nil {
				return res, nil, fmt.Errorf("leave out %s: %w", t.Source, err)
			}
			log.Warn("optional table not used: it has no data rows (only its header); the rules that need it are not assessed",
				"table", t.Table, "file", t.Source)
			unused = append(unused, UnusedTable{Table: t.Table, Source: t.Source, Why: "no data rows (only its header)", Empty: true})
			continue
		}
		source, share, isOver := overThreshold(res, t, threshold)
		if !isOver {
			continue
		}
		if isCore(t.Table) {
			over = append(over, source+": "+share)
			continue
		}
		u := UnusedTable{Table: t.Table, Source: source, Why: fmt.Sprintf("%s, over the %.1f %% threshold", share, 100*threshold)}
		// The typed table keeps only the rows that could be read: a table
		// missing a share of its rows would make its rules' figures wrong,
		// so it is used not at all.
		if _, err := db.ExecContext(ctx, "DELETE FROM "+store.Ident(t.Table)); err != nil {
			return res, nil, fmt.Errorf("leave out %s: %w", t.Source, err)
		}
		if _, err := db.ExecContext(ctx, "UPDATE input_tables SET present = false WHERE table_name = ?", t.Table); err != nil {
			return res, nil, fmt.Errorf("leave out %s: %w", t.Source, err)
		}
		log.Warn("optional table not used: too many rejected rows; the rules that need it are not assessed",
			"table", t.Table, "file", t.Source, "rows_read", t.Read, "rows_rejected", t.Rejected)
		unused = append(unused, u)
	}
	if len(over) > 0 {
		return res, unused, &ingest.InputError{Rejects: true,
			Msg: fmt.Sprintf("too many rejected rows (threshold %.1f %%), the export looks broken: %s", 100*threshold, strings.Join(over, "; "))}
	}
	// Several authorities: a child is the pair (LA, child) from here on.
	if _, err := ingest.ResolveAuthorities(ctx, db); err != nil {
		return res, unused, err
	}
	return res, unused, nil
}

func isCore(table string) bool {
	for _, t := range ingest.Tables {
		if t.Name == table {
			return t.Core
		}
	}
	return false
}

// explainUnused gives the rules that needed a table left out for its
// rejects that reason, instead of "no TABLE table", in ar's coverage and in
// the database's rule_coverage (the Summary sheet shows it).
func explainUnused(ctx context.Context, db *store.DB, ar *audit.Result, unused []UnusedTable) error {
	for i, c := range ar.Coverage {
		reason := c.Reason
		for _, u := range unused {
			why := u.Table + " not used: " + u.Why
			if u.Empty {
				why = u.Table + " has no rows"
			}
			reason = strings.ReplaceAll(reason, "no "+u.Table+" table", why)
		}
		if reason == c.Reason {
			continue
		}
		ar.Coverage[i].Reason = reason
		if _, err := db.ExecContext(ctx, "UPDATE rule_coverage SET reason = ? WHERE rule = ?", reason, c.Rule.ID); err != nil {
			return fmt.Errorf("record why %s is not assessed: %w", c.Rule.ID, err)
		}
	}
	return nil
}

// unusedNotes are the Method sheet's lines for the tables left out.
func unusedNotes(unused []UnusedTable) [][2]string {
	var out [][2]string
	for _, u := range unused {
		out = append(out, [2]string{"Table not used", u.Source + ": " + u.Why + "; the rules that need " + u.Table + " are not assessed"})
	}
	return out
}

// warningCounts counts the data-quality warnings by table and message: the
// consistency checks' and the audit's own, as the workbook shows them.
func warningCounts(ctx context.Context, db *store.DB) ([]ingest.WarningCount, error) {
	rows, err := db.QueryContext(ctx, `SELECT table_name, check_name, message, count(*) FROM dq_warnings
		GROUP BY ALL ORDER BY table_name, check_name, message`)
	if err != nil {
		return nil, fmt.Errorf("count warnings: %w", err)
	}
	defer rows.Close()
	var out []ingest.WarningCount
	for rows.Next() {
		var w ingest.WarningCount
		if err := rows.Scan(&w.Table, &w.Check, &w.Message, &w.Count); err != nil {
			return nil, err
		}
		out = append(out, w)
	}
	return out, rows.Err()
}

// StoppedRejectsName is the name of the file that lists every rejected row
// of a run stopped by the reject threshold, dated with its as-of date.
func StoppedRejectsName(asOf time.Time) string {
	return "lacaudit-rejects-" + asOf.Format(time.DateOnly) + ".csv"
}

// writeStoppedRejects writes every rejected row to a dated file in the
// output folder, beside the previous outputs, which stay as they were. It is
// readable by its owner only whatever --file-mode says: rejected lines hold
// children's data. In a pseudonymised run the values are withheld, as in
// rejects.csv.
func writeStoppedRejects(ctx context.Context, db *store.DB, s Settings, stage string) (string, error) {
	if s.PseudonymKey != nil {
		if _, err := db.ExecContext(ctx, "UPDATE rejects SET value = '(withheld: pseudonymised run)'"); err != nil {
			return "", fmt.Errorf("withhold rejected values: %w", err)
		}
	}
	name := StoppedRejectsName(s.AsOf)
	staged := filepath.Join(stage, name)
	if err := audit.WriteRejects(ctx, db, staged); err != nil {
		return "", err
	}
	if err := os.Chmod(staged, 0o600); err != nil {
		return "", err
	}
	target := filepath.Join(s.Out, name)
	if err := os.Rename(staged, target); err != nil {
		return "", fmt.Errorf("move %s into %s: %w", name, s.Out, err)
	}
	return target, nil
}

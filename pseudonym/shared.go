package pseudonym

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"syscall"

	"github.com/lacaudit/lacaudit/store"
)

// A column's treatment in the shared database.
type treatment int

const (
	keep      treatment = iota + 1
	monthOnly           // a date of birth: the first day of its month
)

// all keeps every column of a table that the run computes from pseudonymised
// data, or that holds no personal data.
var all = map[string]treatment{"*": keep}

// Shared is the allow-list of the database a pseudonymised run writes: per
// table, the columns a benchmarking group needs. A table or column not listed
// is left out; DATA.md's tables are listed column by column, so that a new
// column of the extract stays out until someone decides otherwise. Left out:
// header.UPN and MC_DOB (a pupil number, and the date of birth of the
// child's own child), episodes.HOME_POST, PL_POST and URN (postcodes and an
// Ofsted provider number locate the child), qa_alerts.REASON (free text).
// Dates of birth keep their month and year: ages and age bands come out
// the same to within a month. qa_alerts.ALERT_ID, the case system's own key,
// is a keyed hash (A-...) by then, like CHILD (C-...) and the workers (W-...).
var Shared = map[string]map[string]treatment{
	"header":              {"child": keep, "dob": monthOnly, "sex": keep, "ethnic": keep, "mother": keep, "la": keep},
	"episodes":            cols("child decom rne ls place dec rec reason_place_change cin place_provider la"),
	"reviews":             {"child": keep, "review": keep, "review_code": keep, "dob": monthOnly, "la": keep},
	"peps":                cols("child pep_date la"),
	"permanence_plans":    cols("child plan_date plan_type la"),
	"disruption_meetings": cols("child meeting_date senior_manager la"),
	"health_assessments":  cols("child assessment_date assessment_type la"),
	"visits":              cols("child visit_date child_seen bedroom_seen la"),
	"allocations":         cols("child role worker start end la"),
	"review_details": cols("child review meeting_held sw_present adjournments adjourned_to consultation invites_sent " +
		"sw_report decisions_issued care_plan_updated record_completed record_distributed long_term_foster la"),
	"qa_alerts":   cols("alert_id child raised level resolved escalated la"),
	"dq_warnings": cols("table_name check_name message child record_date detail"),
	"rejects":     cols("source table_name line column_name value reason"),
	// Computed by the run from the tables above, or reference data.
	"findings": all, "rule_coverage": all, "run_history": all, "input_tables": all,
	"input_columns": all, "ignored_sources": all, "calendar": all, "working_days": all,
	"authorities": all, // the LA codes of an extract of several authorities
}

func cols(names string) map[string]treatment {
	m := map[string]treatment{}
	for _, n := range strings.Fields(names) {
		m[n] = keep
	}
	return m
}

// The shared database is written by a process that never held the raw
// extract. A DuckDB file can carry what its writer's memory held before, in
// the padding of its compressed string segments: written from the run's own
// process, whose heap had held every raw record, the file kept social
// workers' names in about one run in forty. So the run writes the allow-listed tables as Parquet files
// into its private staging folder (Export), and a child process of the same
// program, started with no shell and an empty environment, creates the
// fresh database from those files alone (Build, which runs WriteShared).

// WriterCommand is the hidden command of the lacaudit program that runs
// WriteShared in a process of its own; it is not in the command list.
const WriterCommand = "internal-write-shared-database"

// planName is the file in an export folder that lists its tables.
const planName = "shared.json"

// plan is what Export wrote: each table, its Parquet file and its columns
// with their types, in order.
type plan struct {
	Tables []planTable `json:"tables"`
}

type planTable struct {
	Name    string       `json:"name"`
	File    string       `json:"file"`
	Columns []planColumn `json:"columns"`
}

type planColumn struct {
	Name string `json:"name"`
	Type string `json:"type"`
}

// Export writes the tables and columns of Shared from db's main schema as
// Parquet files into dir, an empty private folder, with the list of them
// that WriteShared reads. db must be allowed to write in dir.
func Export(ctx context.Context, db *store.DB, dir string) error {
	rows, err := db.QueryContext(ctx, `SELECT table_name, column_name, data_type FROM duckdb_columns()
		WHERE database_name = current_database() AND schema_name = 'main' AND NOT internal
		  AND table_name IN (SELECT table_name FROM duckdb_tables()
		                     WHERE database_name = current_database() AND schema_name = 'main' AND NOT temporary)
		ORDER BY table_name, column_index`)
	if err != nil {
		return fmt.Errorf("write the shared database: %w", err)
	}
	var p plan
	selects := map[string][]string{}
	for rows.Next() {
		var t, c, typ string
		if err := rows.Scan(&t, &c, &typ); err != nil {
			rows.Close()
			return err
		}
		allowed, ok := Shared[t]
		if !ok {
			continue
		}
		tr := allowed[c]
		if tr == 0 {
			tr = allowed["*"]
		}
		var expr string
		switch {
		case tr == monthOnly:
			expr = fmt.Sprintf("date_trunc('month', %[1]s)::DATE AS %[1]s", store.Ident(c))
		case tr == keep && (typ == "HUGEINT" || typ == "UHUGEINT"):
			// Parquet has no 128-bit integer: as text, exactly.
			expr = fmt.Sprintf("%[1]s::VARCHAR AS %[1]s", store.Ident(c))
		case tr == keep:
			expr = store.Ident(c)
		default:
			continue
		}
		if _, seen := selects[t]; !seen {
			p.Tables = append(p.Tables, planTable{Name: t, File: fmt.Sprintf("t%02d.parquet", len(p.Tables)+1)})
		}
		pt := &p.Tables[len(p.Tables)-1]
		pt.Columns = append(pt.Columns, planColumn{Name: c, Type: typ})
		selects[t] = append(selects[t], expr)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return err
	}
	var script strings.Builder
	for _, t := range p.Tables {
		fmt.Fprintf(&script, "COPY (SELECT %s FROM main.%s) TO %s (FORMAT parquet);\n",
			strings.Join(selects[t.Name], ", "), store.Ident(t.Name), store.Quote(filepath.Join(dir, t.File)))
	}
	if err := db.Exec(ctx, "write the shared database", script.String()); err != nil {
		return err
	}
	b, err := json.Marshal(p)
	if err != nil {
		return err
	}
	if err := os.WriteFile(filepath.Join(dir, planName), b, 0o600); err != nil {
		return fmt.Errorf("write the shared database: %w", err)
	}
	return nil
}

// Build runs WriteShared(dir, dbPath) in a child process of this program
// (WriterCommand), so that the process that writes the shared database
// never held the raw extract. The child gets no shell and an empty
// environment; its first line of error output, if it fails, is the error.
func Build(ctx context.Context, dir, dbPath string, o store.Options) error {
	exe, err := os.Executable()
	if err != nil {
		return fmt.Errorf("write the shared database: find this program: %w", err)
	}
	// The child works in dir: the paths it gets are absolute.
	if dir, err = filepath.Abs(dir); err == nil {
		dbPath, err = filepath.Abs(dbPath)
	}
	if err != nil {
		return fmt.Errorf("write the shared database: %w", err)
	}
	args := []string{WriterCommand, "--dir", dir, "--db", dbPath, "--threads", strconv.Itoa(o.Threads)}
	if o.MemoryLimit != "" {
		args = append(args, "--memory-limit", o.MemoryLimit)
	}
	cmd := exec.CommandContext(ctx, exe, args...)
	cmd.Env = []string{}
	cmd.Dir = dir
	var stderr bytes.Buffer
	cmd.Stdout = io.Discard
	cmd.Stderr = &limited{w: &stderr, n: 4096}
	cmd.SysProcAttr = childAttr()
	// The child's death signal follows the thread that started it: this
	// goroutine keeps that thread until the child has finished.
	runtime.LockOSThread()
	err = cmd.Run()
	runtime.UnlockOSThread()
	if err != nil {
		if ctx.Err() != nil {
			return ctx.Err()
		}
		msg, _, _ := strings.Cut(strings.TrimSpace(stderr.String()), "\n")
		msg = strings.TrimPrefix(msg, "lacaudit: ")
		if msg == "" {
			msg = "write the shared database: its process ended: " + err.Error()
		}
		return errors.New(msg)
	}
	return nil
}

// limited keeps the first n bytes written to it.
type limited struct {
	w io.Writer
	n int
}

func (l *limited) Write(b []byte) (int, error) {
	if l.n > 0 {
		k := min(len(b), l.n)
		l.n -= k
		_, _ = l.w.Write(b[:k])
	}
	return len(b), nil
}

// WriteShared creates the shared database at dbPath, which must not exist,
// from the Parquet files Export wrote into dir: each table with the columns
// and types it had. It reads nothing but dir. It is the body of
// WriterCommand, and runs in a process that never held the raw extract.
func WriteShared(ctx context.Context, dir, dbPath string, o store.Options) (err error) {
	defer func() {
		if err != nil {
			err = fmt.Errorf("write the shared database: %w", err)
		}
	}()
	st, err := os.Lstat(dir)
	if err != nil {
		return err
	}
	if sys, ok := st.Sys().(*syscall.Stat_t); !st.IsDir() || !ok || int(sys.Uid) != os.Geteuid() || st.Mode().Perm()&0o077 != 0 {
		return fmt.Errorf("%s is not a private folder of this user's", dir)
	}
	f, err := os.OpenFile(filepath.Join(dir, planName), os.O_RDONLY|syscall.O_NOFOLLOW, 0)
	if err != nil {
		return err
	}
	b, err := io.ReadAll(io.LimitReader(f, 16<<20))
	f.Close()
	if err != nil {
		return err
	}
	var p plan
	if err := json.Unmarshal(b, &p); err != nil {
		return fmt.Errorf("read %s: %w", planName, err)
	}
	if _, err := os.Lstat(dbPath); err == nil {
		return fmt.Errorf("%s exists already: the shared database is always a new file", filepath.Base(dbPath))
	}
	var script strings.Builder
	for _, t := range p.Tables {
		if _, ok := Shared[t.Name]; !ok || filepath.Base(t.File) != t.File || !strings.HasSuffix(t.File, ".parquet") || len(t.Columns) == 0 {
			return fmt.Errorf("%s names %q, not a table of the shared database", planName, t.Name)
		}
		defs := make([]string, len(t.Columns))
		for i, c := range t.Columns {
			defs[i] = store.Ident(c.Name) + " " + c.Type
		}
		fmt.Fprintf(&script, "CREATE TABLE %s (%s);\n", store.Ident(t.Name), strings.Join(defs, ", "))
		fmt.Fprintf(&script, "INSERT INTO %s SELECT * FROM read_parquet(%s);\n", store.Ident(t.Name), store.Quote(filepath.Join(dir, t.File)))
	}
	script.WriteString("CHECKPOINT;\n")
	o.TempDir = filepath.Join(dir, "tmp")
	db, err := store.Open(ctx, dbPath, o)
	if err != nil {
		return err
	}
	if err := db.LockDown(ctx, dir); err != nil {
		db.Close()
		return err
	}
	if err := db.Exec(ctx, "create", script.String()); err != nil {
		db.Close()
		return err
	}
	return db.Close()
}

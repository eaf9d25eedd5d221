// Package store opens the embedded DuckDB database that a run loads the
// extracts into, locked down: no extension is installed or loaded on
// demand, and once the extracts are read external access can be switched
// off for everything but the run's own output folder.
package store

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"fmt"
	"strings"
	"sync"

	duckdb "github.com/duckdb/duckdb-go/v2"
)

// Options tune the database.
type Options struct {
	// Threads is DuckDB's worker thread count; 0 keeps DuckDB's default (all cores).
	Threads int
	// MemoryLimit is DuckDB's memory limit, such as "2GB"; empty keeps the default.
	MemoryLimit string
	// TempDir is where DuckDB spills to disk when over the memory limit.
	TempDir string
}

// DB is an open database with a single connection, so that session state
// (variables, settings) holds for every statement of a run.
type DB struct {
	*sql.DB
	connector *duckdb.Connector
	forked    bool // a handle from Fork, which leaves the database open when closed
}

// Open opens (creating it if needed) the database file at path; an empty path
// opens an in-memory database.
func Open(ctx context.Context, path string, o Options) (*DB, error) {
	init := []string{
		"SET autoinstall_known_extensions = false",
		"SET autoload_known_extensions = false",
		"SET preserve_insertion_order = true",
		// DuckDB's allocator hands memory it has freed back to the system
		// after each task that used more than 8 MB (the default is 128 MB),
		// and a background thread purges what it keeps: memory outside
		// DuckDB's limit, which at 300,000 children held a run 250 MB
		// higher (docs/PERFORMANCE.md).
		"SET allocator_flush_threshold = '8MB'",
		"SET allocator_background_threads = true",
	}
	if o.Threads > 0 {
		init = append(init, fmt.Sprintf("SET threads = %d", o.Threads))
	}
	if o.MemoryLimit != "" {
		init = append(init, "SET memory_limit = "+Quote(o.MemoryLimit))
	}
	if o.TempDir != "" {
		init = append(init, "SET temp_directory = "+Quote(o.TempDir))
	}
	// The settings are the database's, not a connection's: they are made on
	// its first connection, and a later one (Fork) has them already. Made
	// again, temp_directory fails once DuckDB has spilled to it ("Cannot
	// switch temporary directory after the current one has been used").
	var mu sync.Mutex
	made := false
	c, err := duckdb.NewConnector(path, func(execer driver.ExecerContext) error {
		mu.Lock()
		defer mu.Unlock()
		if made {
			return nil
		}
		made = true
		for _, s := range init {
			if _, err := execer.ExecContext(ctx, s, nil); err != nil {
				return fmt.Errorf("%s: %w", s, err)
			}
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("open database %s: %w", path, err)
	}
	db, err := oneConnection(ctx, c)
	if err != nil {
		_ = c.Close()
		return nil, fmt.Errorf("open database %s: %w", path, err)
	}
	return &DB{DB: db, connector: c}, nil
}

// oneConnection is a handle on c's database that holds a single connection,
// opened now. It never closes c: database/sql closes a connector that has a
// Close when the handle is closed, which for a Fork would close the
// database under the handle it came from, so DB.Close closes c itself.
func oneConnection(ctx context.Context, c *duckdb.Connector) (*sql.DB, error) {
	db := sql.OpenDB(borrowed{c})
	db.SetMaxOpenConns(1)
	db.SetMaxIdleConns(1)
	db.SetConnMaxLifetime(0)
	if err := db.PingContext(ctx); err != nil {
		_ = db.Close()
		return nil, err
	}
	return db, nil
}

// borrowed is a connector without Close (see oneConnection).
type borrowed struct{ c driver.Connector }

func (b borrowed) Connect(ctx context.Context) (driver.Conn, error) { return b.c.Connect(ctx) }
func (b borrowed) Driver() driver.Driver                            { return b.c.Driver() }

// Close closes the database and releases its file; closing a handle from
// Fork leaves the database open.
func (d *DB) Close() error {
	err := d.DB.Close()
	if d.forked {
		return err
	}
	if cerr := d.connector.Close(); err == nil {
		err = cerr
	}
	return err
}

// Fork returns another handle on the same database with a connection of its
// own, so that its statements run beside d's. The settings Open made hold
// for it too; its temporary tables and variables are its own.
func (d *DB) Fork(ctx context.Context) (*DB, error) {
	db, err := oneConnection(ctx, d.connector)
	if err != nil {
		return nil, fmt.Errorf("open a second connection: %w", err)
	}
	return &DB{DB: db, connector: d.connector, forked: true}, nil
}

// InsertRows inserts rows (each a full row of table's columns, in order)
// in one statement: a statement costs about a millisecond however small,
// and a run records hundreds of small rows.
func (d *DB) InsertRows(ctx context.Context, table string, rows [][]any) error {
	if len(rows) == 0 {
		return nil
	}
	marks := "(" + strings.TrimSuffix(strings.Repeat("?, ", len(rows[0])), ", ") + ")"
	var q strings.Builder
	q.WriteString("INSERT INTO " + Ident(table) + " VALUES ")
	var args []any
	for i, r := range rows {
		if len(r) != len(rows[0]) {
			return fmt.Errorf("insert into %s: row %d has %d values, not %d", table, i+1, len(r), len(rows[0]))
		}
		if i > 0 {
			q.WriteString(", ")
		}
		q.WriteString(marks)
		args = append(args, r...)
	}
	if _, err := d.ExecContext(ctx, q.String(), args...); err != nil {
		return fmt.Errorf("insert into %s: %w", table, err)
	}
	return nil
}

// LockDown switches off DuckDB's access to files and the network except for
// the folders named, and then locks the configuration so that no later
// statement can switch it back on.
func (d *DB) LockDown(ctx context.Context, allowedDirs ...string) error {
	var stmts []string
	if len(allowedDirs) > 0 {
		q := make([]string, len(allowedDirs))
		for i, dir := range allowedDirs {
			if !strings.HasSuffix(dir, "/") {
				dir += "/"
			}
			q[i] = Quote(dir)
		}
		stmts = append(stmts, "SET allowed_directories = ["+strings.Join(q, ", ")+"]")
	}
	stmts = append(stmts, "SET enable_external_access = false", "SET lock_configuration = true")
	for _, s := range stmts {
		if _, err := d.ExecContext(ctx, s); err != nil {
			return fmt.Errorf("lock down database: %s: %w", s, err)
		}
	}
	return nil
}

// Exec runs a script of several statements separated by semicolons at line
// ends, one by one, so that an error names the statement that failed: name
// (the script's .sql file, as audit/sql/10_reviews.sql) and the line the
// statement starts on, as audit/sql/10_reviews.sql:63.
func (d *DB) Exec(ctx context.Context, name, script string) error {
	return d.ExecThen(ctx, name, script, nil)
}

// ExecThen is Exec with after, when not nil, called after each statement
// with its text; an error from after stops the script.
func (d *DB) ExecThen(ctx context.Context, name, script string, after func(stmt string) error) error {
	for _, st := range SplitStatements(script) {
		if _, err := d.ExecContext(ctx, st.Text); err != nil {
			if strings.HasSuffix(name, ".sql") {
				return fmt.Errorf("%s:%d: %w", name, st.Line, err)
			}
			return fmt.Errorf("%s, line %d: %w", name, st.Line, err)
		}
		if after != nil {
			if err := after(st.Text); err != nil {
				return err
			}
		}
	}
	return nil
}

// Statement is one statement of a script and the line of the script it
// starts on (the first line is 1), leading blank lines and comments left out.
type Statement struct {
	Text string
	Line int
}

// SplitStatements splits SQL text into statements at semicolons that end a
// line, dropping statements that hold only comments, each with the line it
// starts on.
func SplitStatements(script string) []Statement {
	var out []Statement
	var cur strings.Builder
	curLine := 1 // the line cur starts on
	flush := func() {
		text := cur.String()
		cur.Reset()
		s := strings.TrimSpace(text)
		if s == "" {
			return
		}
		// The statement starts at its first line that is not blank or a
		// comment; its text keeps the comments above it.
		for i, l := range strings.Split(strings.TrimLeft(text, " \t\r\n"), "\n") {
			if t := strings.TrimSpace(l); t != "" && !strings.HasPrefix(t, "--") {
				lead := strings.Count(text[:len(text)-len(strings.TrimLeft(text, " \t\r\n"))], "\n")
				out = append(out, Statement{Text: s, Line: curLine + lead + i})
				return
			}
		}
	}
	line := 1
	for _, l := range strings.SplitAfter(script, "\n") {
		if cur.Len() == 0 {
			curLine = line
		}
		line++
		trimmed := strings.TrimRight(l, " \t\r\n")
		if strings.HasSuffix(trimmed, ";") && !strings.HasPrefix(strings.TrimSpace(trimmed), "--") {
			cur.WriteString(strings.TrimSuffix(trimmed, ";"))
			cur.WriteString("\n")
			flush()
			continue
		}
		cur.WriteString(l)
	}
	flush()
	return out
}

// Quote returns s as a SQL string literal.
func Quote(s string) string { return "'" + strings.ReplaceAll(s, "'", "''") + "'" }

// Ident returns s as a quoted SQL identifier.
func Ident(s string) string { return `"` + strings.ReplaceAll(s, `"`, `""`) + `"` }

// WithConn runs fn with the database's underlying DuckDB driver connection,
// for the Appender.
func (d *DB) WithConn(ctx context.Context, fn func(driver.Conn) error) error {
	conn, err := d.Conn(ctx)
	if err != nil {
		return err
	}
	defer conn.Close()
	return conn.Raw(func(dc any) error {
		c, ok := dc.(driver.Conn)
		if !ok {
			return fmt.Errorf("unexpected driver connection %T", dc)
		}
		return fn(c)
	})
}

// Append appends rows to table with DuckDB's Appender, on a connection of
// the handle: fill calls add once per row, in the table's column order. The
// appender is closed whatever happens, which flushes the rows: an error
// from fill (or from add, which fill returns) is returned, and otherwise
// the error of closing it.
func (d *DB) Append(ctx context.Context, table string, fill func(add func(vals ...driver.Value) error) error) error {
	return d.WithConn(ctx, func(c driver.Conn) error {
		a, err := duckdb.NewAppenderFromConn(c, "", table)
		if err != nil {
			return fmt.Errorf("append to %s: %w", table, err)
		}
		err = fill(a.AppendRow)
		if cerr := a.Close(); err == nil && cerr != nil {
			err = fmt.Errorf("append to %s: %w", table, cerr)
		}
		return err
	})
}

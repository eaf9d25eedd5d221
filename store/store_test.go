package store

import (
	"context"
	"database/sql/driver"
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// memDB is an in-memory database with one thread, closed by the test's cleanup.
func memDB(t *testing.T) *DB {
	t.Helper()
	db, err := Open(context.Background(), "", Options{Threads: 1})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

func TestLockDown(t *testing.T) {
	ctx := context.Background()
	db := memDB(t)
	var v string
	if err := db.QueryRowContext(ctx, "SELECT current_setting('autoinstall_known_extensions')::VARCHAR || current_setting('autoload_known_extensions')::VARCHAR").Scan(&v); err != nil || v != "falsefalse" {
		t.Fatalf("extension auto-install/auto-load: %q, %v", v, err)
	}
	allowed := t.TempDir()
	outside := t.TempDir()
	secret := filepath.Join(outside, "secret.csv")
	os.WriteFile(secret, []byte("a\n1\n"), 0o600)
	if _, err := db.ExecContext(ctx, "CREATE TABLE t AS SELECT 1 AS a"); err != nil {
		t.Fatal(err)
	}
	if err := db.LockDown(ctx, allowed); err != nil {
		t.Fatal(err)
	}
	if _, err := db.ExecContext(ctx, "SELECT * FROM read_csv("+Quote(secret)+")"); err == nil {
		t.Error("read a file outside the allowed folder after lock-down")
	}
	if _, err := db.ExecContext(ctx, "COPY t TO "+Quote(filepath.Join(outside, "x.csv"))); err == nil {
		t.Error("wrote a file outside the allowed folder after lock-down")
	}
	if _, err := db.ExecContext(ctx, "COPY t TO "+Quote(filepath.Join(allowed, "x.csv"))); err != nil {
		t.Errorf("cannot write in the allowed folder: %v", err)
	}
	for _, s := range []string{"SET enable_external_access = true", "SET autoload_known_extensions = true", "INSTALL httpfs"} {
		if _, err := db.ExecContext(ctx, s); err == nil {
			t.Errorf("%s was allowed after lock-down", s)
		}
	}
}

func TestSplitStatements(t *testing.T) {
	var got []string
	for _, st := range SplitStatements("-- only a comment;\nSELECT 1;\n\n-- c\nSELECT ';'\n  || 'x';\nSELECT 3") {
		got = append(got, st.Text)
	}
	// A semicolon in a comment does not end a statement.
	want := []string{"-- only a comment;\nSELECT 1", "-- c\nSELECT ';'\n  || 'x'", "SELECT 3"}
	if strings.Join(got, "|") != strings.Join(want, "|") {
		t.Errorf("got %q, want %q", got, want)
	}
}

// InsertRows puts every row in, in order, values bound (never pasted into
// the SQL), and refuses ragged rows.
func TestInsertRows(t *testing.T) {
	ctx := context.Background()
	db := memDB(t)
	if _, err := db.ExecContext(ctx, "CREATE TABLE t (s VARCHAR, n BIGINT, b BOOLEAN)"); err != nil {
		t.Fatal(err)
	}
	if err := db.InsertRows(ctx, "t", nil); err != nil {
		t.Fatalf("no rows: %v", err)
	}
	rows := [][]any{{"00123", int64(1), true}, {"it's; DROP TABLE t", int64(2), false}, {"123", int64(3), nil}}
	if err := db.InsertRows(ctx, "t", rows); err != nil {
		t.Fatal(err)
	}
	var got []string
	r, err := db.QueryContext(ctx, "SELECT s || '|' || n || '|' || coalesce(b::VARCHAR, 'NULL') FROM t ORDER BY n")
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	for r.Next() {
		var s string
		if err := r.Scan(&s); err != nil {
			t.Fatal(err)
		}
		got = append(got, s)
	}
	want := []string{"00123|1|true", "it's; DROP TABLE t|2|false", "123|3|NULL"}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("rows:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	if err := db.InsertRows(ctx, "t", [][]any{{"a", int64(4), true}, {"b", int64(5)}}); err == nil {
		t.Error("a row with a value missing was accepted")
	}
}

// A fork shares the database's tables but not its temporary tables, runs
// with the settings Open made, and closing it leaves the database open: a
// second fork after it still connects.
func TestFork(t *testing.T) {
	ctx := context.Background()
	db := memDB(t)
	for _, q := range []string{"CREATE TABLE shared AS SELECT 42 AS x", "CREATE TEMP TABLE mine AS SELECT 1 AS y"} {
		if _, err := db.ExecContext(ctx, q); err != nil {
			t.Fatal(err)
		}
	}
	for round := 1; round <= 2; round++ {
		f, err := db.Fork(ctx)
		if err != nil {
			t.Fatalf("fork %d: %v", round, err)
		}
		var x int
		if err := f.QueryRowContext(ctx, "SELECT x FROM shared").Scan(&x); err != nil || x != 42 {
			t.Errorf("fork %d reads shared: %d, %v", round, x, err)
		}
		if _, err := f.ExecContext(ctx, "SELECT y FROM mine"); err == nil {
			t.Errorf("fork %d sees the other connection's temporary table", round)
		}
		var auto string
		if err := f.QueryRowContext(ctx, "SELECT current_setting('autoload_known_extensions')::VARCHAR").Scan(&auto); err != nil || auto != "false" {
			t.Errorf("fork %d: extension auto-load %q, %v", round, auto, err)
		}
		if err := f.Close(); err != nil {
			t.Errorf("close fork %d: %v", round, err)
		}
	}
	var x int
	if err := db.QueryRowContext(ctx, "SELECT x FROM shared").Scan(&x); err != nil || x != 42 {
		t.Errorf("after the forks closed: %d, %v", x, err)
	}
}

// Append closes its appender whatever fill returns: the rows added before
// an error are flushed and the error comes back as it was; a failed row
// closes it too, and the connection serves the next statement.
func TestAppendAlwaysCloses(t *testing.T) {
	ctx := context.Background()
	db, err := Open(ctx, "", Options{Threads: 1})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if _, err := db.ExecContext(ctx, "CREATE TABLE t (n BIGINT, s VARCHAR)"); err != nil {
		t.Fatal(err)
	}
	stop := errors.New("stop")
	err = db.Append(ctx, "t", func(add func(...driver.Value) error) error {
		if err := add(int64(1), "one"); err != nil {
			return err
		}
		return stop
	})
	if err != stop {
		t.Fatalf("Append returned %v, want fill's error as it was", err)
	}
	err = db.Append(ctx, "t", func(add func(...driver.Value) error) error {
		if err := add(int64(2), "two"); err != nil {
			return err
		}
		return add("not a number", "three")
	})
	if err == nil {
		t.Fatal("a row of the wrong type was appended")
	}
	if err := db.Append(ctx, "t", func(add func(...driver.Value) error) error { return add(int64(3), "three") }); err != nil {
		t.Fatal(err)
	}
	var got string
	if err := db.QueryRowContext(ctx, "SELECT string_agg(s, ' ' ORDER BY n) FROM t").Scan(&got); err != nil {
		t.Fatal(err)
	}
	if got != "one two three" {
		t.Errorf("table holds %q, want the rows added before each error flushed: one two three", got)
	}
}

// Each statement carries the line it starts on, past the blank lines and
// comments above it, and a failing one is named by file and line.
func TestStatementLinesAndErrorsNameFileAndLine(t *testing.T) {
	script := "-- header comment\n\nCREATE TABLE t (n INTEGER);\n\n-- the rows\nINSERT INTO t\n    VALUES (1);\nSELECT ';'\n  || 'x';\n\n\n  SELECT nonsense FROM nowhere;\n"
	var got []int
	for _, st := range SplitStatements(script) {
		got = append(got, st.Line)
	}
	if want := []int{3, 6, 8, 12}; !slices.Equal(got, want) {
		t.Errorf("statement lines %v, want %v", got, want)
	}
	err := memDB(t).Exec(context.Background(), "audit/sql/99_test.sql", script)
	if err == nil || !strings.HasPrefix(err.Error(), "audit/sql/99_test.sql:12: ") {
		t.Errorf("error %v, want it to start audit/sql/99_test.sql:12: ", err)
	}
	err = memDB(t).Exec(context.Background(), "consistency checks", "SELECT 1;\nSELECT nonsense FROM nowhere;")
	if err == nil || !strings.HasPrefix(err.Error(), "consistency checks, line 2: ") {
		t.Errorf("error %v, want it to start consistency checks, line 2: ", err)
	}
}

// DuckDB's allocator gives freed memory back soon (docs/PERFORMANCE.md:
// without it a national run held 250 MB more than DuckDB's limit).
func TestAllocatorSettings(t *testing.T) {
	db := memDB(t)
	var threshold, background string
	if err := db.QueryRowContext(context.Background(),
		"SELECT current_setting('allocator_flush_threshold')::VARCHAR, current_setting('allocator_background_threads')::VARCHAR").Scan(&threshold, &background); err != nil {
		t.Fatal(err)
	}
	if threshold != "7.6 MiB" || background != "true" { // DuckDB shows 8 MB in MiB
		t.Errorf("allocator_flush_threshold %q, allocator_background_threads %q; want 8 MB and true", threshold, background)
	}
}

// A second connection opens after DuckDB has spilled to its temporary
// folder: the settings are the database's and are not made again (setting
// temp_directory again failed once it was used, and a national extract
// under the automatic memory limit spills before the run forks).
func TestForkAfterSpill(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	db, err := Open(ctx, filepath.Join(dir, "t.duckdb"), Options{Threads: 1, MemoryLimit: "30MB", TempDir: filepath.Join(dir, "tmp")})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if _, err := db.ExecContext(ctx, "CREATE TEMP TABLE big AS SELECT range AS i, repeat('x', 40) || range::VARCHAR AS s FROM range(2000000)"); err != nil {
		t.Fatal(err)
	}
	var spilled int64
	if err := db.QueryRowContext(ctx, "SELECT count(*) FROM duckdb_temporary_files()").Scan(&spilled); err != nil || spilled == 0 {
		t.Fatalf("the test did not spill to the temporary folder (%d files, %v)", spilled, err)
	}
	f, err := db.Fork(ctx)
	if err != nil {
		t.Fatalf("fork after a spill: %v", err)
	}
	defer f.Close()
	var limit string
	if err := f.QueryRowContext(ctx, "SELECT current_setting('memory_limit')::VARCHAR").Scan(&limit); err != nil || limit != "28.6 MiB" {
		t.Errorf("the fork's memory limit is %q (%v), want the database's 30MB", limit, err)
	}
}

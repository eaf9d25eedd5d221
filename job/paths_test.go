package job

import (
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"syscall"
	"testing"
)

// --db never names a file lacaudit writes or uses in an output folder, a
// folder, a symbolic link or a file in a staging folder: the command is
// refused (exit status 2) before anything is touched, and what was there
// is left as it was.
func TestDatabasePathRefusesWhatItWouldReplace(t *testing.T) {
	out, elsewhere := t.TempDir(), t.TempDir()
	victim := filepath.Join(elsewhere, "victim.duckdb")
	put(t, victim, "precious")
	os.Chmod(victim, 0o644)
	for _, f := range []string{"findings.csv", "findings.parquet", "rejects.csv", "latest.xlsx", "lacaudit-2026-01-10.xlsx", "lacaudit-annual-2025-26.xlsx", lockName, ".lacaudit.duckdb.lock"} {
		put(t, filepath.Join(out, f), "precious")
	}
	os.Mkdir(filepath.Join(out, "folder.duckdb"), 0o700)
	os.Symlink(victim, filepath.Join(out, "link.duckdb"))
	os.Mkdir(filepath.Join(out, stagePrefix+"x"), 0o700)
	for _, c := range []struct{ db, want string }{
		{"findings.csv", "must end in .duckdb"},
		{"findings.parquet", "must end in .duckdb"},
		{"rejects.csv", "must end in .duckdb"},
		{"latest.xlsx", "must end in .duckdb"},
		{"lacaudit-2026-01-10.xlsx", "must end in .duckdb"},
		{"lacaudit-annual-2025-26.xlsx", "must end in .duckdb"},
		{lockName, "must end in .duckdb"},
		{".lacaudit.duckdb.lock", "must end in .duckdb"},
		{"lacaudit.duckdb" + stagedDBSuffix + stagePrefix + "x", "must end in .duckdb"},
		{".duckdb", "must end in .duckdb"},
		{"", "is a folder, not a file"},
		{"folder.duckdb", "is a folder, not a file"},
		{"link.duckdb", "is a symbolic link"},
		{stagePrefix + "x/lacaudit.duckdb", "inside a run's staging folder"},
	} {
		db := filepath.Join(out, c.db)
		s := Settings{Out: out}
		w, err := openWorkspace(&s, db, slog.New(slog.NewTextHandler(io.Discard, nil)))
		if err == nil {
			w.close()
			t.Errorf("--db %s taken", c.db)
			continue
		}
		if ExitStatus(err) != 2 || !strings.Contains(err.Error(), c.want) || strings.Contains(err.Error(), "\n") {
			t.Errorf("--db %s: exit %d, %v; want exit 2 and %q", c.db, ExitStatus(err), err, c.want)
		}
	}
	for _, f := range []string{"findings.csv", "findings.parquet", "rejects.csv", "latest.xlsx", "lacaudit-2026-01-10.xlsx", "lacaudit-annual-2025-26.xlsx", lockName, ".lacaudit.duckdb.lock"} {
		if got := read(t, filepath.Join(out, f)); got != "precious" {
			t.Errorf("%s = %q", f, got)
		}
	}
	if st, err := os.Stat(victim); err != nil || st.Mode().Perm() != 0o644 || read(t, victim) != "precious" {
		t.Errorf("the link's target changed: %v, %v", modeString(st), err)
	}
	// What may be a database: the default, absent; a file elsewhere.
	for _, db := range []string{filepath.Join(out, DBFileName), victim} {
		s := Settings{Out: out}
		w, err := openWorkspace(&s, db, slog.New(slog.NewTextHandler(io.Discard, nil)))
		if err != nil {
			t.Errorf("--db %s: %v", db, err)
			continue
		}
		w.close()
	}
}

func modeString(st os.FileInfo) string {
	if st == nil {
		return "none"
	}
	return st.Mode().String()
}

// A symbolic link planted at the database's path is never followed by the
// publication: the link's target keeps its permissions and contents, and
// the commit fails rather than chmod through the link.
func TestCommitDoesNotFollowALinkAtTheDatabase(t *testing.T) {
	out, elsewhere := t.TempDir(), t.TempDir()
	victim := filepath.Join(elsewhere, "victim")
	put(t, victim, "precious")
	os.Chmod(victim, 0o644)
	db := filepath.Join(out, DBFileName)
	os.Symlink(victim, db)
	stage := filepath.Join(out, stagePrefix+"x")
	os.Mkdir(stage, 0o700)
	staged := db + stagedDBSuffix + filepath.Base(stage)
	put(t, staged, "new db")
	if err := commit(stage, []move{{Staged: staged, Target: db}}, 0o600); err == nil || !strings.Contains(err.Error(), "symbolic link") {
		t.Errorf("commit over a link: %v", err)
	}
	if st, err := os.Stat(victim); err != nil || st.Mode().Perm() != 0o644 || read(t, victim) != "precious" {
		t.Errorf("the link's target changed: %v, %v", modeString(st), err)
	}
}

// A folder where an output goes is named as such, not as the hard link
// that failed.
func TestCommitSaysAFolderIsInTheWay(t *testing.T) {
	out := t.TempDir()
	os.MkdirAll(filepath.Join(out, "findings.csv", "x"), 0o700)
	stage := filepath.Join(out, stagePrefix+"x")
	os.Mkdir(stage, 0o700)
	put(t, filepath.Join(stage, "findings.csv"), "new")
	err := commit(stage, []move{{Staged: filepath.Join(stage, "findings.csv"), Target: filepath.Join(out, "findings.csv")}}, 0o600)
	if err == nil || !strings.Contains(err.Error(), "findings.csv is a folder, not a file") {
		t.Errorf("err = %v", err)
	}
}

// A manifest with a bad staged or backup name is refused naming that
// name, not the entry's target, and the advice keeps the backups.
func TestRefusedManifestNamesTheBadEntry(t *testing.T) {
	for _, c := range []struct{ entry, want string }{
		{`{"folder": "out", "target": "findings.csv", "staged": "../elsewhere"}`, `"../elsewhere"`},
		{`{"folder": "out", "target": "findings.csv", "staged": "findings.csv", "backup": "/etc/passwd"}`, `"/etc/passwd"`},
		{`{"folder": "out", "target": "findings.csv", "staged": "rejects.csv"}`, `"rejects.csv"`},
		{`{"folder": "out", "target": "keep.txt", "staged": "keep.txt"}`, `"keep.txt"`},
		{`{"folder": "db", "target": "lacaudit.duckdb", "staged": "other"}`, `"other"`},
		{`{"folder": "db", "target": "lacaudit.duckdb", "staged": "lacaudit.duckdb.lacaudit-new-.lacaudit-run-x", "backup": "other"}`, `"other"`},
		{`{"folder": "elsewhere", "target": "findings.csv", "staged": "findings.csv"}`, `"elsewhere"`},
	} {
		out := t.TempDir()
		stage := filepath.Join(out, stagePrefix+"x")
		os.Mkdir(stage, 0o700)
		put(t, filepath.Join(stage, manifestName), `{"db_folder": "`+out+`", "moves": [`+c.entry+`]}`)
		_, err := recoverOutputs(out, filepath.Join(out, DBFileName))
		if err == nil || !strings.Contains(err.Error(), "names "+c.want) || strings.Contains(err.Error(), "remove the folder") {
			t.Errorf("%s: %v, want it to name %s", c.entry, err, c.want)
		}
		if _, err := os.Stat(stage); err != nil {
			t.Errorf("%s: the staging folder was removed", c.entry)
		}
	}
}

// A run with --db in another folder killed between two renames: a command
// with another database (annual without --db, run without the same --db)
// moves nothing, keeps the backups and says to run again with that --db;
// with it, the previous set comes back whole.
func TestRecoveryNeedsTheKilledRunsDatabase(t *testing.T) {
	defer func(f func(string)) { commitStep = f }(commitStep)
	for _, name := range []string{DBFileName, "a.duckdb"} {
		out, stage, db, moves := publishFixture(t)
		if name != DBFileName {
			renamed := filepath.Join(filepath.Dir(db), name)
			os.Rename(db, renamed)
			os.Rename(moves[len(moves)-1].Staged, renamed+stagedDBSuffix+filepath.Base(stage))
			db = renamed
			moves[len(moves)-1] = move{Staged: renamed + stagedDBSuffix + filepath.Base(stage), Target: renamed}
		}
		old := published(t, out, db)
		commitStep = func(s string) {
			if s == "move "+LatestWorkbook {
				runtime.Goexit()
			}
		}
		done := make(chan struct{})
		go func() {
			defer close(done)
			_ = commit(stage, moves, 0o600)
		}()
		<-done
		commitStep = func(string) {}
		mixed := published(t, out, db)
		if sameSet(mixed, old) {
			t.Fatal("the kill came before any rename")
		}
		for _, other := range []string{filepath.Join(out, DBFileName), filepath.Join(t.TempDir(), name)} {
			_, err := recoverOutputs(out, other)
			if err == nil || ExitStatus(err) != 2 || !strings.Contains(err.Error(), "--db "+db) || strings.Contains(err.Error(), "remove") {
				t.Errorf("%s: recovery with %s: %v", name, other, err)
			}
			if got := published(t, out, db); !sameSet(got, mixed) {
				t.Errorf("%s: recovery with %s moved files: %v", name, other, got)
			}
			if _, err := os.Stat(filepath.Join(stage, "previous")); err != nil {
				t.Errorf("%s: recovery with %s removed the backups", name, other)
			}
		}
		if _, err := recoverOutputs(out, db); err != nil {
			t.Fatalf("%s: recovery with --db %s: %v", name, db, err)
		}
		if got := published(t, out, db); !sameSet(got, old) {
			t.Errorf("%s: recovered %v, want %v", name, got, old)
		}
	}
}

// A folder's permissions are printed with their special bits: a shared
// temporary folder is 1777, not 0777.
func TestPermissionsKeepTheirSpecialBits(t *testing.T) {
	dir := t.TempDir()
	if err := syscall.Chmod(dir, 0o1777); err != nil {
		t.Fatal(err)
	}
	err := privateDir(dir, "output folder", true)
	if err == nil || !strings.Contains(err.Error(), "(permissions 1777)") {
		t.Errorf("err = %v", err)
	}
}

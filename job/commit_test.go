package job

import (
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"syscall"
	"testing"
)

func put(t *testing.T, path, content string) {
	t.Helper()
	if err := os.WriteFile(path, []byte(content), 0o600); err != nil {
		t.Fatal(err)
	}
}

func read(t *testing.T, path string) string {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		return "<" + err.Error() + ">"
	}
	return string(b)
}

func TestCommitReplacesEveryOutput(t *testing.T) {
	out := t.TempDir()
	put(t, filepath.Join(out, "a.csv"), "old a")
	stage := filepath.Join(out, stagePrefix+"x")
	os.Mkdir(stage, 0o700)
	put(t, filepath.Join(stage, "a.csv"), "new a")
	put(t, filepath.Join(stage, "b.csv"), "new b")
	moves := []move{{Staged: filepath.Join(stage, "a.csv"), Target: filepath.Join(out, "a.csv")},
		{Staged: filepath.Join(stage, "b.csv"), Target: filepath.Join(out, "b.csv")}}
	if err := commit(stage, moves, 0o640); err != nil {
		t.Fatal(err)
	}
	if read(t, filepath.Join(out, "a.csv")) != "new a" || read(t, filepath.Join(out, "b.csv")) != "new b" {
		t.Error("outputs not replaced")
	}
	if st, _ := os.Stat(filepath.Join(out, "b.csv")); st.Mode().Perm() != 0o640 {
		t.Errorf("mode %v", st.Mode().Perm())
	}
	if _, err := os.Stat(filepath.Join(stage, manifestName)); !os.IsNotExist(err) {
		t.Error("manifest left after the commit")
	}
}

// A run killed after moving some of its outputs into place: the next run
// puts back exactly the outputs before it.
func TestRecoverUndoesAnInterruptedCommit(t *testing.T) {
	out := t.TempDir()
	db := filepath.Join(out, "lacaudit.duckdb")
	put(t, filepath.Join(out, "findings.csv"), "old a")
	put(t, db, "old db")
	stage := filepath.Join(out, stagePrefix+"killed")
	os.MkdirAll(filepath.Join(stage, "previous"), 0o700)
	put(t, filepath.Join(stage, "findings.csv"), "new a")
	put(t, filepath.Join(stage, "rejects.csv"), "new c")
	staged := db + stagedDBSuffix + filepath.Base(stage)
	put(t, staged, "new db")
	// What commit had done when it was killed: backups and manifest written,
	// findings.csv and rejects.csv (which had no previous version) moved,
	// the database not yet.
	backup := db + backupDBSuffix + filepath.Base(stage)
	os.Link(filepath.Join(out, "findings.csv"), filepath.Join(stage, "previous", "0-findings.csv"))
	os.Link(db, backup)
	m := manifest{DBFolder: out, Moves: []entry{
		{Folder: "out", Target: "findings.csv", Staged: "findings.csv", Backup: "0-findings.csv"},
		{Folder: "out", Target: "rejects.csv", Staged: "rejects.csv"},
		{Folder: "db", Target: filepath.Base(db), Staged: filepath.Base(staged), Backup: filepath.Base(backup)},
	}}
	if err := writeSynced(filepath.Join(stage, manifestName), m); err != nil {
		t.Fatal(err)
	}
	os.Rename(filepath.Join(stage, "findings.csv"), filepath.Join(out, "findings.csv"))
	os.Rename(filepath.Join(stage, "rejects.csv"), filepath.Join(out, "rejects.csv"))

	n, err := recoverOutputs(out, db)
	if err != nil || n != 1 {
		t.Fatalf("recover: %d, %v", n, err)
	}
	if got := read(t, filepath.Join(out, "findings.csv")); got != "old a" {
		t.Errorf("findings.csv = %q, want the previous output", got)
	}
	if got := read(t, db); got != "old db" {
		t.Errorf("db = %q, want the previous database", got)
	}
	if _, err := os.Stat(filepath.Join(out, "rejects.csv")); !os.IsNotExist(err) {
		t.Error("rejects.csv, new in the killed run, is still there")
	}
	entries, _ := os.ReadDir(out)
	if len(entries) != 2 {
		t.Errorf("left in the folder: %v", entries)
	}
}

// A manifest planted in the output folder cannot make the next run rename
// or delete a file outside the output and database folders: absolute
// paths, a path out of the folder, a name that is not an output's, a
// manifest that is a symbolic link, or a staging folder open to others are
// refused, and the files they name are left alone.
func TestRecoverRefusesAPlantedManifest(t *testing.T) {
	for _, c := range []struct {
		name     string
		manifest func(victim string) string
		link     bool
		mode     os.FileMode
	}{
		{name: "absolute paths, as manifests were", manifest: func(v string) string {
			return `[{"staged": "/nonexistent/lacaudit", "target": "` + v + `", "backup": ""}]`
		}},
		{name: "a path out of the folder", manifest: func(v string) string {
			return `{"moves": [{"folder": "out", "target": "../victim/file", "staged": "../victim/file"}]}`
		}},
		{name: "a file that is not an output", manifest: func(v string) string {
			return `{"moves": [{"folder": "out", "target": "keep.txt", "staged": "keep.txt"}]}`
		}},
		{name: "the database of another folder", manifest: func(v string) string {
			return `{"db_folder": "` + filepath.Dir(v) + `", "moves": [{"folder": "db", "target": "lacaudit.duckdb", "staged": "lacaudit.duckdb.lacaudit-new-.lacaudit-run-x"}]}`
		}},
		{name: "a symbolic link", link: true, manifest: func(v string) string {
			return `{"moves": [{"folder": "out", "target": "findings.csv", "staged": "findings.csv"}]}`
		}},
		{name: "a staging folder others can write", mode: 0o777, manifest: func(v string) string {
			return `{"moves": [{"folder": "out", "target": "findings.csv", "staged": "findings.csv"}]}`
		}},
	} {
		t.Run(c.name, func(t *testing.T) {
			out, elsewhere := t.TempDir(), t.TempDir()
			victim := filepath.Join(elsewhere, "file")
			put(t, victim, "precious")
			put(t, filepath.Join(out, "keep.txt"), "precious")
			put(t, filepath.Join(out, "findings.csv"), "precious")
			put(t, filepath.Join(elsewhere, "lacaudit.duckdb"), "precious")
			stage := filepath.Join(out, stagePrefix+"x")
			os.Mkdir(stage, 0o700)
			if c.mode != 0 {
				os.Chmod(stage, c.mode)
			}
			if c.link {
				put(t, filepath.Join(elsewhere, "m.json"), c.manifest(victim))
				os.Symlink(filepath.Join(elsewhere, "m.json"), filepath.Join(stage, manifestName))
			} else {
				put(t, filepath.Join(stage, manifestName), c.manifest(victim))
			}
			_, err := recoverOutputs(out, filepath.Join(out, "lacaudit.duckdb"))
			if err == nil {
				t.Error("a planted manifest was followed")
			}
			for _, f := range []string{victim, filepath.Join(out, "keep.txt"), filepath.Join(out, "findings.csv"), filepath.Join(elsewhere, "lacaudit.duckdb")} {
				if got := read(t, f); got != "precious" {
					t.Errorf("%s = %q", f, got)
				}
			}
		})
	}
}

// A database on another file system than the output folder is replaced
// night after night: its backup is kept beside it, not linked into the
// staging folder across file systems.
func TestCommitDatabaseOnAnotherFileSystem(t *testing.T) {
	out := t.TempDir()
	shm, err := os.MkdirTemp("/dev/shm", "lacaudit-test-")
	if err != nil {
		t.Skip("no /dev/shm")
	}
	defer os.RemoveAll(shm)
	var a, b syscall.Stat_t
	if syscall.Stat(out, &a) != nil || syscall.Stat(shm, &b) != nil || a.Dev == b.Dev {
		t.Skip("/dev/shm is on the same file system as the temporary folder")
	}
	db := filepath.Join(shm, "lacaudit.duckdb")
	put(t, db, "first night")
	for night := 2; night <= 3; night++ {
		stage, _ := filepath.Abs(filepath.Join(out, stagePrefix+strconv.Itoa(night)))
		os.Mkdir(stage, 0o700)
		put(t, filepath.Join(stage, "findings.csv"), "findings")
		staged := db + stagedDBSuffix + filepath.Base(stage)
		put(t, staged, "night "+strconv.Itoa(night))
		moves := []move{{Staged: filepath.Join(stage, "findings.csv"), Target: filepath.Join(out, "findings.csv")}, {Staged: staged, Target: db}}
		if err := commit(stage, moves, 0o600); err != nil {
			t.Fatalf("night %d: %v", night, err)
		}
		if got := read(t, db); got != "night "+strconv.Itoa(night) {
			t.Errorf("night %d: database %q", night, got)
		}
		os.RemoveAll(stage)
	}
	if entries, _ := os.ReadDir(shm); len(entries) != 1 {
		t.Errorf("left beside the database: %v", entries)
	}
}

func TestLockIsExclusiveAndReleased(t *testing.T) {
	dir := t.TempDir()
	l, err := acquire(dir)
	if err != nil {
		t.Fatal(err)
	}
	// flock locks belong to open files: a second open in this process
	// conflicts as a second process would.
	if _, err := acquire(dir); err == nil {
		t.Fatal("second lock acquired while the first is held")
	} else if le, ok := err.(*LockError); !ok || le.PID != os.Getpid() {
		t.Fatalf("err = %v, want a LockError naming this process", err)
	}
	l.release()
	l2, err := acquire(dir)
	if err != nil {
		t.Fatalf("lock not released: %v", err)
	}
	l2.release()
}

// The lock file is never followed through a symbolic link nor truncated:
// a link planted at its name cannot empty or overwrite another file, and
// a hard link to another file is refused.
func TestLockRefusesPlantedLinks(t *testing.T) {
	dir, elsewhere := t.TempDir(), t.TempDir()
	victim := filepath.Join(elsewhere, "victim")
	put(t, victim, "precious contents")
	if err := os.Symlink(victim, filepath.Join(dir, lockName)); err != nil {
		t.Fatal(err)
	}
	if l, err := acquire(dir); err == nil {
		l.release()
		t.Error("a symbolic link was taken as the lock")
	}
	if got := read(t, victim); got != "precious contents" {
		t.Errorf("victim = %q", got)
	}
	os.Remove(filepath.Join(dir, lockName))
	if err := os.Link(victim, filepath.Join(dir, lockName)); err != nil {
		t.Fatal(err)
	}
	if l, err := acquire(dir); err == nil {
		l.release()
		t.Error("a hard link to another file was taken as the lock")
	}
	if got := read(t, victim); got != "precious contents" {
		t.Errorf("victim = %q", got)
	}
}

// Two runs with different output folders and one database: the second is
// locked out of the database (exit status 4), rather than deleting the
// first one's database in progress.
func TestDatabaseIsLockedAcrossOutputFolders(t *testing.T) {
	db := filepath.Join(t.TempDir(), "shared.duckdb")
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	a := Settings{Out: filepath.Join(t.TempDir(), "a")}
	w, err := openWorkspace(&a, db, log)
	if err != nil {
		t.Fatal(err)
	}
	staged := db + stagedDBSuffix + filepath.Base(w.stage)
	put(t, staged, "in progress")
	b := Settings{Out: filepath.Join(t.TempDir(), "b")}
	if w2, err := openWorkspace(&b, db, log); err == nil {
		w2.close()
		t.Error("a second run took the database")
	} else if le, ok := err.(*LockError); !ok || ExitStatus(err) != 4 || !strings.Contains(le.Error(), "database") {
		t.Errorf("err = %v, want a LockError on the database", err)
	}
	if got := read(t, staged); got != "in progress" {
		t.Errorf("the first run's database: %q", got)
	}
	w.close()
}

// The database is the owner's only whatever the outputs' mode, and so is
// the previous one kept while the new one moves in: a commit that fails
// puts back a previous database closed to the group.
func TestCommitKeepsTheDatabaseOwnersOnly(t *testing.T) {
	out := t.TempDir()
	db := filepath.Join(out, "lacaudit.duckdb")
	put(t, db, "old db")
	os.Chmod(db, 0o640) // as an earlier version left it
	stage := filepath.Join(out, stagePrefix+"x")
	os.Mkdir(stage, 0o700)
	staged := db + stagedDBSuffix + "x"
	put(t, staged, "new db")
	put(t, filepath.Join(stage, "findings.csv"), "new")
	moves := []move{{Staged: staged, Target: db},
		{Staged: filepath.Join(stage, "findings.csv"), Target: filepath.Join(out, "findings.csv")}}
	if err := commit(stage, moves, 0o640); err != nil {
		t.Fatal(err)
	}
	for f, want := range map[string]os.FileMode{"lacaudit.duckdb": 0o600, "findings.csv": 0o640} {
		if st, err := os.Stat(filepath.Join(out, f)); err != nil || st.Mode().Perm() != want {
			t.Errorf("%s: %v, want %v", f, err, want)
		}
	}
	// A failing commit: findings.csv cannot replace a folder of that name.
	os.Chmod(db, 0o640)
	put(t, staged, "newer db")
	os.Remove(filepath.Join(out, "findings.csv"))
	os.MkdirAll(filepath.Join(out, "findings.csv", "x"), 0o700)
	put(t, filepath.Join(stage, "findings.csv"), "newer")
	moves = []move{{Staged: staged, Target: db},
		{Staged: filepath.Join(stage, "findings.csv"), Target: filepath.Join(out, "findings.csv")}}
	if err := commit(stage, moves, 0o640); err == nil {
		t.Fatal("commit over a folder succeeded")
	}
	if read(t, db) != "new db" {
		t.Fatalf("database not restored: %q", read(t, db))
	}
	if st, _ := os.Stat(db); st.Mode().Perm() != 0o600 {
		t.Errorf("restored database has mode %v, want 0600", st.Mode().Perm())
	}
}

// publishFixture is an output folder and a database folder holding the
// outputs of one night, and a staging folder holding the next night's,
// ready to commit. The new night has a workbook of its own date.
func publishFixture(t *testing.T) (out, stage, db string, moves []move) {
	t.Helper()
	out, dbDir := t.TempDir(), t.TempDir()
	db = filepath.Join(dbDir, DBFileName)
	for _, f := range []string{"findings.csv", "rejects.csv", "lacaudit-2026-11-01.xlsx", LatestWorkbook} {
		put(t, filepath.Join(out, f), "old "+f)
	}
	put(t, db, "old db")
	stage = filepath.Join(out, stagePrefix+"next")
	if err := os.Mkdir(stage, 0o700); err != nil {
		t.Fatal(err)
	}
	for _, f := range []string{"findings.csv", "rejects.csv", "lacaudit-2026-11-02.xlsx", LatestWorkbook} {
		put(t, filepath.Join(stage, f), "new "+f)
		moves = append(moves, move{Staged: filepath.Join(stage, f), Target: filepath.Join(out, f)})
	}
	staged := db + stagedDBSuffix + filepath.Base(stage)
	put(t, staged, "new db")
	moves = append(moves, move{Staged: staged, Target: db})
	return out, stage, db, moves
}

// published is what a reader sees: each output's content, and the database's.
func published(t *testing.T, out, db string) map[string]string {
	t.Helper()
	m := map[string]string{}
	content := func(path string) string {
		b, err := os.ReadFile(path)
		if os.IsNotExist(err) {
			return "(absent)"
		}
		if err != nil {
			t.Fatal(err)
		}
		return string(b)
	}
	for _, f := range []string{"findings.csv", "rejects.csv", "lacaudit-2026-11-01.xlsx", "lacaudit-2026-11-02.xlsx", LatestWorkbook} {
		m[f] = content(filepath.Join(out, f))
	}
	m["db"] = content(db)
	return m
}

func sameSet(a, b map[string]string) bool {
	for k, v := range a {
		if b[k] != v {
			return false
		}
	}
	return len(a) == len(b)
}

// A publication killed after any one of its steps leaves either the
// previous set, the new set, or a mixed set with its manifest; the next
// command in the folder (recoverOutputs, which run and annual do first)
// then leaves exactly one whole set: the previous one when the kill came
// before the manifest was removed, the new one after. Nothing of the
// commit is left behind.
func TestCommitKilledAtEveryStep(t *testing.T) {
	defer func(f func(string)) { commitStep = f }(commitStep)
	var steps []string
	commitStep = func(s string) { steps = append(steps, s) }
	out, stage, db, moves := publishFixture(t)
	old := published(t, out, db)
	if err := commit(stage, moves, 0o600); err != nil {
		t.Fatal(err)
	}
	fresh := published(t, out, db)
	if fresh["lacaudit-2026-11-01.xlsx"] != old["lacaudit-2026-11-01.xlsx"] || fresh["db"] != "new db" || fresh[LatestWorkbook] != "new "+LatestWorkbook {
		t.Fatalf("a whole commit published %v", fresh)
	}
	committed := -1
	for i, s := range steps {
		if s == "remove the manifest" {
			committed = i
		}
	}
	if len(steps) < 8 || committed < 0 {
		t.Fatalf("steps %q", steps)
	}
	for k := range steps {
		out, stage, db, moves := publishFixture(t)
		n := 0
		commitStep = func(string) {
			if n == k {
				runtime.Goexit() // the kill: nothing after this step runs
			}
			n++
		}
		done := make(chan struct{})
		go func() {
			defer close(done)
			_ = commit(stage, moves, 0o600)
		}()
		<-done
		commitStep = func(string) {}
		seen := published(t, out, db)
		_, err := os.Lstat(filepath.Join(stage, manifestName))
		manifest := err == nil
		if !sameSet(seen, old) && !sameSet(seen, fresh) && !manifest {
			t.Errorf("killed after %q: a mixed set and no manifest to undo it: %v", steps[k], seen)
		}
		if _, err := recoverOutputs(out, db); err != nil {
			t.Fatalf("killed after %q: recover: %v", steps[k], err)
		}
		want, which := old, "the previous"
		if k >= committed {
			want, which = fresh, "the new"
		}
		if got := published(t, out, db); !sameSet(got, want) {
			t.Errorf("killed after %q, then recovered: %v, want %s set %v", steps[k], got, which, want)
		}
		for _, dir := range []string{out, filepath.Dir(db)} {
			entries, _ := os.ReadDir(dir)
			for _, e := range entries {
				if strings.Contains(e.Name(), ".lacaudit-") {
					t.Errorf("killed after %q, then recovered: %s left", steps[k], e.Name())
				}
			}
		}
	}
	t.Logf("killed after each of %d steps: %q", len(steps), steps)
}

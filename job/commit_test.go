package job

import (
	"os"
	"path/filepath"
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
	put(t, filepath.Join(out, "a.csv"), "old a")
	put(t, filepath.Join(out, "db"), "old db")
	stage := filepath.Join(out, stagePrefix+"killed")
	os.MkdirAll(filepath.Join(stage, "previous"), 0o700)
	put(t, filepath.Join(stage, "a.csv"), "new a")
	put(t, filepath.Join(stage, "c.csv"), "new c")
	put(t, filepath.Join(out, "db"+stagedDBSuffix+"killed"), "new db")
	// What commit had done when it was killed: backups and manifest written,
	// a.csv and c.csv (which had no previous version) moved, the db not yet.
	os.Link(filepath.Join(out, "a.csv"), filepath.Join(stage, "previous", "0-a.csv"))
	os.Link(filepath.Join(out, "db"), filepath.Join(stage, "previous", "2-db"))
	moves := []move{
		{Staged: filepath.Join(stage, "a.csv"), Target: filepath.Join(out, "a.csv"), Backup: filepath.Join(stage, "previous", "0-a.csv")},
		{Staged: filepath.Join(stage, "c.csv"), Target: filepath.Join(out, "c.csv")},
		{Staged: filepath.Join(out, "db"+stagedDBSuffix+"killed"), Target: filepath.Join(out, "db"), Backup: filepath.Join(stage, "previous", "2-db")},
	}
	if err := writeSynced(filepath.Join(stage, manifestName), moves); err != nil {
		t.Fatal(err)
	}
	os.Rename(filepath.Join(stage, "a.csv"), filepath.Join(out, "a.csv"))
	os.Rename(filepath.Join(stage, "c.csv"), filepath.Join(out, "c.csv"))

	n, err := recoverOutputs(out, filepath.Join(out, "db"))
	if err != nil || n != 1 {
		t.Fatalf("recover: %d, %v", n, err)
	}
	if got := read(t, filepath.Join(out, "a.csv")); got != "old a" {
		t.Errorf("a.csv = %q, want the previous output", got)
	}
	if got := read(t, filepath.Join(out, "db")); got != "old db" {
		t.Errorf("db = %q, want the previous database", got)
	}
	if _, err := os.Stat(filepath.Join(out, "c.csv")); !os.IsNotExist(err) {
		t.Error("c.csv, new in the killed run, is still there")
	}
	entries, _ := os.ReadDir(out)
	if len(entries) != 2 {
		t.Errorf("left in the folder: %v", entries)
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

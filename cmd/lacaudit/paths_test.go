package main

import (
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

// --db naming an output, the lock file or a folder, and a symbolic link at
// the database's path (named by --db or planted at lacaudit.duckdb), are
// refused in one line with exit status 2, and nothing is replaced or
// changed through the link.
func TestDatabasePathIsNeverAnOutputOrALink(t *testing.T) {
	out := t.TempDir()
	if r := lacaudit(t, "run", "--as-of", goldenAsOf, "--out", out); r.code != 0 {
		t.Fatal(r.stderr)
	}
	before := outputsOf(t, out)
	victim := filepath.Join(t.TempDir(), "victim")
	os.WriteFile(victim, []byte("precious"), 0o600)
	os.Chmod(victim, 0o644)
	os.Symlink(victim, filepath.Join(out, "link.duckdb"))
	before["link.duckdb"] = sum(t, victim)
	for _, c := range []struct{ db, want string }{
		{"latest.xlsx", "must end in .duckdb"},
		{"findings.csv", "must end in .duckdb"},
		{"rejects.csv", "must end in .duckdb"},
		{"lacaudit-" + goldenAsOf + ".xlsx", "must end in .duckdb"},
		{".lacaudit.lock", "must end in .duckdb"},
		{".", "is a folder, not a file"},
		{"link.duckdb", "is a symbolic link"},
	} {
		r := lacaudit(t, "run", "--as-of", goldenAsOf, "--out", out, "--db", filepath.Join(out, c.db))
		if r.code != 2 || !strings.Contains(r.stderr, c.want) || strings.Count(strings.TrimSpace(r.stderr), "\n") != 0 {
			t.Errorf("--db %s: exit %d: %s", c.db, r.code, r.stderr)
		}
	}
	sameOutputs(t, "after the refusals", outputsOf(t, out), before)
	// A link planted at the default database's place.
	linked := t.TempDir()
	os.Symlink(victim, filepath.Join(linked, "lacaudit.duckdb"))
	if r := lacaudit(t, "run", "--as-of", goldenAsOf, "--out", linked); r.code != 2 || !strings.Contains(r.stderr, "is a symbolic link") {
		t.Errorf("a link at lacaudit.duckdb: exit %d: %s", r.code, r.stderr)
	}
	if st, err := os.Stat(victim); err != nil || st.Mode().Perm() != 0o644 || sum(t, victim) != before["link.duckdb"] {
		t.Errorf("the link's target changed: %v", modeOf(st, err))
	}
	if st, err := os.Lstat(filepath.Join(linked, "lacaudit.duckdb")); err != nil || st.Mode()&os.ModeSymlink == 0 {
		t.Error("the link was replaced")
	}
}

// --input naming a file, like a missing folder, is input that cannot be
// used: exit status 3, saying so.
func TestInputFileIsNotAFolder(t *testing.T) {
	file := filepath.Join(t.TempDir(), "episodes.csv")
	os.WriteFile(file, []byte("CHILD\n"), 0o600)
	for _, cmd := range [][]string{
		{"run", "--out", t.TempDir()},
		{"check"},
		{"annual", "--year", "2025", "--out", t.TempDir()},
	} {
		r := lacaudit(t, append(cmd, "--input", file, "--as-of", goldenAsOf)...)
		if r.code != 3 || !strings.Contains(r.stderr, "is a file, not a folder") {
			t.Errorf("%s: exit %d: %s", cmd[0], r.code, r.stderr)
		}
	}
}

// An empty key file is named as such, and a key file of another user is
// refused.
func TestKeyFileEmptyOrAnotherUsers(t *testing.T) {
	dir := t.TempDir()
	empty := filepath.Join(dir, "empty")
	os.WriteFile(empty, nil, 0o600)
	r := lacaudit(t, "run", "--as-of", goldenAsOf, "--out", t.TempDir(), "--pseudonymise", "--pseudonymise-key-file", empty)
	if r.code != 2 || !strings.Contains(r.stderr, "key file "+empty+" is empty") {
		t.Errorf("empty key file: exit %d: %s", r.code, r.stderr)
	}
	if os.Geteuid() != 0 {
		t.Skip("giving a file to another user needs root")
	}
	key := newKey(t)
	if err := os.Chown(key, 54321, 54321); err != nil {
		t.Fatal(err)
	}
	r = lacaudit(t, "run", "--as-of", goldenAsOf, "--out", t.TempDir(), "--pseudonymise", "--pseudonymise-key-file", key)
	if r.code != 2 || !strings.Contains(r.stderr, "does not belong to this user") {
		t.Errorf("another user's key file: exit %d: %s", r.code, r.stderr)
	}
}

// With --log-format json, a flag that does not parse is reported as one
// JSON object too.
func TestFlagErrorIsJSONWhenAsked(t *testing.T) {
	for _, args := range [][]string{
		{"run", "--log-format", "json", "--bogus"},
		{"run", "--bogus", "--log-format=json"},
		{"annual", "--log-format", "json", "--year", "x"},
	} {
		r := lacaudit(t, args...)
		var line struct {
			Level      string `json:"level"`
			Msg        string `json:"msg"`
			ExitStatus int    `json:"exit_status"`
		}
		if r.code != 2 || json.Unmarshal([]byte(r.stderr), &line) != nil || line.Level != "ERROR" || line.ExitStatus != 2 || line.Msg == "" {
			t.Errorf("%q: exit %d: %s", args, r.code, r.stderr)
		}
	}
	if r := lacaudit(t, "run", "--bogus"); r.code != 2 || strings.HasPrefix(r.stderr, "{") {
		t.Errorf("text logs: exit %d: %s", r.code, r.stderr)
	}
}

// A run on the bundled sample (no --input) keeps its copy of the sample
// in its private staging folder: killed, it leaves nothing in the
// temporary folder, and the next run in the output folder removes it.
func TestKilledSampleRunLeavesNoCopy(t *testing.T) {
	tmp, out := t.TempDir(), t.TempDir()
	cmd := exec.Command(binary, "run", "--as-of", goldenAsOf, "--out", out)
	cmd.Env = append(os.Environ(), "TMPDIR="+tmp)
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(20 * time.Second)
	for {
		// The sample copied, wherever it goes: then the kill.
		staged, _ := filepath.Glob(filepath.Join(out, ".lacaudit-run-*", "sample", "*"))
		temp, _ := filepath.Glob(filepath.Join(tmp, "lacaudit-sample-*", "*"))
		if len(staged)+len(temp) > 0 || time.Now().After(deadline) {
			break
		}
		time.Sleep(5 * time.Millisecond)
	}
	_ = cmd.Process.Signal(syscall.SIGKILL)
	_ = cmd.Wait()
	if left, _ := filepath.Glob(filepath.Join(tmp, "lacaudit-sample-*")); len(left) > 0 {
		t.Errorf("left in the temporary folder: %v", left)
	}
	if staged, _ := filepath.Glob(filepath.Join(out, ".lacaudit-run-*", "sample")); len(staged) == 0 {
		t.Error("the sample was not copied into the staging folder")
	}
	if r := lacaudit(t, "run", "--as-of", goldenAsOf, "--out", out); r.code != 0 {
		t.Fatal(r.stderr)
	}
	if left, _ := filepath.Glob(filepath.Join(out, ".lacaudit-run-*")); len(left) > 0 {
		t.Errorf("left in the output folder: %v", left)
	}
}

// A run with --db in another folder killed between two renames: annual
// without --db refuses, saying to run again with that --db (never to
// remove the folder), and moves nothing; annual with it puts the previous
// outputs back.
func TestAnnualRecoversWithTheRunsDatabase(t *testing.T) {
	out, dbDir := t.TempDir(), t.TempDir()
	db := filepath.Join(dbDir, "a.duckdb")
	if r := lacaudit(t, "run", "--as-of", goldenAsOf, "--out", out, "--db", db); r.code != 0 {
		t.Fatal(r.stderr)
	}
	before := outputsOf(t, out)
	dbBefore := sum(t, db)
	// As job/commit.go leaves a publication killed after findings.csv
	// and before the database.
	stage := filepath.Join(out, ".lacaudit-run-killed")
	os.MkdirAll(filepath.Join(stage, "previous"), 0o700)
	if err := os.Link(filepath.Join(out, "findings.csv"), filepath.Join(stage, "previous", "0-findings.csv")); err != nil {
		t.Fatal(err)
	}
	if err := os.Link(db, db+".lacaudit-old-.lacaudit-run-killed"); err != nil {
		t.Fatal(err)
	}
	os.WriteFile(db+".lacaudit-new-.lacaudit-run-killed", []byte("the killed run's database"), 0o600)
	manifest := `{"db_folder": "` + dbDir + `", "moves": [
		{"folder": "out", "target": "findings.csv", "staged": "findings.csv", "backup": "0-findings.csv"},
		{"folder": "db", "target": "a.duckdb", "staged": "a.duckdb.lacaudit-new-.lacaudit-run-killed", "backup": "a.duckdb.lacaudit-old-.lacaudit-run-killed"}]}`
	os.WriteFile(filepath.Join(stage, "commit.json"), []byte(manifest), 0o600)
	os.WriteFile(filepath.Join(stage, "findings.csv"), []byte("the killed run's findings"), 0o600)
	os.Rename(filepath.Join(stage, "findings.csv"), filepath.Join(out, "findings.csv"))
	mixed := outputsOf(t, out)

	r := lacaudit(t, "annual", "--year", "2025", "--as-of", goldenAsOf, "--out", out)
	if r.code != 2 || !strings.Contains(r.stderr, "--db "+db) || strings.Contains(r.stderr, "remove") {
		t.Errorf("annual without --db: exit %d: %s", r.code, r.stderr)
	}
	sameOutputs(t, "annual without --db", outputsOf(t, out), mixed)
	r = lacaudit(t, "annual", "--year", "2025", "--as-of", goldenAsOf, "--out", out, "--db", db)
	if r.code != 0 || !strings.Contains(r.stderr, "the outputs before it were restored") {
		t.Fatalf("annual --db: exit %d: %s", r.code, r.stderr)
	}
	got := outputsOf(t, out)
	delete(got, "lacaudit-annual-2025-26.xlsx")
	sameOutputs(t, "annual --db", got, before)
	if sum(t, db) != dbBefore {
		t.Error("the database is not the previous one")
	}
	if left, _ := filepath.Glob(filepath.Join(dbDir, "*.lacaudit-*")); len(left) > 0 {
		t.Errorf("left beside the database: %v", left)
	}
}

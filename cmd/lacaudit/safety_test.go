package main

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/base64"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"

	"github.com/lacaudit/lacaudit/pseudonym"
	"github.com/lacaudit/lacaudit/store"
)

// outputsOf hashes every file a run leaves in out (the lock files aside).
func outputsOf(t *testing.T, out string) map[string][32]byte {
	t.Helper()
	entries, err := os.ReadDir(out)
	if err != nil {
		t.Fatal(err)
	}
	m := map[string][32]byte{}
	for _, e := range entries {
		if e.Name() == ".lacaudit.lock" || e.Name() == ".lacaudit.duckdb.lock" {
			continue
		}
		if e.IsDir() {
			m[e.Name()+"/"] = [32]byte{}
			continue
		}
		m[e.Name()] = sum(t, filepath.Join(out, e.Name()))
	}
	return m
}

func sameOutputs(t *testing.T, label string, got, want map[string][32]byte) {
	t.Helper()
	for f, h := range want {
		if got[f] != h {
			t.Errorf("%s: %s changed", label, f)
		}
	}
	for f := range got {
		if _, ok := want[f]; !ok {
			t.Errorf("%s: %s left behind", label, f)
		}
	}
}

// A run killed with SIGKILL at any moment leaves the previous outputs
// exactly as they were; the next run succeeds and writes what a clean run
// writes.
func TestKilledRunLeavesPreviousOutputs(t *testing.T) {
	if testing.Short() {
		t.Skip("kill test skipped with -short")
	}
	first, second := t.TempDir(), t.TempDir()
	if r := lacaudit(t, "sample", "--children", "400", "--seed", "11", "--extract-date", goldenAsOf, "--out", first); r.code != 0 {
		t.Fatal(r.stderr)
	}
	if r := lacaudit(t, "sample", "--children", "15000", "--seed", "12", "--extract-date", goldenAsOf, "--out", second); r.code != 0 {
		t.Fatal(r.stderr)
	}
	out := t.TempDir()
	if r := lacaudit(t, "run", "--input", first, "--as-of", goldenAsOf, "--out", out); r.code != 0 {
		t.Fatal(r.stderr)
	}
	before := outputsOf(t, out)
	// Time a whole run of the larger extract, then kill runs part-way.
	t0 := time.Now()
	clean := t.TempDir()
	if r := lacaudit(t, "run", "--input", second, "--as-of", goldenAsOf, "--out", clean); r.code != 0 {
		t.Fatal(r.stderr)
	}
	whole := time.Since(t0)
	fresh := outputsOf(t, clean)
	for _, frac := range []float64{0.05, 0.3, 0.6, 0.85, 0.97} {
		cmd := exec.Command(binary, "run", "--input", second, "--as-of", goldenAsOf, "--out", out)
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		time.Sleep(time.Duration(frac * float64(whole)))
		_ = cmd.Process.Signal(syscall.SIGKILL)
		err := cmd.Wait()
		if err == nil {
			// It finished before the kill: start again from the previous
			// outputs (a much smaller extract, so the fall is accepted).
			if r := lacaudit(t, "run", "--input", first, "--as-of", goldenAsOf, "--out", out, "--accept-drop"); r.code != 0 {
				t.Fatal(r.stderr)
			}
			before = outputsOf(t, out)
			continue
		}
		label := fmt.Sprintf("killed at %.0f%%", 100*frac)
		// Killed while moving its outputs into place (between two renames),
		// the run leaves its manifest: the next run, even one that then
		// fails on its input, first puts the previous outputs back.
		if m, _ := filepath.Glob(filepath.Join(out, ".lacaudit-run-*", "commit.json")); len(m) > 0 {
			if r := lacaudit(t, "run", "--input", filepath.Join(t.TempDir(), "missing"), "--as-of", goldenAsOf, "--out", out); r.code != 3 {
				t.Fatalf("%s, during its commit: the next run exited %d: %s", label, r.code, r.stderr)
			}
			sameOutputs(t, label+", during its commit, then recovered", outputsOf(t, out), before)
			continue
		}
		after := outputsOf(t, out)
		// The staging folder of the killed run may remain until the next
		// run tidies it.
		for f := range after {
			if strings.HasPrefix(f, ".lacaudit-run-") || strings.Contains(f, ".lacaudit-new-") {
				delete(after, f)
			}
		}
		// Killed after its commit (while tidying up), the run has replaced
		// every output with a complete new set; killed before it, none.
		// Never a mix. (A file whose new content is the same as the old,
		// such as a rejects.csv with no rows in either, cannot tell.)
		if after["findings.csv"] == fresh["findings.csv"] {
			for f, h := range before {
				if after[f] == h && fresh[f] != h {
					t.Errorf("%s, after its commit: %s is still the previous one", label, f)
				}
			}
			if len(after) != len(before) {
				t.Errorf("%s, after its commit: files %v, before %v", label, after, before)
			}
			before = after
			continue
		}
		sameOutputs(t, label, after, before)
	}
	if r := lacaudit(t, "run", "--input", second, "--as-of", goldenAsOf, "--out", out); r.code != 0 {
		t.Fatalf("the run after the kills failed: %s", r.stderr)
	}
	if sum(t, filepath.Join(out, "findings.csv")) != sum(t, filepath.Join(clean, "findings.csv")) {
		t.Error("the run after the kills wrote different findings from a clean run")
	}
	for f := range outputsOf(t, out) {
		if strings.HasPrefix(f, ".lacaudit-run-") || strings.Contains(f, ".lacaudit-new-") {
			t.Errorf("%s left behind after a successful run", f)
		}
	}
}

// A second run on an output folder whose lock is held exits 4 and names
// the process that holds it.
func TestSecondRunIsLockedOut(t *testing.T) {
	out := t.TempDir()
	f, err := os.OpenFile(filepath.Join(out, ".lacaudit.lock"), os.O_RDWR|os.O_CREATE, 0o600)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB); err != nil {
		t.Fatal(err)
	}
	f.WriteString(strconv.Itoa(os.Getpid()) + "\n")
	r := lacaudit(t, "run", "--as-of", goldenAsOf, "--out", out)
	if r.code != 4 || !strings.Contains(r.stderr, fmt.Sprintf("process %d", os.Getpid())) {
		t.Errorf("exit %d, stderr %s", r.code, r.stderr)
	}
	syscall.Flock(int(f.Fd()), syscall.LOCK_UN)
	// A lock left by a process that has gone is simply taken over.
	if r := lacaudit(t, "run", "--as-of", goldenAsOf, "--out", out); r.code != 0 {
		t.Errorf("after the lock was released: exit %d, %s", r.code, r.stderr)
	}
}

// Two runs started together: one writes, the other is locked out (4).
func TestConcurrentRuns(t *testing.T) {
	in := t.TempDir()
	if r := lacaudit(t, "sample", "--children", "5000", "--extract-date", goldenAsOf, "--out", in); r.code != 0 {
		t.Fatal(r.stderr)
	}
	out := t.TempDir()
	var cmds []*exec.Cmd
	var errs []*bytes.Buffer
	for i := 0; i < 2; i++ {
		c := exec.Command(binary, "run", "--input", in, "--as-of", goldenAsOf, "--out", out)
		var e bytes.Buffer
		c.Stderr = &e
		if err := c.Start(); err != nil {
			t.Fatal(err)
		}
		cmds, errs = append(cmds, c), append(errs, &e)
	}
	codes := map[int]int{}
	for i, c := range cmds {
		err := c.Wait()
		code := 0
		if ee, ok := err.(*exec.ExitError); ok {
			code = ee.ExitCode()
		}
		codes[code]++
		if code == 4 && !strings.Contains(errs[i].String(), "another lacaudit run") {
			t.Errorf("locked-out run said %s", errs[i])
		}
	}
	if codes[0] != 1 || codes[4] != 1 {
		t.Errorf("exit codes %v, want one 0 and one 4", codes)
	}
}

// Nothing the program prints, on success or failure, in either log format,
// names a child, gives a date of birth or a worker's name.
func TestLogsNeverNameAChild(t *testing.T) {
	in := t.TempDir()
	files := map[string]string{
		"header.csv":      "CHILD,DOB\nZZCHILD001,17/03/2011\nZZCHILD002,29/02/2012\n",
		"episodes.csv":    "CHILD,DECOM,RNE,LS,PLACE,DEC,REC\nZZCHILD001,01/03/2024,S,C2,U3,,\nZZCHILD002,01/03/2024,S,C2,U3,,\nZZCHILD404,02/03/2024,S,C2,U3,,\n",
		"reviews.csv":     "CHILD,REVIEW\nZZCHILD001,20/03/2024\nZZCHILD001,not-a-date\nZZCHILD002,21/03/2024,extra\nZZCHILD002,22/03/2024\n",
		"allocations.csv": "CHILD,ROLE,WORKER,START,END\nZZCHILD001,SW,Wanda Secretname,2024-03-01,\n",
	}
	for name, content := range files {
		os.WriteFile(filepath.Join(in, name), []byte(content), 0o600)
	}
	secrets := []string{"ZZCHILD", "17/03/2011", "2011-03-17", "29/02/2012", "Secretname"}
	check := func(label string, r result) {
		t.Helper()
		for _, s := range secrets {
			if strings.Contains(r.stdout, s) || strings.Contains(r.stderr, s) {
				t.Errorf("%s printed %q:\nstdout: %s\nstderr: %s", label, s, r.stdout, r.stderr)
			}
		}
	}
	// Over the rejected-row threshold (2 of 4 reviews): exit 3.
	r := lacaudit(t, "run", "--input", in, "--as-of", goldenAsOf, "--out", t.TempDir())
	if r.code != 3 {
		t.Fatalf("exit %d: %s", r.code, r.stderr)
	}
	check("failed run", r)
	cfg := filepath.Join(t.TempDir(), "c.conf")
	os.WriteFile(cfg, []byte("reject_threshold_percent = 60\n"), 0o600)
	for _, format := range []string{"text", "json"} {
		r := lacaudit(t, "run", "--input", in, "--as-of", goldenAsOf, "--out", t.TempDir(), "--config", cfg, "--log-format", format)
		if r.code != 0 {
			t.Fatalf("exit %d: %s", r.code, r.stderr)
		}
		check("run with "+format+" logs", r)
	}
	check("check", lacaudit(t, "check", "--input", in, "--as-of", goldenAsOf, "--config", cfg))
	os.WriteFile(filepath.Join(in, "episodes.csv"), []byte("CHILD,DECOM\nZZCHILD001,01/03/2024\n"), 0o600)
	check("missing column", lacaudit(t, "run", "--input", in, "--as-of", goldenAsOf, "--out", t.TempDir()))
}

// Folders with spaces, quotes and letters beyond ASCII work, and output
// files and a new output folder are private to the owner.
func TestAwkwardPathsAndPermissions(t *testing.T) {
	base := t.TempDir()
	in := filepath.Join(base, "the 903 'extract' — Ünïcode")
	out := filepath.Join(base, `reports "nightly" ü`, "new folder")
	if r := lacaudit(t, "sample", "--children", "40", "--extract-date", goldenAsOf, "--out", in); r.code != 0 {
		t.Fatal(r.stderr)
	}
	r := lacaudit(t, "run", "--input", in, "--as-of", goldenAsOf, "--out", out)
	if r.code != 0 {
		t.Fatalf("exit %d: %s", r.code, r.stderr)
	}
	st, err := os.Stat(out)
	if err != nil {
		t.Fatal(err)
	}
	if st.Mode().Perm() != 0o700 {
		t.Errorf("new output folder has mode %v, want 0700", st.Mode().Perm())
	}
	for f := range outputsOf(t, out) {
		st, _ := os.Stat(filepath.Join(out, f))
		if st.Mode().Perm() != 0o600 {
			t.Errorf("%s has mode %v, want 0600", f, st.Mode().Perm())
		}
	}
	group := filepath.Join(base, "group")
	if r := lacaudit(t, "run", "--input", in, "--as-of", goldenAsOf, "--out", group, "--file-mode", "0640"); r.code != 0 {
		t.Fatal(r.stderr)
	}
	if st, _ := os.Stat(filepath.Join(group, "findings.csv")); st.Mode().Perm() != 0o640 {
		t.Errorf("--file-mode 0640 gave %v", st.Mode().Perm())
	}
	// The new output folder lets the group in to read them, whatever the
	// process's umask (077).
	if st, _ := os.Stat(group); st.Mode().Perm() != 0o750 {
		t.Errorf("--file-mode 0640 made the output folder %v, want 0750", st.Mode().Perm())
	}
	// The database holds the raw extract: the owner's only, whatever
	// --file-mode says, and one left group-readable by an earlier version
	// is closed again.
	db := filepath.Join(group, "lacaudit.duckdb")
	if st, err := os.Stat(db); err != nil || st.Mode().Perm() != 0o600 {
		t.Errorf("--file-mode 0640: database %v, want 0600", modeOf(st, err))
	}
	os.Chmod(db, 0o640)
	if r := lacaudit(t, "run", "--input", in, "--as-of", goldenAsOf, "--out", group, "--file-mode", "0640"); r.code != 0 {
		t.Fatal(r.stderr)
	}
	if st, err := os.Stat(db); err != nil || st.Mode().Perm() != 0o600 {
		t.Errorf("second --file-mode 0640 run: database %v, want 0600", modeOf(st, err))
	}
	if r := lacaudit(t, "run", "--file-mode", "0644x", "--out", group); r.code != 2 {
		t.Errorf("bad --file-mode: exit %d", r.code)
	}
}

// --pseudonymise leaves no child identifier or worker name in any output,
// and gives the same pseudonyms for the same key.
func TestPseudonymisedOutputs(t *testing.T) {
	in := t.TempDir()
	if r := lacaudit(t, "sample", "--children", "60", "--extract-date", goldenAsOf, "--out", in); r.code != 0 {
		t.Fatal(r.stderr)
	}
	keyFile := newKey(t)
	run := func(extra ...string) string {
		out := t.TempDir()
		args := append([]string{"run", "--input", in, "--as-of", goldenAsOf, "--out", out, "--pseudonymise"}, extra...)
		if r := lacaudit(t, args...); r.code != 0 {
			t.Fatalf("exit %d: %s", r.code, r.stderr)
		}
		return out
	}
	a := run("--pseudonymise-key-file", keyFile)
	b := run("--pseudonymise-key-file", keyFile)
	if sum(t, filepath.Join(a, "findings.csv")) != sum(t, filepath.Join(b, "findings.csv")) {
		t.Error("two runs with the same key differ")
	}
	c := newKey(t)
	if sum(t, filepath.Join(run("--pseudonymise-key-file", c), "findings.csv")) == sum(t, filepath.Join(a, "findings.csv")) {
		t.Error("a different key gave the same pseudonyms")
	}
	// The identifiers and names of the extract appear in no output.
	var secrets []string
	for _, f := range []string{"header.csv", "allocations.csv"} {
		recs := findingsRows(t, filepath.Join(in, f))
		for _, r := range recs {
			secrets = append(secrets, r["CHILD"])
			if r["ROLE"] == "SW" || r["ROLE"] == "IRO" {
				secrets = append(secrets, r["WORKER"])
			}
		}
	}
	for _, f := range []string{"findings.csv", "latest.xlsx", "rejects.csv"} {
		b, err := os.ReadFile(filepath.Join(a, f))
		if err != nil {
			t.Fatal(err)
		}
		text := string(b)
		if strings.HasSuffix(f, ".xlsx") {
			text = xlsxText(t, filepath.Join(a, f))
		}
		for _, s := range secrets {
			if s != "" && strings.Contains(text, ","+s+",") || (len(s) > 8 && strings.Contains(text, s)) {
				t.Errorf("%s contains %q", f, s)
				break
			}
		}
	}
	// The database is compressed: ask it.
	db, err := store.Open(context.Background(), filepath.Join(a, "lacaudit.duckdb"), store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	for _, q := range []string{
		"SELECT count(*) FROM header WHERE child NOT LIKE 'C-%'",
		"SELECT count(*) FROM duckdb_columns() WHERE column_name IN ('upn', 'mc_dob', 'home_post', 'pl_post', 'urn') OR (table_name = 'qa_alerts' AND column_name = 'reason')",
		"SELECT count(*) FROM header WHERE day(dob) <> 1",
		"SELECT count(*) FROM qa_alerts WHERE alert_id NOT LIKE 'A-%'",
		"SELECT count(*) FROM episodes WHERE child NOT LIKE 'C-%'",
		"SELECT count(*) FROM allocations WHERE role IN ('SW', 'IRO') AND worker NOT LIKE 'W-%'",
		"SELECT count(*) FROM findings WHERE child NOT LIKE 'C-%' OR social_worker::VARCHAR NOT LIKE 'W-%' OR iro::VARCHAR NOT LIKE 'W-%'",
		"SELECT count(*) FROM dq_warnings WHERE child NOT LIKE 'C-%'",
	} {
		var n int
		if err := db.QueryRow(q).Scan(&n); err != nil || n != 0 {
			t.Errorf("%s: %d (%v)", q, n, err)
		}
	}
	db.Close()
	rows := findingsRows(t, filepath.Join(a, "findings.csv"))
	if len(rows) == 0 || !strings.HasPrefix(rows[0]["child"], "C-") {
		t.Errorf("findings children are not pseudonyms: %v", rows[:1])
	}
	if r := lacaudit(t, "run", "--input", in, "--out", t.TempDir(), "--pseudonymise"); r.code != 2 || !strings.Contains(r.stderr, "needs a key") {
		t.Errorf("no key: exit %d, %s", r.code, r.stderr)
	}
	// A passphrase, a short key, or a key file others can read: refused.
	passphrase := filepath.Join(t.TempDir(), "passphrase")
	os.WriteFile(passphrase, []byte("a benchmarking group secret\n"), 0o600)
	short := filepath.Join(t.TempDir(), "short")
	os.WriteFile(short, []byte("c2l4dGVlbiBieXRlcyBsb25n\n"), 0o600)
	shared := newKey(t)
	os.Chmod(shared, 0o644)
	for _, f := range []string{passphrase, short, shared} {
		r := lacaudit(t, "run", "--input", in, "--out", t.TempDir(), "--pseudonymise", "--pseudonymise-key-file", f)
		if r.code != 2 || !strings.Contains(r.stderr, "pseudonymisation key") {
			t.Errorf("key %s: exit %d, %s", filepath.Base(f), r.code, r.stderr)
		}
	}
}

// newKey writes a pseudonymisation key file as README.md says to make one:
// 32 random bytes, base64-encoded, readable by its owner only.
func newKey(t *testing.T) string {
	t.Helper()
	b := make([]byte, 32)
	if _, err := rand.Read(b); err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "key")
	if err := os.WriteFile(path, []byte(base64.StdEncoding.EncodeToString(b)+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

// A pseudonymised run's database file holds none of the raw identifiers
// and names, not even in freed blocks: on an extract whose tables pass
// DuckDB's 122,880-row row groups, loading the raw extract into the file
// and overwriting it in place left nearly every child id and every worker's
// name in the file's bytes; writing a fresh file from the run's process
// left a worker's name in it in about one run in forty (the padding of its
// blocks). pseudonym's TestSharedDatabaseHoldsNothingOfTheRunsHeap shows
// that second leak every time, and that the child process that now writes
// the file does not carry it.
func TestPseudonymisedDatabaseFileHoldsNoRawRecord(t *testing.T) {
	in := t.TempDir()
	if r := lacaudit(t, "sample", "--children", "15000", "--seed", "5", "--extract-date", goldenAsOf, "--out", in); r.code != 0 {
		t.Fatal(r.stderr)
	}
	var visits int
	for _, r := range findingsRows(t, filepath.Join(in, "visits.csv")) {
		if r["CHILD"] != "" {
			visits++
		}
	}
	if visits <= 122_880 {
		t.Fatalf("the extract's largest table has %d rows, not more than a row group", visits)
	}
	out := t.TempDir()
	if r := lacaudit(t, "run", "--input", in, "--as-of", goldenAsOf, "--out", out, "--pseudonymise", "--pseudonymise-key-file", newKey(t)); r.code != 0 {
		t.Fatalf("exit %d: %s", r.code, r.stderr)
	}
	file, err := os.ReadFile(filepath.Join(out, "lacaudit.duckdb"))
	if err != nil {
		t.Fatal(err)
	}
	// Every run of six digits in the file (the sample's ids have six).
	digits := map[string]bool{}
	for i := 0; i+6 <= len(file); i++ {
		j := i
		for j < i+6 && file[j] >= '0' && file[j] <= '9' {
			j++
		}
		if j == i+6 {
			digits[string(file[i:j])] = true
		}
	}
	ids, found := 0, 0
	for _, r := range findingsRows(t, filepath.Join(in, "header.csv")) {
		ids++
		if digits[r["CHILD"]] {
			found++
		}
	}
	// The hex digits of the pseudonyms hold some six-digit runs by chance
	// (about 0.5 % of the ids); the raw extract left over 90 %.
	if found*20 > ids {
		t.Errorf("%d of %d child ids are in the database file's bytes", found, ids)
	}
	names := map[string]bool{}
	for _, r := range findingsRows(t, filepath.Join(in, "allocations.csv")) {
		if r["ROLE"] == "SW" || r["ROLE"] == "IRO" {
			names[r["WORKER"]] = true
		}
	}
	leaked := 0
	for n := range names {
		if i := bytes.Index(file, []byte(n)); i >= 0 {
			leaked++
			t.Logf("%q at byte %d: %q", n, i, file[max(0, i-60):min(len(file), i+len(n)+60)])
		}
	}
	if leaked > 0 {
		t.Errorf("%d of %d workers' names are in the database file's bytes", leaked, len(names))
	}
	// A child process wrote it from Parquet files in the staging folder:
	// the file is the owner's only, and nothing of the files is left.
	if st, err := os.Stat(filepath.Join(out, "lacaudit.duckdb")); err != nil || st.Mode().Perm() != 0o600 {
		t.Errorf("database %v, want 0600", modeOf(st, err))
	}
	left, _ := filepath.Glob(filepath.Join(out, ".*"))
	for _, f := range left {
		if b := filepath.Base(f); b != ".lacaudit.lock" && b != ".lacaudit.duckdb.lock" {
			t.Errorf("%s left in the output folder", b)
		}
	}
}

// The process that writes a pseudonymised run's shared database is a
// hidden command of the program: not in the help, and refused by hand
// without its arguments.
func TestSharedDatabaseWriterIsHidden(t *testing.T) {
	r := lacaudit(t, "help")
	if r.code != 0 || strings.Contains(r.stdout, pseudonym.WriterCommand) || strings.Contains(r.stdout, "internal") {
		t.Errorf("help: exit %d, lists the hidden command:\n%s", r.code, r.stdout)
	}
	r = lacaudit(t, pseudonym.WriterCommand)
	if r.code != 2 || strings.Count(r.stderr, "\n") != 1 || !strings.Contains(r.stderr, "started by lacaudit run --pseudonymise") {
		t.Errorf("by hand: exit %d, %q", r.code, r.stderr)
	}
}

// xlsxText is every cell of a workbook, comma-separated, one row a line.
func xlsxText(t *testing.T, path string) string {
	t.Helper()
	wb, err := excelize.OpenFile(path)
	if err != nil {
		t.Fatal(err)
	}
	defer wb.Close()
	var b strings.Builder
	for _, sh := range wb.GetSheetList() {
		rows, _ := wb.GetRows(sh)
		for _, r := range rows {
			b.WriteString("," + strings.Join(r, ",") + ",\n")
		}
	}
	return b.String()
}

// Nothing lacaudit creates is readable by others, whatever the umask it
// is started with: a sample's files and folder are the owner's only (the
// process umask is 077, which also covers the database and its WAL while a
// run builds them). Output and database folders that group or others can
// write to are refused, and --file-mode allows 0600 and 0640 only.
func TestNothingReadableOrWritableByOthers(t *testing.T) {
	old := syscall.Umask(0o022)
	defer syscall.Umask(old)
	base := t.TempDir()
	in := filepath.Join(base, "sample")
	if r := lacaudit(t, "sample", "--children", "30", "--extract-date", goldenAsOf, "--out", in); r.code != 0 {
		t.Fatal(r.stderr)
	}
	entries, _ := os.ReadDir(in)
	for _, e := range append(entries, nil) {
		path := in
		want := os.FileMode(0o700)
		if e != nil {
			path, want = filepath.Join(in, e.Name()), 0o600
		}
		if st, err := os.Stat(path); err != nil || st.Mode().Perm() != want {
			t.Errorf("%s: %v (%v), want %v", path, st.Mode().Perm(), err, want)
		}
	}
	for _, mode := range []os.FileMode{0o777, 0o775, 0o757} {
		out := filepath.Join(base, fmt.Sprintf("open-%o", mode))
		os.Mkdir(out, mode)
		os.Chmod(out, mode)
		if r := lacaudit(t, "run", "--input", in, "--as-of", goldenAsOf, "--out", out); r.code == 0 || !strings.Contains(r.stderr, "written by its group or others") {
			t.Errorf("output folder %o: exit %d, %s", mode, r.code, r.stderr)
		}
		if r := lacaudit(t, "run", "--input", in, "--as-of", goldenAsOf, "--out", filepath.Join(base, "private"), "--db", filepath.Join(out, "x.duckdb")); r.code == 0 || !strings.Contains(r.stderr, "written by its group or others") {
			t.Errorf("database folder %o: exit %d, %s", mode, r.code, r.stderr)
		}
	}
	for _, mode := range []string{"0777", "0644", "0660", "0666", "0700", "0604"} {
		if r := lacaudit(t, "run", "--input", in, "--as-of", goldenAsOf, "--out", filepath.Join(base, "modes"), "--file-mode", mode); r.code != 2 {
			t.Errorf("--file-mode %s: exit %d", mode, r.code)
		}
	}
}

// A symbolic link planted at the lock's name does not empty the file it
// points to.
func TestPlantedLockLinkIsNotFollowed(t *testing.T) {
	out := t.TempDir()
	victim := filepath.Join(t.TempDir(), "victim")
	os.WriteFile(victim, []byte("precious contents\n"), 0o600)
	os.Symlink(victim, filepath.Join(out, ".lacaudit.lock"))
	if r := lacaudit(t, "run", "--as-of", goldenAsOf, "--out", out); r.code == 0 {
		t.Error("the run used a planted lock link")
	}
	if b, _ := os.ReadFile(victim); string(b) != "precious contents\n" {
		t.Errorf("victim = %q", b)
	}
}

// Two runs sharing one --db with different output folders: while one holds
// the database, the other is locked out (exit status 4) and the database
// is left alone.
func TestRunsSharingADatabaseAreExclusive(t *testing.T) {
	dbDir := t.TempDir()
	db := filepath.Join(dbDir, "shared.duckdb")
	if r := lacaudit(t, "run", "--as-of", goldenAsOf, "--out", t.TempDir(), "--db", db); r.code != 0 {
		t.Fatal(r.stderr)
	}
	before := sum(t, db)
	// Hold the database's lock as a run in progress would.
	f, err := os.OpenFile(filepath.Join(dbDir, ".shared.duckdb.lock"), os.O_RDWR|os.O_CREATE, 0o600)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB); err != nil {
		t.Fatal(err)
	}
	r := lacaudit(t, "run", "--as-of", goldenAsOf, "--out", t.TempDir(), "--db", db)
	if r.code != 4 || !strings.Contains(r.stderr, "database") {
		t.Errorf("exit %d: %s", r.code, r.stderr)
	}
	if sum(t, db) != before {
		t.Error("the database changed under the run holding it")
	}
}

// A --db on another file system than the output folder works night after
// night (the previous database's backup was linked across file systems).
func TestDatabaseOnAnotherFileSystem(t *testing.T) {
	shm, err := os.MkdirTemp("/dev/shm", "lacaudit-test-")
	if err != nil {
		t.Skip("no /dev/shm")
	}
	defer os.RemoveAll(shm)
	out := t.TempDir()
	var a, b syscall.Stat_t
	if syscall.Stat(out, &a) != nil || syscall.Stat(shm, &b) != nil || a.Dev == b.Dev {
		t.Skip("/dev/shm is on the same file system as the temporary folder")
	}
	for night := 1; night <= 3; night++ {
		if r := lacaudit(t, "run", "--as-of", goldenAsOf, "--out", out, "--db", filepath.Join(shm, "lacaudit.duckdb")); r.code != 0 {
			t.Fatalf("night %d: exit %d: %s", night, r.code, r.stderr)
		}
	}
}

// bench works in a private temporary folder: a folder planted at the fixed
// name it used (or a link there to someone's folder) is neither used nor
// emptied.
func TestBenchWorksInAPrivateFolder(t *testing.T) {
	tmp := t.TempDir()
	victim := t.TempDir()
	os.MkdirAll(filepath.Join(victim, "sample-20"), 0o700)
	os.WriteFile(filepath.Join(victim, "sample-20", "keep"), []byte("precious"), 0o600)
	os.Symlink(victim, filepath.Join(tmp, "lacaudit-bench"))
	cmd := exec.Command(binary, "bench", "--sizes", "20", "--threads", "1")
	cmd.Env = append(os.Environ(), "TMPDIR="+tmp)
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("%v: %s", err, out)
	}
	if b, err := os.ReadFile(filepath.Join(victim, "sample-20", "keep")); err != nil || string(b) != "precious" {
		t.Errorf("the planted folder was emptied: %q, %v", b, err)
	}
	entries, _ := os.ReadDir(tmp)
	if len(entries) != 1 {
		t.Errorf("left in the temporary folder: %v", entries)
	}
}

// A recovery manifest planted in the output folder cannot make the next
// run delete or rename a file outside it: the run refuses it and the file
// stays.
func TestPlantedManifestIsRefused(t *testing.T) {
	out := t.TempDir()
	victim := filepath.Join(t.TempDir(), "victim")
	os.WriteFile(victim, []byte("precious"), 0o600)
	stage := filepath.Join(out, ".lacaudit-run-planted")
	os.Mkdir(stage, 0o700)
	manifest := fmt.Sprintf(`[{"staged": %q, "target": %q, "backup": ""}]`, filepath.Join(stage, "gone"), victim)
	os.WriteFile(filepath.Join(stage, "commit.json"), []byte(manifest), 0o600)
	r := lacaudit(t, "run", "--as-of", goldenAsOf, "--out", out)
	if b, err := os.ReadFile(victim); err != nil || string(b) != "precious" {
		t.Errorf("the planted manifest removed or changed %s: %q, %v", victim, b, err)
	}
	if r.code == 0 || !strings.Contains(r.stderr, "commit.json") {
		t.Errorf("exit %d: %s", r.code, r.stderr)
	}
}

// modeOf is a file's permissions, or why there are none, for a message.
func modeOf(st os.FileInfo, err error) string {
	if err != nil {
		return err.Error()
	}
	return st.Mode().Perm().String()
}

// interruptedPublication leaves out as a run killed between two renames
// leaves it: findings.csv and latest.xlsx are the killed run's, the rest
// the previous run's, and the staging folder holds the backups and the
// manifest (as job/commit.go writes them).
func interruptedPublication(t *testing.T, out string) {
	t.Helper()
	abs, err := filepath.Abs(out)
	if err != nil {
		t.Fatal(err)
	}
	stage := filepath.Join(out, ".lacaudit-run-killed")
	if err := os.MkdirAll(filepath.Join(stage, "previous"), 0o700); err != nil {
		t.Fatal(err)
	}
	manifest := `{"db_folder": "` + abs + `", "moves": [`
	for i, f := range []string{"findings.csv", "latest.xlsx"} {
		backup := fmt.Sprintf("%d-%s", i, f)
		if err := os.Link(filepath.Join(out, f), filepath.Join(stage, "previous", backup)); err != nil {
			t.Fatal(err)
		}
		if i > 0 {
			manifest += ", "
		}
		manifest += `{"folder": "out", "target": "` + f + `", "staged": "` + f + `", "backup": "` + backup + `"}`
	}
	manifest += `]}`
	if err := os.WriteFile(filepath.Join(stage, "commit.json"), []byte(manifest), 0o600); err != nil {
		t.Fatal(err)
	}
	for _, f := range []string{"findings.csv", "latest.xlsx"} {
		if err := os.WriteFile(filepath.Join(stage, f), []byte("the killed run's "+f), 0o600); err != nil {
			t.Fatal(err)
		}
		if err := os.Rename(filepath.Join(stage, f), filepath.Join(out, f)); err != nil {
			t.Fatal(err)
		}
	}
}

// Every command that writes into an output or database folder (run and
// annual; bench through run, in its own folder) first undoes a publication
// a kill interrupted, even when it then fails on its input. check reads the
// extracts only: it takes no output folder or database, so it has none to
// recover and cannot be pointed at one.
func TestEveryCommandRecoversFirst(t *testing.T) {
	in := t.TempDir()
	if r := lacaudit(t, "sample", "--children", "60", "--extract-date", goldenAsOf, "--out", in); r.code != 0 {
		t.Fatal(r.stderr)
	}
	out := t.TempDir()
	if r := lacaudit(t, "run", "--input", in, "--as-of", goldenAsOf, "--out", out); r.code != 0 {
		t.Fatal(r.stderr)
	}
	before := outputsOf(t, out)
	for _, c := range []struct {
		name string
		args []string
		code int
	}{
		{"run, failing on its input", []string{"run", "--input", filepath.Join(in, "missing"), "--as-of", goldenAsOf, "--out", out}, 3},
		{"annual", []string{"annual", "--year", "2025", "--input", in, "--as-of", goldenAsOf, "--out", out}, 0},
		{"annual, failing on its year", []string{"annual", "--year", "2027", "--input", in, "--as-of", goldenAsOf, "--out", out}, 3},
		{"run", []string{"run", "--input", in, "--as-of", goldenAsOf, "--out", out}, 0},
	} {
		interruptedPublication(t, out)
		r := lacaudit(t, c.args...)
		if r.code != c.code {
			t.Fatalf("%s: exit %d, want %d: %s", c.name, r.code, c.code, r.stderr)
		}
		if !strings.Contains(r.stderr, "the outputs before it were restored") {
			t.Errorf("%s: the recovery is not said: %s", c.name, r.stderr)
		}
		got := outputsOf(t, out)
		if c.name == "run" {
			// Its own outputs replace the restored ones: the same extract
			// gives the same findings.
			if got["findings.csv"] != before["findings.csv"] {
				t.Errorf("%s: findings.csv is not the run's", c.name)
			}
			continue
		}
		for f := range got {
			if strings.HasPrefix(f, "lacaudit-annual-") {
				delete(got, f)
			}
		}
		sameOutputs(t, c.name, got, before)
	}
	if r := lacaudit(t, "check", "--input", in, "--out", out); r.code != 2 || !strings.Contains(r.stderr, "unknown flag: --out") {
		t.Errorf("check --out: exit %d, %s", r.code, r.stderr)
	}
	if r := lacaudit(t, "check", "--input", in, "--db", filepath.Join(out, "lacaudit.duckdb")); r.code != 2 || !strings.Contains(r.stderr, "unknown flag: --db") {
		t.Errorf("check --db: exit %d, %s", r.code, r.stderr)
	}
}

// The process writing a pseudonymised run's shared database dies with the
// run: killed part-way, the run leaves no process writing beside the
// database while the next run starts.
func TestSharedDatabaseWriterDiesWithTheRun(t *testing.T) {
	if _, err := os.Stat("/proc/self/stat"); err != nil {
		t.Skip("needs /proc")
	}
	in := t.TempDir()
	if r := lacaudit(t, "sample", "--children", "15000", "--seed", "6", "--extract-date", goldenAsOf, "--out", in); r.code != 0 {
		t.Fatal(r.stderr)
	}
	cmd := exec.Command(binary, "run", "--input", in, "--as-of", goldenAsOf, "--out", t.TempDir(), "--pseudonymise", "--pseudonymise-key-file", newKey(t))
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	exited := make(chan error, 1)
	go func() { exited <- cmd.Wait() }()
	// The writer: a process of the run's whose command line names it.
	writer := func() int {
		procs, _ := os.ReadDir("/proc")
		for _, p := range procs {
			pid, err := strconv.Atoi(p.Name())
			if err != nil {
				continue
			}
			stat, err := os.ReadFile(filepath.Join("/proc", p.Name(), "stat"))
			line, _ := os.ReadFile(filepath.Join("/proc", p.Name(), "cmdline"))
			if err != nil || !bytes.Contains(line, []byte(pseudonym.WriterCommand)) {
				continue
			}
			f := strings.Fields(string(stat[bytes.LastIndexByte(stat, ')')+1:]))
			if len(f) > 1 && f[1] == strconv.Itoa(cmd.Process.Pid) {
				return pid
			}
		}
		return 0
	}
	child := 0
	for child == 0 {
		select {
		case err := <-exited:
			t.Fatalf("the run ended (%v) before its writer was seen", err)
		case <-time.After(2 * time.Millisecond):
		}
		child = writer()
	}
	// Held still, so that it cannot finish on its own before the check.
	_ = syscall.Kill(child, syscall.SIGSTOP)
	_ = cmd.Process.Signal(syscall.SIGKILL)
	<-exited
	alive := func() bool {
		stat, err := os.ReadFile(filepath.Join("/proc", strconv.Itoa(child), "stat"))
		if err != nil {
			return false
		}
		f := strings.Fields(string(stat[bytes.LastIndexByte(stat, ')')+1:]))
		return len(f) > 0 && f[0] != "Z" && f[0] != "X"
	}
	deadline := time.Now().Add(5 * time.Second)
	for alive() && time.Now().Before(deadline) {
		time.Sleep(10 * time.Millisecond)
	}
	if alive() {
		syscall.Kill(child, syscall.SIGKILL)
		t.Error("the shared database's writer outlived the run killed while it wrote")
	}
}

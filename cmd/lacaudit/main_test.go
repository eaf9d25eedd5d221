package main

import (
	"bytes"
	"crypto/sha256"
	"flag"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
)

var update = flag.Bool("update", false, "rewrite the golden files from this run")

// goldenAsOf is the as-of date of the golden findings on the bundled sample.
const goldenAsOf = "2026-11-01"

// goldenAsOfLong is goldenAsOf as the workbook writes it in prose.
const goldenAsOfLong = "1 November 2026"

var binary string

func TestMain(m *testing.M) {
	flag.Parse()
	dir, err := os.MkdirTemp("", "lacaudit-test-")
	if err != nil {
		panic(err)
	}
	binary = filepath.Join(dir, "lacaudit")
	build := exec.Command("go", "build", "-o", binary, ".")
	build.Stderr = os.Stderr
	if err := build.Run(); err != nil {
		panic("build lacaudit: " + err.Error())
	}
	code := m.Run()
	os.RemoveAll(dir)
	os.Exit(code)
}

type result struct {
	code           int
	stdout, stderr string
}

func lacaudit(t *testing.T, args ...string) result {
	t.Helper()
	cmd := exec.Command(binary, args...)
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	err := cmd.Run()
	code := 0
	if ee, ok := err.(*exec.ExitError); ok {
		code = ee.ExitCode()
	} else if err != nil {
		t.Fatal(err)
	}
	return result{code, out.String(), errb.String()}
}

func sum(t *testing.T, path string) [32]byte {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return sha256.Sum256(b)
}

// The bundled sample, audited as of a fixed date, gives exactly the golden
// findings.csv; run with -update to accept a deliberate change.
func TestGoldenFindingsOnBundledSample(t *testing.T) {
	out := t.TempDir()
	r := lacaudit(t, "run", "--as-of", goldenAsOf, "--out", out)
	if r.code != 0 {
		t.Fatalf("exit %d: %s", r.code, r.stderr)
	}
	got, err := os.ReadFile(filepath.Join(out, "findings.csv"))
	if err != nil {
		t.Fatal(err)
	}
	golden := filepath.Join("testdata", "findings.golden.csv")
	if *update {
		if err := os.WriteFile(golden, got, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	checkGoldenCounts(t, got) // -update rewrites the golden file, not the counts that explain it
	want, err := os.ReadFile(golden)
	if err != nil {
		t.Fatalf("%v (run go test ./cmd/lacaudit -update to create it)", err)
	}
	if !bytes.Equal(got, want) {
		gl, wl := strings.Split(string(got), "\n"), strings.Split(string(want), "\n")
		for i := 0; i < len(gl) && i < len(wl); i++ {
			if gl[i] != wl[i] {
				t.Fatalf("findings.csv differs from the golden file at line %d:\n got  %s\n want %s", i+1, gl[i], wl[i])
			}
		}
		t.Fatalf("findings.csv has %d lines, the golden file %d", len(gl), len(wl))
	}
	// A UTF-8 byte order mark, so that Excel reads the names right.
	if !strings.HasPrefix(string(got), "\uFEFFrule,child,period_start,due,done,status,days_late,team,social_worker,iro\n") {
		t.Errorf("findings.csv header: %q", strings.SplitN(string(got), "\n", 2)[0])
	}
	for _, f := range []string{"findings.csv", "rejects.csv", "lacaudit.duckdb"} {
		st, err := os.Stat(filepath.Join(out, f))
		if err != nil {
			t.Fatal(err)
		}
		if st.Mode().Perm() != 0o600 {
			t.Errorf("%s has mode %v, want 0600", f, st.Mode().Perm())
		}
	}
}

// The same inputs, configuration and as-of date give a byte-identical
// findings.csv, and the second run keeps the first run's history.
func TestRepeatable(t *testing.T) {
	out := t.TempDir()
	if r := lacaudit(t, "run", "--as-of", goldenAsOf, "--out", out); r.code != 0 {
		t.Fatal(r.stderr)
	}
	first := sum(t, filepath.Join(out, "findings.csv"))
	if r := lacaudit(t, "run", "--as-of", goldenAsOf, "--out", out); r.code != 0 {
		t.Fatal(r.stderr)
	}
	if sum(t, filepath.Join(out, "findings.csv")) != first {
		t.Error("second run with the same inputs wrote a different findings.csv")
	}
}

func TestExitStatusesAndMessages(t *testing.T) {
	out := t.TempDir()
	if r := lacaudit(t, "run", "--as-of", "2026-13-01", "--out", out); r.code != 2 || !strings.Contains(r.stderr, "--as-of") {
		t.Errorf("bad --as-of: exit %d, %s", r.code, r.stderr)
	}
	if r := lacaudit(t, "run", "--memory-limit", "banana", "--out", out); r.code != 2 || !strings.Contains(r.stderr, "--memory-limit") {
		t.Errorf("bad --memory-limit: exit %d, %s", r.code, r.stderr)
	}
	if r := lacaudit(t, "frobnicate"); r.code != 2 {
		t.Errorf("unknown command: exit %d", r.code)
	}
	if r := lacaudit(t, "run", "--help"); r.code != 0 || !strings.Contains(r.stderr, "Example:") {
		t.Errorf("run --help: exit %d, %s", r.code, r.stderr)
	}
	if r := lacaudit(t, "annual"); r.code != 2 || !strings.Contains(r.stderr, "--year is required") {
		t.Errorf("annual without a year: exit %d, %s", r.code, r.stderr)
	}
	if r := lacaudit(t, "version"); r.code != 0 || !strings.HasPrefix(r.stdout, "lacaudit ") {
		t.Errorf("version: exit %d, %q", r.code, r.stdout)
	}
	if r := lacaudit(t, "rules"); r.code != 0 || !strings.Contains(r.stdout, "REV_INITIAL") || !strings.Contains(r.stdout, "due: 20 working days") {
		t.Errorf("rules: exit %d, %s", r.code, r.stdout)
	}
}

// A run on a broken extract exits 3, names the file and column, and leaves
// the previous night's outputs exactly as they were.
func TestFailedRunLeavesPreviousOutputs(t *testing.T) {
	out := t.TempDir()
	if r := lacaudit(t, "run", "--as-of", goldenAsOf, "--out", out); r.code != 0 {
		t.Fatal(r.stderr)
	}
	before := map[string][32]byte{}
	for _, f := range []string{"findings.csv", "rejects.csv", "lacaudit.duckdb"} {
		before[f] = sum(t, filepath.Join(out, f))
	}
	in := t.TempDir()
	if r := lacaudit(t, "sample", "--children", "20", "--out", in); r.code != 0 {
		t.Fatal(r.stderr)
	}
	b, _ := os.ReadFile(filepath.Join(in, "episodes.csv"))
	broken := strings.Replace(string(b), "PLACE,", "PLACEMENT,", 1)
	if err := os.WriteFile(filepath.Join(in, "episodes.csv"), []byte(broken), 0o600); err != nil {
		t.Fatal(err)
	}
	r := lacaudit(t, "run", "--input", in, "--out", out)
	if r.code != 3 || !strings.Contains(r.stderr, "episodes.csv: required column PLACE is missing") {
		t.Errorf("exit %d, stderr %s", r.code, r.stderr)
	}
	for f, h := range before {
		if sum(t, filepath.Join(out, f)) != h {
			t.Errorf("%s changed after a failed run", f)
		}
	}
	entries, _ := os.ReadDir(out)
	for _, e := range entries {
		if strings.HasPrefix(e.Name(), ".lacaudit-run-") {
			t.Errorf("staging folder %s left behind", e.Name())
		}
	}
}

// A generated extract, as CSV or as one workbook, reads cleanly: nothing
// rejected, nothing dated after the extract date.
func TestSampleReadsCleanly(t *testing.T) {
	for _, format := range []string{"csv", "xlsx"} {
		in := t.TempDir()
		if r := lacaudit(t, "sample", "--children", "200", "--format", format, "--extract-date", "2026-10-30", "--out", in); r.code != 0 {
			t.Fatal(r.stderr)
		}
		r := lacaudit(t, "check", "--input", in, "--as-of", "2026-10-30")
		if r.code != 0 {
			t.Fatalf("%s: exit %d: %s", format, r.code, r.stderr)
		}
		if strings.Contains(r.stdout, "after the as-of date") || strings.Contains(r.stdout, "rejected rows") {
			t.Errorf("%s sample has problems:\n%s", format, r.stdout)
		}
	}
}

// Another project's 903 folder (random values, inconsistent on purpose) is
// read with warnings, its extra tables are reported as ignored, and the run
// finishes.
func TestForeign903Folder(t *testing.T) {
	_, file, _, _ := runtime.Caller(0)
	dir := filepath.Join(filepath.Dir(file), "..", "..", "..", "shared", "external", "903-fake")
	if _, err := os.Stat(dir); err != nil {
		t.Skipf("no shared 903-fake folder beside the repository: %v", err)
	}
	out := t.TempDir()
	r := lacaudit(t, "run", "--input", dir, "--as-of", "2026-11-01", "--out", out)
	if r.code != 0 {
		t.Fatalf("exit %d: %s", r.code, r.stderr)
	}
	for _, want := range []string{"warnings", "not assessed REC_DECISIONS"} {
		if !strings.Contains(r.stdout, want) {
			t.Errorf("summary lacks %q:\n%s", want, r.stdout)
		}
	}
	c := lacaudit(t, "check", "--input", dir, "--as-of", "2026-11-01")
	for _, want := range []string{"oc2.csv is not a table", "missing.csv is not a table", "record dated after the as-of date"} {
		if !strings.Contains(c.stdout, want) {
			t.Errorf("check output lacks %q", want)
		}
	}
}

// With no --out, run writes into ./out, a folder plainly of outputs that
// git ignores, and nothing into the source tree's reports package folder.
func TestDefaultOutputFolderIsOutAndIgnored(t *testing.T) {
	dir := t.TempDir()
	if err := os.Mkdir(filepath.Join(dir, "reports"), 0o700); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(binary, "run", "--as-of", goldenAsOf)
	cmd.Dir = dir
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("run without --out: %v\n%s", err, out)
	}
	if _, err := os.Stat(filepath.Join(dir, "out", "latest.xlsx")); err != nil {
		t.Errorf("no workbook in ./out: %v", err)
	}
	if entries, _ := os.ReadDir(filepath.Join(dir, "reports")); len(entries) > 0 {
		t.Errorf("run without --out wrote %d files into ./reports", len(entries))
	}
	ignore, err := os.ReadFile("../../.gitignore")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains("\n"+string(ignore), "\n/out/\n") {
		t.Error(".gitignore does not ignore /out/, the default output folder")
	}
}

package main

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"runtime"
	"strconv"
	"strings"
	"testing"

	"github.com/lacaudit/lacaudit/job"
)

// Every flag error prints one line naming the flag and the command's usage
// hint, with exit status 2: pflag prints nothing itself, and a typo in a
// cron line used to leave an empty log.
func TestFlagErrorsSayWhy(t *testing.T) {
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"run", "--bogus"}, "lacaudit run: unknown flag: --bogus"},
		{[]string{"check", "--threads", "abc"}, `lacaudit check: --threads "abc": expected a whole number`},
		{[]string{"annual", "--year"}, "lacaudit annual: flag needs an argument: --year"},
		{[]string{"run", "--threads", "100000"}, "lacaudit run: --threads 100000: expected 0 (automatic) to " + fmt.Sprint(runtime.NumCPU())},
		{[]string{"check", "--threads", "-1"}, "lacaudit check: --threads -1: expected 0 (automatic)"},
		{[]string{"bench", "--threads", "100000"}, "lacaudit bench: --threads 100000"},
		{[]string{"run", "stray"}, `lacaudit run: unexpected argument "stray"`},
		{[]string{"run", "--log-format", "xml"}, `lacaudit run: --log-format "xml"`},
		{[]string{"sample", "--children", "5"}, "lacaudit sample: --children must be from 10"},
		{[]string{"sample", "--returns", "7", "--years", "6"}, "lacaudit sample: --returns 7: expected 1 to --years (6)"},
		{[]string{"sample", "--returns", "2", "--format", "xlsx"}, "lacaudit sample: --returns writes CSV files"},
	} {
		r := lacaudit(t, tc.args...)
		lines := strings.Split(strings.TrimRight(r.stderr, "\n"), "\n")
		if r.code != 2 || len(lines) != 2 || lines[0] != tc.want && !strings.HasPrefix(lines[0], tc.want) {
			t.Errorf("%v: exit %d, stderr %q; want exit 2 and %q", tc.args, r.code, r.stderr, tc.want)
			continue
		}
		if hint := "Usage: lacaudit " + tc.args[0] + " [flags]; 'lacaudit " + tc.args[0] + " --help'"; !strings.HasPrefix(lines[1], hint) {
			t.Errorf("%v: second line %q, want the usage hint", tc.args, lines[1])
		}
		if r.stdout != "" {
			t.Errorf("%v: wrote to stdout: %q", tc.args, r.stdout)
		}
	}
}

// lacaudit help run is run's own help, as lacaudit run --help.
func TestHelpCommand(t *testing.T) {
	want := lacaudit(t, "run", "--help")
	r := lacaudit(t, "help", "run")
	if r.code != 0 || r.stderr != want.stderr || !strings.Contains(r.stderr, "--accept-drop") && !strings.Contains(r.stderr, "--pseudonymise") {
		t.Errorf("help run: exit %d, %q", r.code, r.stderr)
	}
	if r := lacaudit(t, "help", "frobnicate"); r.code != 2 || !strings.Contains(r.stderr, `unknown command "frobnicate"`) {
		t.Errorf("help frobnicate: exit %d, %q", r.code, r.stderr)
	}
}

// sampleExtract writes a generated extract of n children, taken on
// 2026-10-30, to a new folder.
func sampleExtract(t *testing.T, n int) string {
	t.Helper()
	in := t.TempDir()
	if r := lacaudit(t, "sample", "--children", fmt.Sprint(n), "--extract-date", "2026-10-30", "--out", in); r.code != 0 {
		t.Fatal(r.stderr)
	}
	return in
}

// appendLines adds lines to a file of an extract.
func appendLines(t *testing.T, path string, lines ...string) {
	t.Helper()
	b, _ := os.ReadFile(path)
	end := "\n"
	if strings.Contains(string(b), "\r\n") {
		end = "\r\n" // the generated extracts end lines as Excel does
	}
	f, err := os.OpenFile(path, os.O_APPEND|os.O_WRONLY, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	for _, l := range lines {
		if _, err := f.WriteString(l + end); err != nil {
			t.Fatal(err)
		}
	}
}

// checkTotals adds up check's rejected rows (its table) and warnings.
func checkTotals(t *testing.T, stdout string) (rejected, warnings int64) {
	t.Helper()
	section := ""
	for _, line := range strings.Split(stdout, "\n") {
		f := strings.Fields(line)
		switch {
		case line == "warnings:":
			section = "warnings"
		case line == "" || strings.HasPrefix(line, "rejected rows"):
			section = ""
		case section == "" && len(f) == 4 && f[0] != "table":
			n, err := strconv.ParseInt(f[3], 10, 64)
			if err == nil {
				rejected += n
			}
		case section == "warnings" && len(f) >= 2:
			n, err := strconv.ParseInt(f[1], 10, 64)
			if err != nil {
				t.Fatalf("warning line %q", line)
			}
			warnings += n
		}
	}
	return rejected, warnings
}

var runTotals = regexp.MustCompile(`data quality: (\d+) rejected rows \(rejects.csv\), (\d+) warnings`)

// check reports exactly the rejected rows and warnings that run does: the
// audit's own warnings (reviews on a day the child was not looked after)
// were missing from check, 2,123 against 7,825 on the foreign 903 folder.
func TestCheckReportsWhatRunDoes(t *testing.T) {
	in := sampleExtract(t, 40)
	var child string
	b, _ := os.ReadFile(filepath.Join(in, "reviews.csv"))
	child = strings.Split(strings.Split(string(b), "\n")[1], ",")[0]
	appendLines(t, filepath.Join(in, "reviews.csv"),
		child+",01/01/2000,01/01/2011,PN1", // long before the child came into care
		child+",01/01/2000,31/02/2026,PN1", // no such date: rejected
	)
	dirs := map[string]string{"sample": in}
	_, file, _, _ := runtime.Caller(0)
	if foreign := filepath.Join(filepath.Dir(file), "..", "..", "..", "shared", "external", "903-fake"); dirExists(foreign) {
		dirs["903-fake"] = foreign
	}
	for name, dir := range dirs {
		c := lacaudit(t, "check", "--input", dir, "--as-of", "2026-11-01")
		if c.code != 0 {
			t.Fatalf("%s: check exit %d: %s", name, c.code, c.stderr)
		}
		r := lacaudit(t, "run", "--input", dir, "--as-of", "2026-11-01", "--out", t.TempDir())
		if r.code != 0 {
			t.Fatalf("%s: run exit %d: %s", name, r.code, r.stderr)
		}
		m := runTotals.FindStringSubmatch(r.stdout)
		if m == nil {
			t.Fatalf("%s: run printed no data-quality totals:\n%s", name, r.stdout)
		}
		rej, warn := checkTotals(t, c.stdout)
		if fmt.Sprint(rej) != m[1] || fmt.Sprint(warn) != m[2] {
			t.Errorf("%s: check reports %d rejected rows and %d warnings, run %s and %s:\n%s", name, rej, warn, m[1], m[2], c.stdout)
		}
		if !strings.Contains(c.stdout, "review on a day the child was not looked after") {
			t.Errorf("%s: check lacks the audit's warning:\n%s", name, c.stdout)
		}
		if name == "sample" && (rej != 1 || warn < 1) {
			t.Errorf("sample: %d rejected, %d warnings; want 1 and at least 1", rej, warn)
		}
	}
}

func dirExists(p string) bool {
	st, err := os.Stat(p)
	return err == nil && st.IsDir()
}

// An optional table over the reject threshold is left out: its rules are
// not assessed with the reason on the Summary, the night goes on, and
// check says the same. One bad line in a ten-row qa_alerts used to stop the
// whole night.
func TestOptionalTableOverThreshold(t *testing.T) {
	in := sampleExtract(t, 20)
	b, _ := os.ReadFile(filepath.Join(in, "visits.csv"))
	lines := strings.Split(strings.TrimSpace(strings.ReplaceAll(string(b), "\r\n", "\n")), "\n")
	// A fifth of the visits with a date that is none.
	for i := 1; i < len(lines); i += 5 {
		f := strings.Split(lines[i], ",")
		f[1] = "31/02/2026"
		lines[i] = strings.Join(f, ",")
	}
	os.WriteFile(filepath.Join(in, "visits.csv"), []byte(strings.Join(lines, "\n")+"\n"), 0o600)
	appendLines(t, filepath.Join(in, "qa_alerts.csv"), "QA9,X,not a date,reason,1,,N")

	out := t.TempDir()
	r := lacaudit(t, "run", "--input", in, "--as-of", "2026-11-01", "--out", out)
	if r.code != 0 {
		t.Fatalf("exit %d: %s", r.code, r.stderr)
	}
	for _, want := range []string{
		"not assessed VISIT_STATUTORY: visits not used: ",
		"rows rejected (", "over the 5.0 % threshold",
		"not assessed VISIT_BEDROOM_SEEN: visits not used",
	} {
		if !strings.Contains(r.stdout, want) {
			t.Errorf("summary lacks %q:\n%s", want, r.stdout)
		}
	}
	findings, _ := os.ReadFile(filepath.Join(out, "findings.csv"))
	if strings.Contains(string(findings), "VISIT_STATUTORY") {
		t.Error("findings.csv has VISIT_STATUTORY rows from a table that was not used")
	}
	book := xlsxText(t, filepath.Join(out, "latest.xlsx"))
	for _, want := range []string{"visits not used: ", ",Table not used,visits.csv: ", ",Table not used,qa_alerts.csv: 1 of 2 rows rejected (50.0 %)"} {
		if !strings.Contains(book, want) {
			t.Errorf("workbook lacks %q", want)
		}
	}
	rejects, _ := os.ReadFile(filepath.Join(out, "rejects.csv"))
	if !strings.Contains(string(rejects), "visits.csv,") || !strings.Contains(string(rejects), "qa_alerts.csv,") {
		t.Errorf("rejects.csv does not list the rows:\n%s", rejects)
	}
	c := lacaudit(t, "check", "--input", in, "--as-of", "2026-11-01")
	if c.code != 0 || !strings.Contains(c.stdout, "not used: visits.csv: ") || !strings.Contains(c.stdout, "not assessed VISIT_STATUTORY: visits not used") {
		t.Errorf("check: exit %d:\n%s\n%s", c.code, c.stdout, c.stderr)
	}
}

// A core table over the threshold stops the run; every rejected row, not
// only the ten in the log, is written to a dated file in the output folder,
// owner-only, beside the previous outputs, which are unchanged; the message
// gives its path.
func TestCoreTableOverThresholdListsEveryReject(t *testing.T) {
	out := t.TempDir()
	if r := lacaudit(t, "run", "--as-of", goldenAsOf, "--out", out); r.code != 0 {
		t.Fatal(r.stderr)
	}
	before := outputsOf(t, out)
	in := sampleExtract(t, 20)
	b, _ := os.ReadFile(filepath.Join(in, "reviews.csv"))
	lines := strings.Split(strings.TrimSpace(strings.ReplaceAll(string(b), "\r\n", "\n")), "\n")
	bad := 0
	for i := 1; i < len(lines); i += 3 {
		f := strings.Split(lines[i], ",")
		f[2] = "2026-02-31"
		lines[i] = strings.Join(f, ",")
		bad++
	}
	os.WriteFile(filepath.Join(in, "reviews.csv"), []byte(strings.Join(lines, "\n")+"\n"), 0o600)
	r := lacaudit(t, "run", "--input", in, "--as-of", goldenAsOf, "--out", out)
	path := filepath.Join(out, "lacaudit-rejects-"+goldenAsOf+".csv")
	if r.code != 3 || !strings.Contains(r.stderr, "too many rejected rows") || !strings.Contains(r.stderr, "every rejected row is listed in "+path) {
		t.Fatalf("exit %d: %s", r.code, r.stderr)
	}
	st, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	if st.Mode().Perm() != 0o600 {
		t.Errorf("%s has mode %v, want 0600", path, st.Mode().Perm())
	}
	got, _ := os.ReadFile(path)
	rows := strings.Split(strings.TrimSpace(string(got)), "\n")
	if bad <= 10 || len(rows) != bad+1 || rows[0] != "\uFEFFfile,line,column,value,reason" {
		t.Errorf("%d bad rows, the file has %d lines:\n%s", bad, len(rows), got)
	}
	os.Remove(path)
	sameOutputs(t, "after a run stopped by its rejects", outputsOf(t, out), before)

	// A pseudonymised run withholds the values, as in rejects.csv (in a
	// folder of its own: TestOutputFolderIsRawOrPseudonymised).
	out = t.TempDir()
	path = filepath.Join(out, "lacaudit-rejects-"+goldenAsOf+".csv")
	r = lacaudit(t, "run", "--input", in, "--as-of", goldenAsOf, "--out", out, "--pseudonymise", "--pseudonymise-key-file", newKey(t))
	got, _ = os.ReadFile(path)
	if r.code != 3 || strings.Contains(string(got), "2026-02-31") || strings.Count(string(got), "(withheld: pseudonymised run)") != bad {
		t.Errorf("pseudonymised: exit %d, file:\n%s", r.code, got)
	}
}

// The partial-export guard, across runs: a table whose rows fall by more
// than 10 % against the last successful run stops the run (exit 3) naming
// the table and both figures; --accept-drop accepts it once (logged, and on
// the Method sheet), after which the smaller extract is the one compared
// with. With a new --db the history is taken from the database in the
// output folder; a first run has nothing to compare with.
func TestPartialExportGuard(t *testing.T) {
	full := sampleExtract(t, 60)
	part := t.TempDir()
	copyDir(t, full, part)
	b, _ := os.ReadFile(filepath.Join(full, "episodes.csv"))
	lines := strings.Split(strings.TrimSpace(strings.ReplaceAll(string(b), "\r\n", "\n")), "\n")
	kept := lines[:1+(len(lines)-1)*3/4] // a quarter of the episodes lost
	os.WriteFile(filepath.Join(part, "episodes.csv"), []byte(strings.Join(kept, "\n")+"\n"), 0o600)
	fullRows, partRows := len(lines)-1, len(kept)-1

	out := t.TempDir()
	// The first run has nothing to compare with.
	if r := lacaudit(t, "run", "--input", part, "--as-of", goldenAsOf, "--out", out); r.code != 0 {
		t.Fatalf("first run: exit %d: %s", r.code, r.stderr)
	}
	if !strings.Contains(xlsxText(t, filepath.Join(out, "latest.xlsx")), ",Partial-export guard,no earlier run recorded") {
		t.Error("the Method sheet does not say the first run had nothing to compare with")
	}
	// Growth is never a fall.
	if r := lacaudit(t, "run", "--input", full, "--as-of", goldenAsOf, "--out", out); r.code != 0 {
		t.Fatalf("full extract: exit %d: %s", r.code, r.stderr)
	}
	before := outputsOf(t, out)
	r := lacaudit(t, "run", "--input", part, "--as-of", goldenAsOf, "--out", out)
	want := fmt.Sprintf("episodes: %d rows tonight against %d (down ", partRows, fullRows)
	if r.code != 3 || !strings.Contains(r.stderr, "the extract looks partial") || !strings.Contains(r.stderr, want) ||
		!strings.Contains(r.stderr, "--accept-drop") || strings.Contains(r.stderr, "reviews:") {
		t.Fatalf("partial extract: exit %d, stderr %s\nwant %q", r.code, r.stderr, want)
	}
	sameOutputs(t, "after a partial export", outputsOf(t, out), before)

	// A new --db: the history is the output folder's database's.
	r = lacaudit(t, "run", "--input", part, "--as-of", goldenAsOf, "--out", out, "--db", filepath.Join(t.TempDir(), "new.duckdb"))
	if r.code != 3 || !strings.Contains(r.stderr, want) {
		t.Fatalf("partial extract with a new --db: exit %d, stderr %s", r.code, r.stderr)
	}

	// Accepted once.
	r = lacaudit(t, "run", "--input", part, "--as-of", goldenAsOf, "--out", out, "--accept-drop")
	if r.code != 0 || !strings.Contains(r.stderr, "fall accepted with --accept-drop") || !strings.Contains(r.stderr, want) {
		t.Fatalf("--accept-drop: exit %d, stderr %s", r.code, r.stderr)
	}
	if book := xlsxText(t, filepath.Join(out, "latest.xlsx")); !strings.Contains(book, ",Partial-export guard,fall accepted with --accept-drop") || !strings.Contains(book, want) {
		t.Error("the Method sheet does not show the accepted fall")
	}
	// The next night compares with the accepted run.
	if r := lacaudit(t, "run", "--input", part, "--as-of", goldenAsOf, "--out", out); r.code != 0 {
		t.Fatalf("the night after the accepted fall: exit %d: %s", r.code, r.stderr)
	}
	if book := xlsxText(t, filepath.Join(out, "latest.xlsx")); !strings.Contains(book, ",Partial-export guard,compared with the last successful run") {
		t.Error("the Method sheet does not say what the guard compared with")
	}
	// A fall within the share allowed passes; the share is configurable.
	conf := filepath.Join(t.TempDir(), "c.conf")
	os.WriteFile(conf, []byte("drop_threshold_percent = 30\n"), 0o600)
	if r := lacaudit(t, "run", "--input", full, "--as-of", goldenAsOf, "--out", out); r.code != 0 {
		t.Fatal(r.stderr)
	}
	if r := lacaudit(t, "run", "--input", part, "--as-of", goldenAsOf, "--out", out, "--config", conf); r.code != 0 {
		t.Errorf("a 25 %% fall with 30 %% allowed: exit %d: %s", r.code, r.stderr)
	}
}

// An annual report for a year the extracts do not cover exits 3 saying
// which years they cover, instead of an all-zero report.
func TestAnnualYearNotCovered(t *testing.T) {
	out := t.TempDir()
	r := lacaudit(t, "annual", "--year", "2010", "--as-of", goldenAsOf, "--out", out)
	if r.code != 3 || !strings.Contains(r.stderr, "no child was looked after in 2010-11") || !strings.Contains(r.stderr, "which cover the financial years 20") ||
		strings.Contains(r.stderr, "fix them") {
		t.Errorf("exit %d: %s", r.code, r.stderr)
	}
	if _, err := os.Stat(filepath.Join(out, "lacaudit-annual-2010-11.xlsx")); err == nil {
		t.Error("an annual report was written")
	}
	if r := lacaudit(t, "annual", "--year", "2030", "--as-of", goldenAsOf, "--out", out); r.code != 3 {
		t.Errorf("a year after the as-of date: exit %d: %s", r.code, r.stderr)
	}
}

// Out of memory is exit 1 and says to raise --memory-limit; it was "the
// extracts cannot be used ... fix the export" (exit 3) when it happened
// while reading a file. --memory-limit refuses a limit this small
// (TestMemoryLimitFloor), so the settings are made here with one.
func TestOutOfMemorySaysSo(t *testing.T) {
	for _, cmd := range []string{"run", "check"} {
		sh := shared{name: cmd, asOf: goldenAsOf, memoryLimit: job.AutoMemory, logFormat: "text", out: t.TempDir()}
		s, _, err := sh.prepare()
		if err != nil {
			t.Fatal(err)
		}
		s.MemoryLimit = "4MB"
		log := slog.New(slog.NewTextHandler(io.Discard, nil))
		if cmd == "run" {
			_, err = job.Run(context.Background(), s, log)
		} else {
			_, err = job.Check(context.Background(), s, log)
		}
		var stderr bytes.Buffer
		code := exit(&stderr, err)
		if code != 1 || !strings.Contains(stderr.String(), "ran out of memory (memory limit 4MB)") || !strings.Contains(stderr.String(), "--memory-limit") ||
			strings.Contains(stderr.String(), "fix them") || strings.Contains(stderr.String(), "Possible solutions") {
			t.Errorf("%s: exit %d: %s", cmd, code, stderr.String())
		}
	}
}

// --memory-limit below 128MB is a usage error naming the flag and the
// floor: 1KB was exit 3 blaming extensions.xlsx as a zip bomb, and 0GB ran
// out of memory.
func TestMemoryLimitFloor(t *testing.T) {
	for _, c := range []struct {
		limit string
		code  int
	}{{"1KB", 2}, {"0GB", 2}, {"127MB", 2}, {"0.1GB", 2}, {"128MB", 0}, {"128MiB", 0}, {"auto", 0}} {
		r := lacaudit(t, "check", "--as-of", goldenAsOf, "--memory-limit", c.limit)
		first, _, _ := strings.Cut(r.stderr, "\n")
		if r.code != c.code || c.code == 2 && first != fmt.Sprintf("lacaudit check: --memory-limit %q: below the least lacaudit works in, 128MB (use auto, or a size such as 2GB)", c.limit) {
			t.Errorf("--memory-limit %s: exit %d, want %d: %s", c.limit, r.code, c.code, first)
		}
	}
	if r := lacaudit(t, "run", "--as-of", goldenAsOf, "--memory-limit", "0GB", "--out", t.TempDir()); r.code != 2 {
		t.Errorf("run --memory-limit 0GB: exit %d: %s", r.code, r.stderr)
	}
}

// A full disk names the folder it could not write in (it was "count
// Actions: FATAL Error"). It needs a small file system: a tmpfs, which
// only root can mount.
func TestDiskFullNamesTheFolder(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "small")
	os.MkdirAll(dir, 0o700)
	if err := exec.Command("mount", "-t", "tmpfs", "-o", "size=2m", "tmpfs", dir).Run(); err != nil {
		t.Skipf("cannot mount a small file system here: %v", err)
	}
	t.Cleanup(func() { exec.Command("umount", dir).Run() })
	// A fresh tmpfs is 0777, a folder lacaudit refuses to write in.
	if err := os.Chmod(dir, 0o700); err != nil {
		t.Fatal(err)
	}
	out := filepath.Join(dir, "out")
	r := lacaudit(t, "run", "--as-of", goldenAsOf, "--out", out)
	if r.code != 1 || !strings.Contains(r.stderr, "the disk is full: no space left to write in "+out+";") || strings.Contains(r.stderr, "FATAL") {
		t.Errorf("output folder on a full disk: exit %d: %s", r.code, r.stderr)
	}
	r = lacaudit(t, "run", "--as-of", goldenAsOf, "--out", t.TempDir(), "--db", filepath.Join(dir, "x.duckdb"))
	if r.code != 1 || !strings.Contains(r.stderr, "the disk is full: no space left to write in "+dir+";") {
		t.Errorf("database on a full disk: exit %d: %s", r.code, r.stderr)
	}
}

// An output folder is raw or pseudonymised, as its first run made it
// (.lacaudit-outputs). A raw run stopped by its rejects left
// lacaudit-rejects-DATE.csv, raw lines with children's ids and dates of
// birth, and a pseudonymised run then wrote its shared outputs beside it,
// exit 0, no warning. Now a pseudonymised run refuses a folder holding raw
// outputs, and a raw run a folder of pseudonymised ones (exit 2, one line
// naming the files and what to do); once the raw files are moved away, the
// folder can be used for sharing.
func TestOutputFolderIsRawOrPseudonymised(t *testing.T) {
	in := sampleExtract(t, 20)
	b, _ := os.ReadFile(filepath.Join(in, "reviews.csv"))
	lines := strings.Split(strings.TrimSpace(strings.ReplaceAll(string(b), "\r\n", "\n")), "\n")
	for i := 5; i < len(lines); i += 5 {
		lines[i] += ",extra"
	}
	os.WriteFile(filepath.Join(in, "reviews.csv"), []byte(strings.Join(lines, "\n")+"\n"), 0o600)
	key := newKey(t)
	s := t.TempDir()
	if r := lacaudit(t, "run", "--input", in, "--as-of", goldenAsOf, "--out", s); r.code != 3 {
		t.Fatalf("raw run on a broken extract: exit %d: %s", r.code, r.stderr)
	}
	rejects := "lacaudit-rejects-" + goldenAsOf + ".csv"
	r := lacaudit(t, "run", "--as-of", goldenAsOf, "--out", s, "--pseudonymise", "--pseudonymise-key-file", key)
	want := "lacaudit: the output folder " + s + " holds the outputs of raw runs (" + rejects + "): a folder of pseudonymised outputs for sharing must hold nothing raw; give --out a new folder, or move those files away first\n"
	if r.code != 2 || r.stderr[strings.LastIndex(strings.TrimSuffix(r.stderr, "\n"), "\n")+1:] != want {
		t.Errorf("pseudonymised run beside raw rejects: exit %d: %s", r.code, r.stderr)
	}
	if _, err := os.Stat(filepath.Join(s, "findings.csv")); err == nil {
		t.Error("the refused run wrote findings.csv")
	}
	// Raw workbooks of an earlier night too.
	raw := t.TempDir()
	runOK(t, "run", "--as-of", goldenAsOf, "--out", raw)
	if r := lacaudit(t, "run", "--as-of", goldenAsOf, "--out", raw, "--pseudonymise", "--pseudonymise-key-file", key); r.code != 2 || !strings.Contains(r.stderr, "holds the outputs of raw runs (findings.csv, lacaudit-"+goldenAsOf+".xlsx, ") {
		t.Errorf("pseudonymised run beside raw outputs: exit %d: %s", r.code, r.stderr)
	}
	// The raw files moved away, the folder is for sharing.
	os.Rename(filepath.Join(s, rejects), filepath.Join(t.TempDir(), rejects))
	runOK(t, "run", "--as-of", goldenAsOf, "--out", s, "--pseudonymise", "--pseudonymise-key-file", key)
	if k, _ := os.ReadFile(filepath.Join(s, ".lacaudit-outputs")); string(k) != "pseudonymised\n" {
		t.Errorf(".lacaudit-outputs holds %q", k)
	}
	// The other direction: a raw run into the folder of shared outputs.
	r = lacaudit(t, "run", "--as-of", goldenAsOf, "--out", s)
	if r.code != 2 || !strings.Contains(r.stderr, "lacaudit: the output folder "+s+" holds the outputs of pseudonymised runs, for sharing (findings.csv, ") ||
		!strings.Contains(r.stderr, "run with --pseudonymise, or give --out another folder") {
		t.Errorf("raw run into a pseudonymised folder: exit %d: %s", r.code, r.stderr)
	}
	// Nor may the annual report, which names workers.
	if r := lacaudit(t, "annual", "--year", "2025", "--out", s); r.code != 2 || !strings.Contains(r.stderr, "or an annual report, would put raw data beside them") {
		t.Errorf("annual report into a pseudonymised folder: exit %d: %s", r.code, r.stderr)
	}
	// Nor may a raw run stopped by its rejects leave its raw lines there.
	if r := lacaudit(t, "run", "--input", in, "--as-of", goldenAsOf, "--out", s); r.code != 2 {
		t.Errorf("raw run on a broken extract into a pseudonymised folder: exit %d: %s", r.code, r.stderr)
	}
	if _, err := os.Stat(filepath.Join(s, rejects)); err == nil {
		t.Errorf("raw rejects written into the pseudonymised folder")
	}
	// A pseudonymised run goes on in its own folder, night after night.
	runOK(t, "run", "--as-of", goldenAsOf, "--out", s, "--pseudonymise", "--pseudonymise-key-file", key)
}

package main

import (
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"

	"github.com/lacaudit/lacaudit/synth"
)

// sample refuses a folder that exists and holds anything it did not write
// (it may be the real export), writes into a new or empty one, and writes
// over an earlier sample, leaving none of its files behind.
func TestSampleRefusesAFolderItDidNotWrite(t *testing.T) {
	export := t.TempDir()
	real := filepath.Join(export, "header.csv")
	os.WriteFile(real, []byte("CHILD,SEX,DOB,ETHNIC,UPN\r\n"), 0o600)
	r := lacaudit(t, "sample", "--children", "10", "--out", export)
	if r.code != 2 || strings.Count(r.stderr, "\n") != 1 || !strings.Contains(r.stderr, "did not write") {
		t.Errorf("non-empty folder: exit %d, stderr %q", r.code, r.stderr)
	}
	if b, _ := os.ReadFile(real); string(b) != "CHILD,SEX,DOB,ETHNIC,UPN\r\n" {
		t.Error("the existing extract was changed")
	}
	empty := t.TempDir()
	if r := lacaudit(t, "sample", "--children", "10", "--out", empty); r.code != 0 {
		t.Fatalf("empty folder: exit %d: %s", r.code, r.stderr)
	}
	if _, err := os.Stat(filepath.Join(empty, synth.MarkerName)); err != nil {
		t.Fatal(err)
	}
	if r := lacaudit(t, "sample", "--children", "10", "--format", "xlsx", "--out", empty); r.code != 0 {
		t.Fatalf("earlier sample: exit %d: %s", r.code, r.stderr)
	}
	if _, err := os.Stat(filepath.Join(empty, "header.csv")); !os.IsNotExist(err) {
		t.Errorf("the earlier sample's header.csv is left beside extract.xlsx (%v)", err)
	}
}

// sample --years is bounded; a date that has the right shape but does
// not exist is named as such.
func TestSampleYearsAndImpossibleDates(t *testing.T) {
	for _, y := range []string{"0", "-1", "31", "500"} {
		if r := lacaudit(t, "sample", "--years", y, "--out", t.TempDir()); r.code != 2 || !strings.Contains(r.stderr, "--years "+y+": expected 1 to 30") {
			t.Errorf("--years %s: exit %d, %q", y, r.code, r.stderr)
		}
	}
	for _, tc := range []struct{ date, want string }{
		{"2025-02-31", "the date does not exist: February 2025 has 28 days"},
		{"2024-02-30", "the date does not exist: February 2024 has 29 days"},
		{"2025-04-31", "the date does not exist: April 2025 has 30 days"},
		{"2025-13-01", "the date does not exist: there is no month 13"},
		{"31/02/2025", "expected a date as YYYY-MM-DD"},
	} {
		r := lacaudit(t, "check", "--as-of", tc.date)
		if r.code != 2 || !strings.Contains(r.stderr, tc.want) {
			t.Errorf("--as-of %s: exit %d, %q, want %q", tc.date, r.code, r.stderr, tc.want)
		}
	}
}

// With --log-format json every line on standard error is a JSON object,
// the failure one of them: level ERROR, its message, hint and exit status.
func TestJSONLogFailureIsJSON(t *testing.T) {
	empty := t.TempDir()
	for _, args := range [][]string{
		{"run", "--log-format", "json", "--input", empty, "--out", t.TempDir()},
		{"check", "--log-format", "json", "--as-of", "2025-02-31"},
		{"annual", "--log-format", "json", "--year", "2025", "--input", empty, "--out", t.TempDir()},
	} {
		r := lacaudit(t, args...)
		if r.code == 0 {
			t.Fatalf("%v: exit 0", args)
		}
		var failures int
		for _, line := range strings.Split(strings.TrimRight(r.stderr, "\n"), "\n") {
			var obj map[string]any
			if err := json.Unmarshal([]byte(line), &obj); err != nil {
				t.Errorf("%v: not JSON: %q", args, line)
				continue
			}
			if obj["level"] == "ERROR" {
				failures++
				msg, _ := obj["msg"].(string)
				if !strings.HasPrefix(msg, "lacaudit") || obj["exit_status"] != float64(r.code) || obj["hint"] == nil {
					t.Errorf("%v: failure %v, exit %d", args, obj, r.code)
				}
			}
		}
		if failures != 1 {
			t.Errorf("%v: %d ERROR objects in %q", args, failures, r.stderr)
		}
	}
}

// An output folder this user may not write is named as such, not by its
// lock file. As root the run is made as nobody; skipped where that cannot
// be done.
func TestReadOnlyOutputFolder(t *testing.T) {
	base := t.TempDir()
	out := filepath.Join(base, "out")
	os.Mkdir(out, 0o500)
	cmd := exec.Command(binary, "run", "--as-of", goldenAsOf, "--out", out)
	if os.Geteuid() == 0 {
		const nobody = 65534
		// nobody needs to reach the binary, and to own the folder.
		bin := filepath.Join(base, "lacaudit")
		b, err := os.ReadFile(binary)
		if err != nil {
			t.Fatal(err)
		}
		os.WriteFile(bin, b, 0o755)
		for _, d := range []string{filepath.Dir(base), base} {
			os.Chmod(d, 0o755)
		}
		if err := os.Chown(out, nobody, nobody); err != nil {
			t.Skipf("cannot give the folder to nobody: %v", err)
		}
		cmd = exec.Command(bin, "run", "--as-of", goldenAsOf, "--out", out)
		cmd.SysProcAttr = &syscall.SysProcAttr{Credential: &syscall.Credential{Uid: nobody, Gid: nobody}}
		cmd.Env = append(os.Environ(), "TMPDIR="+os.TempDir(), "HOME=/")
	}
	b, err := cmd.CombinedOutput()
	ee, ok := err.(*exec.ExitError)
	if err != nil && !ok {
		t.Skipf("cannot run as another user: %v", err)
	}
	if !ok || ee.ExitCode() == 0 {
		t.Fatalf("read-only output folder: exit 0:\n%s", b)
	}
	if s := string(b); !strings.Contains(s, "the output folder "+out+" cannot be written (permission denied)") || strings.Contains(s, "open lock") {
		t.Errorf("read-only output folder:\n%s", s)
	}
}

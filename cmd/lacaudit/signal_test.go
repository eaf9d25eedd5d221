package main

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/lacaudit/lacaudit/job"
)

// TERM, INT and HUP stop a run alike: one line naming the signal, exit
// status 128 plus its number, and nothing left in the output folder (no
// staging folder, no partial database). TERM and INT gave exit 1 and two
// internal lines (a SQL file's line, "INTERRUPT Error"); HUP was not
// handled at all (exit 129 from the kernel, the staging folder and its raw
// database left behind).
func TestStoppedBySignal(t *testing.T) {
	if testing.Short() {
		t.Skip("writes a sample of 20,000 children")
	}
	in := filepath.Join(t.TempDir(), "in")
	if r := lacaudit(t, "sample", "--children", "20000", "--out", in); r.code != 0 {
		t.Fatal(r.stderr)
	}
	for _, c := range []struct {
		sig  syscall.Signal
		name string
		code int
	}{{syscall.SIGTERM, "SIGTERM", 143}, {syscall.SIGINT, "SIGINT", 130}, {syscall.SIGHUP, "SIGHUP", 129}} {
		out := filepath.Join(t.TempDir(), "out")
		cmd := exec.Command(binary, "run", "--input", in, "--out", out, "--as-of", "2026-10-30")
		var stderr bytes.Buffer
		cmd.Stderr = &stderr
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		// Signal once the run is under way: its staging folder exists.
		for i := 0; i < 400 && !staging(out); i++ {
			time.Sleep(10 * time.Millisecond)
		}
		time.Sleep(300 * time.Millisecond)
		if err := cmd.Process.Signal(c.sig); err != nil {
			t.Fatal(err)
		}
		err := cmd.Wait()
		code := 0
		if ee, ok := err.(*exec.ExitError); ok {
			code = ee.ExitCode()
		}
		var last string
		for _, l := range strings.Split(strings.TrimSpace(stderr.String()), "\n") {
			if !strings.Contains(l, "level=INFO") && !strings.Contains(l, "level=WARN") {
				last += l + "\n"
			}
		}
		if want := "lacaudit: stopped by signal " + c.name + "; earlier reports are unchanged\n"; code != c.code || last != want {
			t.Errorf("%s: exit %d, want %d; stderr beyond the log:\n%s", c.name, code, c.code, last)
		}
		entries, _ := os.ReadDir(out)
		for _, e := range entries {
			if !strings.HasSuffix(e.Name(), ".lock") && e.Name() != job.KindFile {
				t.Errorf("%s: %s left in the output folder", c.name, e.Name())
			}
		}
	}
}

// staging says whether a run's staging folder is in out.
func staging(out string) bool {
	entries, _ := os.ReadDir(out)
	for _, e := range entries {
		if strings.HasPrefix(e.Name(), ".lacaudit-run-") {
			return true
		}
	}
	return false
}

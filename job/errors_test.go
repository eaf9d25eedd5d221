package job

import (
	"errors"
	"fmt"
	"io/fs"
	"strings"
	"syscall"
	"testing"

	"github.com/lacaudit/lacaudit/ingest"
)

// The machine's failures are named as such, whatever wraps them.
func TestExplain(t *testing.T) {
	s := Settings{Out: "/srv/reports", MemoryLimit: "40MB"}
	oom := &ingest.InputError{Msg: "reviews.csv cannot be read as CSV: Out of Memory Error: failed to allocate data of size 16.0 MiB (38.1 MiB/38.1 MiB used)\n\nPossible solutions: ..."}
	for _, tc := range []struct {
		err  error
		want string // "" for unchanged
		code int
	}{
		{oom, "the database ran out of memory (memory limit 40MB): run with a larger --memory-limit", 1},
		{fmt.Errorf("write workbook: %w", &fs.PathError{Op: "write", Path: "/srv/reports/.lacaudit-run-123/lacaudit-2026-11-01.xlsx", Err: syscall.ENOSPC}),
			"the disk is full: no space left to write in /srv/reports;", 1},
		{errors.New(`count Actions: FATAL Error: Failed: database has been invalidated because of a previous fatal error. Original error: "Could not write file "/data/db/lacaudit.duckdb.lacaudit-new-x": No space left on device"`),
			"the disk is full: no space left to write in /data/db;", 1},
		{errors.New("checkpoint: No space left on device"), "no space left to write in the output folder /srv/reports;", 1},
		{&ingest.InputError{Msg: "episodes.csv: required column PLACE is missing"}, "", 3},
	} {
		got := explain(tc.err, s)
		if tc.want == "" {
			if got != tc.err {
				t.Errorf("%v became %v", tc.err, got)
			}
		} else if !strings.HasPrefix(got.Error(), tc.want) && !strings.Contains(got.Error(), tc.want) || strings.Contains(got.Error(), "\n") {
			t.Errorf("%v:\n got %v\nwant %s", tc.err, got, tc.want)
		}
		if c := ExitStatus(got); c != tc.code {
			t.Errorf("%v: exit %d, want %d", got, c, tc.code)
		}
	}
}

// A fall is counted only against a figure there was, and only when it is
// over the share allowed.
func TestFall(t *testing.T) {
	for _, tc := range []struct {
		before, now int64
		allowed     float64
		over        bool
	}{
		{100, 90, 0.10, false}, // exactly 10 %: allowed
		{100, 89, 0.10, true},
		{100, 0, 0.10, true}, // a table gone
		{0, 0, 0.10, false},  // nothing before: nothing to compare
		{100, 150, 0.10, false},
		{100, 99, 0, true}, // 0 %: any fall stops
		{100, 0, 1, false}, // 100 %: never
	} {
		if _, over := fall(tc.before, tc.now, tc.allowed); over != tc.over {
			t.Errorf("fall(%d, %d, %v) over = %v", tc.before, tc.now, tc.allowed, over)
		}
	}
}

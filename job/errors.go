package job

import (
	"errors"
	"fmt"
	"io/fs"
	"path/filepath"
	"regexp"
	"strings"
	"syscall"

	"github.com/lacaudit/lacaudit/ingest"
)

// ResourceError is a run that failed for want of memory or disk, not for
// anything in the extracts (exit status 1). Its message names the cause
// and what to do, in one line.
type ResourceError struct{ Msg string }

func (e *ResourceError) Error() string { return e.Msg }

// YearError is an annual report asked for a year the extracts do not cover
// (exit status 3).
type YearError struct{ Msg string }

func (e *YearError) Error() string { return e.Msg }

// duckPath finds the first quoted absolute path in a DuckDB message.
var duckPath = regexp.MustCompile(`"(/[^"]+)"`)

// explain turns an error whose real cause is the machine's, out of memory
// or a full disk, into a *ResourceError that says so. DuckDB's own message
// for either runs to several lines (and a full disk reaches the user as
// "FATAL Error" from whatever statement came next), and a read that ran out
// of memory was reported as an unusable extract. Other errors are returned
// as they are.
func explain(err error, s Settings) error {
	if err == nil {
		return nil
	}
	msg := err.Error()
	switch {
	case strings.Contains(msg, "Out of Memory Error"):
		return &ResourceError{Msg: fmt.Sprintf(
			"the database ran out of memory (memory limit %s): run with a larger --memory-limit, such as 4GB (auto is the extract's size, at least 512MB), or with more memory free on this machine",
			memoryLimit(s.MemoryLimit, s.Input))}
	case errors.Is(err, syscall.ENOSPC) || strings.Contains(msg, "No space left on device"):
		return &ResourceError{Msg: "the disk is full: no space left to write in " + fullFolder(err, s) +
			"; free space there (or point --out or --db elsewhere) and run again"}
	}
	return err
}

// fullFolder names the folder a write found full: the one of the file that
// failed, or, when the error does not say, the output and database folders.
// Files in a run's staging folder (the workbook, the database's spill
// files) are named by the output folder the staging folder is in.
func fullFolder(err error, s Settings) string {
	path := ""
	var pe *fs.PathError
	if errors.As(err, &pe) {
		path = pe.Path
	} else if m := duckPath.FindStringSubmatch(err.Error()); m != nil {
		path = m[1]
	}
	if path == "" {
		dbDir := s.Out
		if s.DB != "" {
			dbDir = filepath.Dir(s.DB)
		}
		if dbDir == s.Out {
			return "the output folder " + s.Out
		}
		return "the output folder " + s.Out + " or the database's folder " + dbDir
	}
	dir := filepath.Dir(path)
	for d := dir; d != "/" && d != "."; d = filepath.Dir(d) {
		if strings.HasPrefix(filepath.Base(d), stagePrefix) {
			return filepath.Dir(d)
		}
	}
	return dir
}

// ExitStatus maps a command's error to the exit status the README
// documents: 0 for none, 3 for input that cannot be used (an
// *ingest.InputError, a *YearError), 4 for another run holding the folder
// (*LockError), 2 for a command line naming a file lacaudit will not use
// or an output folder of the other kind, raw or pseudonymised
// (*UsageError), 1 for anything else. (Package main
// maps its own usage errors to 2.)
func ExitStatus(err error) int {
	var ie *ingest.InputError
	var le *LockError
	var ye *YearError
	var ue *UsageError
	switch {
	case err == nil:
		return 0
	case errors.As(err, &ue):
		return 2
	case errors.As(err, &ie), errors.As(err, &ye):
		return 3
	case errors.As(err, &le):
		return 4
	}
	return 1
}

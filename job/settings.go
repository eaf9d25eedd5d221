// Package job runs lacaudit's commands end to end: it opens the database,
// loads the extracts, runs the audit and writes the reports, holding the
// lock on the output folder and moving the outputs into place only when the
// whole run succeeded.
package job

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"time"

	"github.com/lacaudit/lacaudit/config"
)

// Settings are a command's inputs.
type Settings struct {
	Input       string // folder of extracts; empty: the bundled sample, written into the command's private folder
	InputLabel  string // how reports name the input (the bundled sample has no useful path)
	Out         string // output folder
	DB          string // database file; empty: lacaudit.duckdb in the output folder
	AsOf        time.Time
	Config      *config.Config
	Threads     int // DuckDB's worker threads; 0: automatic (threads in memory.go)
	MemoryLimit string
	FileMode    os.FileMode // mode of output files (0600 unless configured)
	Template    string      // house-style workbook; empty: the bundled one
	Findings    string      // findings file format: auto (empty), csv, parquet or both (findings.go)
	// PseudonymKey, when set, pseudonymises children and workers in every output.
	PseudonymKey []byte
	Version      string
	// AcceptDrop accepts, for this run only, a fall that the partial-export
	// guard would stop the run for.
	AcceptDrop bool
}

// LockError says another run holds the output folder or the database
// (exit status 4).
type LockError struct {
	Path  string
	PID   int
	Doing string // what the other run is doing; empty: writing to this output folder
}

func (e *LockError) Error() string {
	doing := e.Doing
	if doing == "" {
		doing = "writing to this output folder"
	}
	return fmt.Sprintf("another lacaudit run (process %d) is %s (lock %s); wait for it to finish", e.PID, doing, e.Path)
}

// UsageError is a command line that names a file lacaudit will not use as
// asked, such as a --db that would replace an output (exit status 2).
type UsageError struct{ Msg string }

func (e *UsageError) Error() string { return e.Msg }

// DBSuffix is the ending a database file's name must have.
const DBSuffix = ".duckdb"

// checkDBPath says why path cannot be the database (nil when it can): its
// name must end in .duckdb (every file lacaudit writes or uses in an
// output folder, its outputs, dated and annual workbooks, lock files,
// staged and backup databases, has another ending, so the database cannot
// replace one of them), it must not be inside a staging folder, and what
// is at the path, if anything, must be a regular file: never a folder, and
// never a symbolic link, which lacaudit does not follow.
func checkDBPath(path string) error {
	abs, err := filepath.Abs(path)
	if err != nil {
		return fmt.Errorf("database %s: %w", path, err)
	}
	st, statErr := os.Lstat(abs)
	if statErr == nil && st.IsDir() {
		return &UsageError{Msg: fmt.Sprintf("database %s is a folder, not a file: name the database file itself", path)}
	}
	base := filepath.Base(abs)
	if !strings.HasSuffix(base, DBSuffix) || len(base) == len(DBSuffix) {
		return &UsageError{Msg: fmt.Sprintf("--db %s: the database file's name must end in %s (lacaudit would replace the file of that name with its database)", path, DBSuffix)}
	}
	for d := filepath.Dir(abs); d != "/" && d != "."; d = filepath.Dir(d) {
		if strings.HasPrefix(filepath.Base(d), stagePrefix) {
			return &UsageError{Msg: fmt.Sprintf("--db %s is inside a run's staging folder %s, which lacaudit removes: choose another folder", path, d)}
		}
	}
	switch {
	case os.IsNotExist(statErr):
		return nil
	case statErr != nil:
		return fmt.Errorf("database %s: %w", path, statErr)
	case st.Mode()&os.ModeSymlink != 0:
		return &UsageError{Msg: fmt.Sprintf("database %s is a symbolic link: lacaudit does not follow it; name the file itself, or remove the link", path)}
	case !st.Mode().IsRegular():
		return &UsageError{Msg: fmt.Sprintf("database %s is not a regular file: lacaudit does not use it", path)}
	}
	return nil
}

// permString is a file's permissions as chmod writes them, with the
// setuid, setgid and sticky bits: 1777 for a shared temporary folder.
func permString(st os.FileInfo) string {
	m := uint32(st.Mode().Perm())
	if sys, ok := st.Sys().(*syscall.Stat_t); ok {
		m = sys.Mode & 0o7777
	}
	return fmt.Sprintf("%04o", m)
}

// Package job runs lacaudit's commands end to end: it opens the database,
// loads the extracts, runs the audit and writes the reports, holding the
// lock on the output folder and moving the outputs into place only when the
// whole run succeeded.
package job

import (
	"fmt"
	"os"
	"time"

	"github.com/lacaudit/lacaudit/config"
)

// Settings are a command's inputs.
type Settings struct {
	Input       string // folder of extracts
	InputLabel  string // how reports name the input (the bundled sample has no useful path)
	Out         string // output folder
	DB          string // database file; empty: lacaudit.duckdb in the output folder
	AsOf        time.Time
	Config      *config.Config
	Threads     int
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

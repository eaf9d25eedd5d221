package job

import (
	"context"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"strings"

	"github.com/lacaudit/lacaudit/audit"
	"github.com/lacaudit/lacaudit/store"
)

// The formats of the findings file (--findings).
const (
	FindingsAuto    = "auto"    // csv up to FindingsAutoParquet findings, parquet above
	FindingsCSV     = "csv"     // findings.csv only
	FindingsParquet = "parquet" // findings.parquet only
	FindingsBoth    = "both"    // findings.csv and findings.parquet
)

// FindingsAutoParquet is the number of findings above which --findings
// auto writes findings.parquet instead of findings.csv: the rows of one
// Excel sheet under its header (1,048,576 rows in all). Below it
// findings.csv opens in Excel and is all a single authority (a few hundred
// thousand findings at most) needs. Above it only a regional or national
// extract's run goes: the CSV no longer opens whole in Excel, runs to
// gigabytes (1.3 GB at 300,000 children, 4 GB at a million), and its sort
// and write were a third of the whole run (docs/PERFORMANCE.md), while the
// Parquet file, a tenth of its size and typed, is what Power BI, pandas, R
// and DuckDB read at that size. A hub whose scripts read findings.csv says
// --findings both (or csv).
var FindingsAutoParquet int64 = 1_048_575

// CheckFindings checks the --findings value.
func CheckFindings(v string) error {
	switch v {
	case FindingsAuto, FindingsCSV, FindingsParquet, FindingsBoth:
		return nil
	}
	return fmt.Errorf("--findings %q: expected auto, csv, parquet or both", v)
}

// findingsFiles is the findings files a run writes for the --findings
// setting v (empty: auto) and n findings.
func findingsFiles(v string, n int64) []string {
	switch v {
	case FindingsCSV:
		return []string{"findings.csv"}
	case FindingsParquet:
		return []string{"findings.parquet"}
	case FindingsBoth:
		return []string{"findings.csv", "findings.parquet"}
	}
	if n > FindingsAutoParquet {
		return []string{"findings.parquet"}
	}
	return []string{"findings.csv"}
}

// writeFindingsFiles writes the findings files named into dir. Each sorts
// the findings: findings.csv copied from findings.parquet in the file's
// order was tried, and DuckDB did not keep that order when it read the
// file on several threads (docs/PERFORMANCE.md).
func writeFindingsFiles(ctx context.Context, db *store.DB, dir string, names []string) error {
	for _, n := range names {
		write := audit.WriteFindings
		if n == "findings.parquet" {
			write = audit.WriteFindingsParquet
		}
		if err := write(ctx, db, filepath.Join(dir, n)); err != nil {
			return err
		}
	}
	return nil
}

// removeStaleFindings removes from out the findings file of the format
// this run did not write: left there, an earlier night's findings.csv
// beside tonight's findings.parquet would be read as tonight's. It runs
// once the night's outputs are committed, so that a failed run keeps every
// earlier output; a run killed between the two leaves the older file until
// the next run, which removes it. A file that cannot be removed is logged.
func removeStaleFindings(out string, written []string, log *slog.Logger) {
	for _, n := range []string{"findings.csv", "findings.parquet"} {
		if containsName(written, n) {
			continue
		}
		err := os.Remove(filepath.Join(out, n))
		switch {
		case err == nil:
			log.Info("an earlier night's findings file of the format not written tonight removed", "file", n)
		case !os.IsNotExist(err):
			log.Warn("could not remove the findings file of the format not written tonight; it is an earlier night's", "file", n, "error", err)
		}
	}
}

func containsName(names []string, n string) bool {
	for _, x := range names {
		if x == n {
			return true
		}
	}
	return false
}

// findingsLabel names the findings files for the workbook's notes.
func findingsLabel(names []string) string { return strings.Join(names, " and ") }

package job

import (
	"fmt"
	"io"
	"os"

	"github.com/lacaudit/lacaudit/ingest"
)

// printReturns writes, for a folder of returns, how each file's collection
// year was read and what of it was used, for check's terminal.
func printReturns(w io.Writer, returns []ingest.ReturnFile) {
	if len(returns) == 0 {
		return
	}
	fmt.Fprintln(w, "\nreturns by collection year (the newest return's row of each record is used):")
	fmt.Fprintf(w, "%-9s %-20s %-40s %10s %10s %10s\n", "year", "table", "file", "read", "rejected", "used")
	for _, f := range returns {
		fmt.Fprintf(w, "%-9s %-20s %-40s %10d %10d %10d\n", f.Year, f.Table, f.Source, f.Read, f.Rejected, f.Used)
	}
	fmt.Fprintln(w)
}

// returnBytes is what the extracts of one folder of a folder of returns
// weigh for memoryLimit: a folder of returns is loaded whole, every return
// into one database.
func returnBytes(dir string) int64 {
	var size int64
	entries, _ := os.ReadDir(dir)
	for _, e := range entries {
		info, err := e.Info()
		if err != nil || !info.Mode().IsRegular() {
			continue
		}
		switch ingest.FormatOf(e.Name()) {
		case ingest.CSV:
			size += info.Size()
		case ingest.XLSX:
			size += info.Size() * xlsxExpansion
		}
	}
	return size
}

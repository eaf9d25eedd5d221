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
		size += extractBytes(e)
	}
	return size
}

// extractBytes is what one entry of an input folder weighs for
// memoryLimit: a CSV file its size, a workbook its size unpacked, anything
// else nothing.
func extractBytes(e os.DirEntry) int64 {
	info, err := e.Info()
	if err != nil || !info.Mode().IsRegular() {
		return 0
	}
	switch ingest.FormatOf(e.Name()) {
	case ingest.CSV:
		return info.Size()
	case ingest.XLSX:
		return info.Size() * xlsxExpansion
	}
	return 0
}

// overThreshold says whether more of table t's rows were rejected than the
// threshold allows, and names the source and the share: the table's, or,
// in a folder of returns, that of the first return's file over it (each
// return's file is held to the threshold on its own, so that a broken
// older return is not hidden by the good ones).
func overThreshold(res *ingest.Result, t ingest.TableStat, threshold float64) (source, share string, over bool) {
	shareOf := func(rejected, read int64) string {
		return fmt.Sprintf("%d of %d rows rejected (%.1f %%)", rejected, read, 100*float64(rejected)/float64(read))
	}
	for _, f := range res.Returns {
		if f.Table == t.Table && f.Read > 0 && float64(f.Rejected) > threshold*float64(f.Read) {
			return f.Source, shareOf(f.Rejected, f.Read), true
		}
	}
	if t.Read == 0 || float64(t.Rejected) <= threshold*float64(t.Read) {
		return "", "", false
	}
	return t.Source, shareOf(t.Rejected, t.Read), true
}

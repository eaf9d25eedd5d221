package ingest

import (
	"bufio"
	"fmt"
	"io"
	"os"
	"sort"
)

// recordLines walks a CSV file once to find the physical line (header = 1)
// on which records start, as DuckDB's reader split them: a quoted field may
// span lines and blank lines are skipped. rejected holds the byte offsets of
// the records DuckDB rejected; the other records after the header are the
// accepted ones, numbered from 0 in file order, as the rows of the staging
// table are. It returns the lines of the wanted accepted records and of the
// rejected ones (by byte offset).
//
// It runs only for files that have rejected rows.
func recordLines(path string, rejected map[int64]bool, wanted []int64) (map[int64]int64, map[int64]int64, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, nil, fmt.Errorf("open %s: %w", path, err)
	}
	defer f.Close()
	want := append([]int64(nil), wanted...)
	sort.Slice(want, func(i, j int) bool { return want[i] < want[j] })
	lines := map[int64]int64{}
	rejLines := map[int64]int64{}

	br := bufio.NewReaderSize(f, 1<<20)
	var (
		pos, line         int64 = 0, 1
		start, startLine  int64 = 0, 1
		inQuote, nonEmpty bool
		record, ord       int64 = 0, 0
		wi                int
		remainingRejected = len(rejected)
	)
	endRecord := func() {
		if nonEmpty {
			if record > 0 {
				if rejected[start] {
					rejLines[start] = startLine
					remainingRejected--
				} else {
					for wi < len(want) && want[wi] == ord {
						lines[ord] = startLine
						wi++
					}
					ord++
				}
			}
			record++
		}
		nonEmpty = false
	}
	for {
		if wi >= len(want) && remainingRejected <= 0 {
			break
		}
		b, err := br.ReadByte()
		if err == io.EOF {
			endRecord()
			break
		}
		if err != nil {
			return nil, nil, fmt.Errorf("read %s: %w", path, err)
		}
		if !nonEmpty && b != '\r' && b != '\n' {
			if !(pos < 3 && record == 0 && (b == 0xEF || b == 0xBB || b == 0xBF)) {
				nonEmpty = true
			}
		}
		switch b {
		case '"':
			inQuote = !inQuote
		case '\n':
			line++
			if !inQuote {
				endRecord()
				start, startLine = pos+1, line
			}
		}
		pos++
	}
	return lines, rejLines, nil
}

package ingest

import (
	"bufio"
	"fmt"
	"io"
	"os"
	"sort"
)

// recordLines walks a CSV file once to find the physical line (header = 1)
// on which records start. DuckDB's reader numbers a file's "lines" as
// records and blank lines, a quoted field spanning lines counting once;
// rejected holds the numbers it gave the records it rejected. The other
// records after the header are the accepted ones, numbered from 0 in file
// order as the rows of the staging table are. It returns the physical lines
// of the wanted accepted records and of the rejected ones (by DuckDB's
// number).
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
		line, startLine   int64 = 1, 1
		duckLine, ord     int64 = 0, 0
		inQuote, nonEmpty bool
		headerSeen        bool
		wi                int
		remainingRejected = len(rejected)
		first             = true
	)
	endLine := func() {
		duckLine++
		if nonEmpty {
			switch {
			case !headerSeen:
				headerSeen = true
			case rejected[duckLine]:
				rejLines[duckLine] = startLine
				remainingRejected--
			default:
				for wi < len(want) && want[wi] == ord {
					lines[ord] = startLine
					wi++
				}
				ord++
			}
		}
		nonEmpty = false
	}
	for wi < len(want) || remainingRejected > 0 {
		b, err := br.ReadByte()
		if err == io.EOF {
			if nonEmpty {
				endLine()
			}
			break
		}
		if err != nil {
			return nil, nil, fmt.Errorf("read %s: %w", path, err)
		}
		if first && b == 0xEF {
			// A UTF-8 byte order mark is not content.
			if _, err := br.Discard(2); err != nil {
				return nil, nil, fmt.Errorf("read %s: %w", path, err)
			}
			first = false
			continue
		}
		first = false
		switch b {
		case '"':
			inQuote = !inQuote
			nonEmpty = true
		case '\n':
			line++
			if !inQuote {
				endLine()
				startLine = line
			}
		case '\r':
		default:
			nonEmpty = true
		}
	}
	return lines, rejLines, nil
}

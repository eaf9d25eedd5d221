package ingest

import (
	"context"
	"fmt"
	"strings"

	"github.com/lacaudit/lacaudit/store"
)

// Date formats DATA.md accepts, in strptime notation.
const (
	formatDMY = "%d/%m/%Y"
	formatISO = "%Y-%m-%d"
)

// sniffRows is how many data rows the date sniff looks at.
const sniffRows = 2000

// sniffDates looks at the first rows of a CSV file to see which of the two
// accepted date formats each date column uses. It returns the format that
// DuckDB's reader will parse natively (one per file) and the header
// positions of the date columns read with it. Date columns in the other
// format, in both, or empty in the sample are read as text and parsed by
// lac_date instead, so both formats are always accepted; the native path is
// only the fast one.
func sniffDates(ctx context.Context, db *store.DB, path string, cols []*Column) (string, map[int]bool, error) {
	var exprs []string
	var pos []int
	for i, c := range cols {
		if c != nil && c.Kind == Date {
			exprs = append(exprs,
				fmt.Sprintf("count(*) FILTER (WHERE lac_dmy_shape(c%d))", i),
				fmt.Sprintf("count(*) FILTER (WHERE lac_iso_shape(c%d))", i))
			pos = append(pos, i)
		}
	}
	if len(pos) == 0 {
		return "", nil, nil
	}
	types := make([]string, len(cols))
	for i := range cols {
		types[i] = fmt.Sprintf("'c%d': 'VARCHAR'", i)
	}
	q := fmt.Sprintf(`SELECT %s FROM (SELECT * FROM read_csv($1, header = true, auto_detect = false, delim = ',',
		quote = '"', escape = '"', columns = {%s}, null_padding = true, ignore_errors = true) LIMIT %d)`,
		strings.Join(exprs, ", "), strings.Join(types, ", "), sniffRows)
	counts := make([]int64, len(exprs))
	ptrs := make([]any, len(exprs))
	for i := range counts {
		ptrs[i] = &counts[i]
	}
	if err := db.QueryRowContext(ctx, q, path).Scan(ptrs...); err != nil {
		// The file cannot even be sampled: read every date as text and let
		// the full read report what is wrong with it.
		return "", nil, nil
	}
	var dmyCols, isoCols []int
	for k, i := range pos {
		dmy, iso := counts[2*k], counts[2*k+1]
		switch {
		case dmy > 0 && iso == 0:
			dmyCols = append(dmyCols, i)
		case iso > 0 && dmy == 0:
			isoCols = append(isoCols, i)
		}
	}
	chosen, format := dmyCols, formatDMY
	if len(isoCols) > len(dmyCols) {
		chosen, format = isoCols, formatISO
	}
	if len(chosen) == 0 {
		return "", nil, nil
	}
	native := map[int]bool{}
	for _, i := range chosen {
		native[i] = true
	}
	return format, native, nil
}

package ingest

import (
	"context"
	"fmt"
	"regexp"
	"strings"
	"time"

	"github.com/lacaudit/lacaudit/store"
)

func loadCSV(ctx context.Context, db *store.DB, t Table, s Source, header []string, cf *csvFile) (TableStat, error) {
	st := TableStat{Table: t.Name, Source: s.Label(), Path: s.Path, Present: true, Encoding: cf.encoding, SHA256: cf.sha256}
	cols, unknown, err := columnMap(t, s.Label(), header)
	if err != nil {
		return st, err
	}
	st.Unknown = unknown
	for _, c := range cols {
		if c != nil {
			st.Columns = append(st.Columns, c.Name)
		}
	}
	format, native, err := sniffDates(ctx, db, cf.path, cols)
	if err != nil {
		return st, err
	}
	stageName := "stage_" + t.Name
	rejTable, rejScan := "csv_rejects_"+t.Name, "csv_scans_"+t.Name
	var stage []stageColumn
	var structural []reject
	for {
		stage, err = stageCSV(ctx, db, s, cf.path, cols, format, native, stageName, rejTable, rejScan)
		if err != nil {
			return st, err
		}
		// Rows DuckDB's reader rejected: wrong column count, bad quoting,
		// invalid UTF-8, a date or whole number that is not one, an
		// over-long line.
		structural, err = readCSVRejects(ctx, db, rejTable, header, cols)
		if err != nil {
			return st, fmt.Errorf("read rejects of %s: %w", s.Label(), err)
		}
		// A natively read date column that holds the other accepted format
		// further down than the sniff looked is read again as text.
		again := false
		for _, r := range structural {
			if r.dateIdx >= 0 && native[r.dateIdx] && validDate(r.value) {
				delete(native, r.dateIdx)
				again = true
			}
		}
		// So is one in which the reader took a year of fewer than four
		// digits (it reads 1/2/24 as the year 24): as text, lac_date rejects
		// such a value with its line, as DATA.md says.
		short, err := shortYears(ctx, db, stageName, cols, native)
		if err != nil {
			return st, fmt.Errorf("check dates of %s: %w", s.Label(), err)
		}
		for _, i := range short {
			delete(native, i)
			again = true
		}
		if !again {
			break
		}
	}
	valueRejects, accepted, err := validate(ctx, db, t, stageName, stage, "rowid")
	if err != nil {
		return st, fmt.Errorf("check values of %s: %w", s.Label(), err)
	}
	rejectedLines := distinctLines(structural)
	warns, err := unexpectedValues(ctx, db, t, stageName, stage, "rowid", valueRejects)
	if err != nil {
		return st, fmt.Errorf("check values of %s: %w", s.Label(), err)
	}
	if len(structural) > 0 || len(valueRejects) > 0 || len(warns) > 0 {
		var ords []int64
		for _, r := range valueRejects {
			ords = append(ords, r.ord)
		}
		for _, w := range warns {
			ords = append(ords, w.ord)
		}
		lines, rejLines, err := recordLines(cf.path, rejectedLines, ords)
		if err != nil {
			return st, err
		}
		var all []reject
		crSeen := map[int64]bool{}
		for _, r := range structural {
			r.line = rejLines[r.duckLine]
			if cf.crLines[r.line] {
				// The record's bare carriage return, which the private copy
				// turned into a byte the reader rejects.
				if crSeen[r.line] {
					continue
				}
				crSeen[r.line] = true
				r.column, r.value, r.reason = "", "", "a carriage return inside a value that is not quoted"
			}
			all = append(all, r)
		}
		for _, r := range valueRejects {
			r.line = lines[r.ord]
			all = append(all, r)
		}
		if err := insertRejects(ctx, db, s, t, all); err != nil {
			return st, err
		}
		for i := range warns {
			warns[i].line = lines[warns[i].ord]
		}
		if err := insertWarnings(ctx, db, s, t, warns); err != nil {
			return st, err
		}
		st.Rejected = int64(len(rejectedLines)) + countDistinctOrds(valueRejects)
	}
	st.Read = accepted + int64(len(rejectedLines))
	if st.Read != cf.records {
		// A row neither read nor rejected (DuckDB's reader passes over a
		// line longer than it reads, for one): the file is not read in part.
		return st, inputErrorf("%s holds %d rows of data, but %d were read or rejected: some rows could not be read at all (a line of many megabytes?); export it again", s.Label(), cf.records, st.Read)
	}
	if err := createTyped(ctx, db, t, stage, stageName, len(valueRejects) > 0); err != nil {
		return st, err
	}
	for _, stmt := range []string{"DROP TABLE " + stageName, "DROP TABLE IF EXISTS " + rejTable, "DROP TABLE IF EXISTS " + rejScan} {
		if _, err := db.ExecContext(ctx, stmt); err != nil {
			return st, fmt.Errorf("tidy %s: %w", s.Label(), err)
		}
	}
	return st, nil
}

// shortYears returns the natively read date columns of the staging table
// that hold a year before 1000: the reader's %Y also takes a year of one to
// three digits, which DATA.md does not accept (and no record of a child in
// care is that old, so a column with one is rare enough to read again).
func shortYears(ctx context.Context, db *store.DB, stageName string, cols []*Column, native map[int]bool) ([]int, error) {
	var idx []int
	var exprs []string
	for i, c := range cols {
		if c != nil && c.Kind == Date && native[i] {
			idx = append(idx, i)
			exprs = append(exprs, fmt.Sprintf("coalesce(bool_or(year(%s) < 1000), false)", c.SQLName()))
		}
	}
	if len(idx) == 0 {
		return nil, nil
	}
	got := make([]bool, len(idx))
	ptrs := make([]any, len(idx))
	for k := range got {
		ptrs[k] = &got[k]
	}
	if err := db.QueryRowContext(ctx, "SELECT "+strings.Join(exprs, ", ")+" FROM "+stageName).Scan(ptrs...); err != nil {
		return nil, err
	}
	var out []int
	for k, short := range got {
		if short {
			out = append(out, idx[k])
		}
	}
	return out, nil
}

// stageCSV reads a CSV file with DuckDB's reader into a temporary staging
// table. Every file column is read by position (c0, c1, ...), so that no
// name from the file ever reaches the SQL text; dates in the file's sniffed
// format are typed by the reader itself, so a bad one is a reject with its
// line, and the rest is text for the SQL checks. (Whole numbers are text
// too: the reader's BIGINT takes 1.5 and 1e3.)
func stageCSV(ctx context.Context, db *store.DB, s Source, path string, cols []*Column, format string, native map[int]bool,
	stageName, rejTable, rejScan string) ([]stageColumn, error) {
	var types, sel []string
	var stage []stageColumn
	for i, c := range cols {
		typ, typed := "VARCHAR", false
		switch {
		case c != nil && c.Kind == Date && native[i]:
			typ, typed = "DATE", true
		}
		types = append(types, fmt.Sprintf("'c%d': '%s'", i, typ))
		if c != nil {
			sel = append(sel, fmt.Sprintf("c%d AS %s", i, c.SQLName()))
			stage = append(stage, stageColumn{col: *c, typed: typed})
		}
	}
	dateFormat := ""
	if len(native) > 0 {
		dateFormat = fmt.Sprintf("dateformat = '%s',", format)
	}
	q := fmt.Sprintf(`CREATE OR REPLACE TEMP TABLE %s AS SELECT %s FROM read_csv($1,
		header = true, auto_detect = false, delim = ',', quote = '"', escape = '"', %s
		columns = {%s}, null_padding = false, strict_mode = true,
		store_rejects = true, rejects_table = '%s', rejects_scan = '%s')`,
		stageName, strings.Join(sel, ", "), dateFormat, strings.Join(types, ", "), rejTable, rejScan)
	for _, drop := range []string{rejTable, rejScan} {
		if _, err := db.ExecContext(ctx, "DROP TABLE IF EXISTS "+drop); err != nil {
			return nil, err
		}
	}
	if _, err := db.ExecContext(ctx, q, path); err != nil {
		return nil, &InputError{Msg: fmt.Sprintf("%s cannot be read as CSV: %s", s.Label(), readerProblem(err))}
	}
	return stage, nil
}

// validDate says whether s is a date in one of DATA.md's formats: the Go
// twin of the SQL macro lac_date (ingest/sql/setup.sql), which a fuzz test
// holds it to.
func validDate(s string) bool {
	s = strings.Trim(s, " \t\n\v\f\r")
	layout := "2006-01-02"
	switch {
	case dmyShape.MatchString(s):
		layout = "2/1/2006"
	case !isoShape.MatchString(s):
		return false
	}
	// A time part (midnight: the shapes allow no other) is not the date.
	if i := strings.IndexAny(s, " T"); i >= 0 {
		s = s[:i]
	}
	_, err := time.Parse(layout, s)
	return err == nil
}

// The shapes of lac_dmy_shape and lac_iso_shape: a date, and optionally a
// time part that is midnight, as case-system exports often add.
var (
	dmyShape = regexp.MustCompile(`^[0-9]{1,2}/[0-9]{1,2}/[0-9]{4}( 00:00(:00)?)?$`)
	isoShape = regexp.MustCompile(`^[0-9]{4}-[0-9]{2}-[0-9]{2}([T ]00:00(:00(\.0+)?)?Z?)?$`)
)

func readCSVRejects(ctx context.Context, db *store.DB, table string, header []string, cols []*Column) ([]reject, error) {
	rows, err := db.QueryContext(ctx, fmt.Sprintf(
		`SELECT line, coalesce(column_idx, 0), error_type, coalesce(csv_line, ''), coalesce(error_message, '')
		 FROM %s ORDER BY line, column_idx`, table))
	if err != nil {
		if strings.Contains(err.Error(), "does not exist") {
			return nil, nil
		}
		return nil, err
	}
	defer rows.Close()
	var out []reject
	for rows.Next() {
		var duckLine, idx int64
		var typ, line, msg string
		if err := rows.Scan(&duckLine, &idx, &typ, &line, &msg); err != nil {
			return nil, err
		}
		r := reject{ord: -1, duckLine: duckLine, dateIdx: -1}
		if idx >= 1 && int(idx) <= len(header) {
			r.column = header[idx-1]
		}
		line = strings.TrimLeft(line, "\r\n")
		switch typ {
		case "CAST":
			r.value = fieldOf(line, int(idx)-1)
			r.reason = "not a whole number"
			if i := int(idx) - 1; i >= 0 && i < len(cols) && cols[i] != nil && cols[i].Kind == Date {
				r.reason = "not a date (expected dd/mm/yyyy or yyyy-mm-dd)"
				r.dateIdx = i
			}
		case "TOO MANY COLUMNS", "MISSING COLUMNS":
			r.reason = fmt.Sprintf("wrong number of fields: expected %d, %s", len(header), lowerFirst(afterColon(msg)))
			r.value = clip(line, 200)
		case "UNQUOTED VALUE", "UNTERMINATED QUOTE":
			r.reason = "a quote character inside a value that is not quoted"
			if strings.Count(line, `"`)%2 == 1 {
				r.reason = "a quoted value is never closed"
			}
			r.value = clip(strings.TrimRight(line, "\r\n"), 200)
		case "INVALID ENCODING", "INVALID UNICODE":
			r.reason = "not valid UTF-8 text"
			r.value = strings.ToValidUTF8(clip(line, 200), "?")
		case "LINE SIZE OVER MAXIMUM":
			r.reason = "line longer than the maximum line size"
			r.value = clip(line, 200)
		default:
			// DuckDB's message can quote the line: the reason does not.
			r.reason = strings.ToLower(typ)
			r.value = clip(line, 200)
		}
		out = append(out, r)
	}
	return out, rows.Err()
}

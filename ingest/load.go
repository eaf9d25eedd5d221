package ingest

import (
	"context"
	"crypto/sha256"
	"database/sql/driver"
	_ "embed"
	"encoding/csv"
	"encoding/hex"
	"fmt"
	"io"
	"math"
	"os"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"

	duckdb "github.com/duckdb/duckdb-go/v2"
	"github.com/xuri/excelize/v2"

	"github.com/lacaudit/lacaudit/store"
)

//go:embed sql/setup.sql
var setupSQL string

// Options control a load.
type Options struct {
	// Dir is the folder of extracts.
	Dir string
	// RejectThreshold is the share of a table's rows that may be rejected
	// before the extract is judged unusable (0.05 is 5 %).
	RejectThreshold float64
	// TempDir is a private folder for copies of extracts DuckDB cannot read
	// as they are and for the workbooks' unpacked sheets; empty: a new
	// private folder in the system's temporary folder.
	TempDir string
	// MemoryLimit is the run's memory limit in bytes (0: 1 GB); it bounds
	// what a workbook may unpack in memory (DefaultLimits).
	MemoryLimit int64
}

// TableStat is what was read of one table.
type TableStat struct {
	Table    string
	Source   string // label of the file or sheet; empty when the table is absent
	Path     string
	Present  bool
	Read     int64 // data rows read (accepted and rejected)
	Rejected int64 // rows rejected
	SHA256   string
	Encoding string   // how a CSV file was encoded (EncodingUTF8 and others); empty for XLSX
	Columns  []string // contract columns present in the file
	Unknown  []string // columns in the file that the contract does not know
}

// Result is what a load found.
type Result struct {
	Tables  []TableStat
	Ignored []string // files and sheets that are not tables of the contract
	// Files accounts for every file of the input folder and sheet of its
	// workbooks: the table read from it, or why it was not read.
	Files []InputFile
}

// Table returns the statistics of the named table.
func (r *Result) Table(name string) TableStat {
	for _, t := range r.Tables {
		if t.Table == name {
			return t
		}
	}
	return TableStat{Table: name}
}

// Load reads every table of the contract from o.Dir into db: one typed table
// per contract table (empty when absent), and the tables input_tables,
// input_columns, rejects and ignored_sources that describe what was read.
// An unusable extract (a missing core table or required column, too many
// rejected rows) is an *InputError.
func Load(ctx context.Context, db *store.DB, o Options) (*Result, error) {
	tmp, cleanup, err := stagingDir(o.TempDir)
	if err != nil {
		return nil, err
	}
	defer cleanup()
	d, err := discover(o.Dir, tmp, DefaultLimits(o.MemoryLimit))
	if err != nil {
		return nil, err
	}
	defer d.Close()
	// Check every CSV file's encoding, rows and header before loading
	// anything, so that a damaged file or a missing column is reported
	// before minutes are spent on the other tables.
	csvs, err := prepareAll(d, tmp)
	if err != nil {
		return nil, err
	}
	plans := map[string][]string{}
	for _, t := range Tables {
		s, ok := d.Sources[t.Name]
		if !ok || s.Sheet != "" {
			continue
		}
		h, err := readCSVHeader(csvs[t.Name].path, s.Label())
		if err != nil {
			return nil, err
		}
		if _, _, err := columnMap(t, s.Label(), h); err != nil {
			return nil, err
		}
		plans[t.Name] = h
	}
	if err := db.Exec(ctx, "setup", setupSQL); err != nil {
		return nil, err
	}
	res := &Result{Ignored: d.Ignored, Files: d.Files}
	for i, f := range res.Files {
		if c, ok := csvs[f.Table]; ok && f.Table != "" && d.Sources[f.Table].Sheet == "" {
			res.Files[i].Encoding = c.encoding
		}
	}
	var ignored [][]any
	for _, f := range d.Files {
		if f.Table == "" {
			ignored = append(ignored, []any{f.Name, f.Why})
		}
	}
	if err := db.InsertRows(ctx, "ignored_sources", ignored); err != nil {
		return nil, err
	}
	stats, err := loadTables(ctx, db, d, plans, csvs)
	if err != nil {
		return nil, err
	}
	// A core table with no rows is an export that went wrong, not a
	// council with no children: reading it would report every review missed.
	for i, t := range Tables {
		if st := stats[i]; t.Core && st.Read == 0 {
			return nil, inputErrorf("%s has no data rows (only its header): the core table %s cannot be empty; is the export complete?", st.Source, t.Name)
		}
	}
	var tables, columns [][]any
	for i, t := range Tables {
		st := stats[i]
		tables = append(tables, []any{st.Table, st.Source, st.Present, st.Read, st.Rejected, st.SHA256, t.Core, st.Encoding})
		for _, c := range st.Columns {
			columns = append(columns, []any{st.Table, c, true})
		}
		for _, c := range st.Unknown {
			columns = append(columns, []any{st.Table, c, false})
		}
		res.Tables = append(res.Tables, st)
	}
	if err := db.InsertRows(ctx, "input_tables", tables); err != nil {
		return nil, err
	}
	if err := db.InsertRows(ctx, "input_columns", columns); err != nil {
		return nil, err
	}
	var over []string
	for _, st := range res.Tables {
		if st.Read > 0 && float64(st.Rejected) > o.RejectThreshold*float64(st.Read) {
			over = append(over, fmt.Sprintf("%s: %d of %d rows rejected (%.1f %%)", st.Source, st.Rejected, st.Read, 100*float64(st.Rejected)/float64(st.Read)))
		}
	}
	if len(over) > 0 {
		return res, &InputError{Msg: fmt.Sprintf("too many rejected rows (threshold %.1f %%), the export looks broken: %s", 100*o.RejectThreshold, strings.Join(over, "; ")), Rejects: true}
	}
	return res, nil
}

// parallelLoads is how many tables are loaded at once, each on a
// connection of its own: a table's load is a dozen statements, several of
// them on one core (the date sniff, the checks of values, small tables), so
// two at once keep both cores of a small machine busy.
const parallelLoads = 2

// loadTables loads every table of the contract, parallelLoads at a time, and
// returns their statistics in Tables order. Of several failures, the one of
// the first table in that order is returned, so that the message does not
// depend on timing.
func loadTables(ctx context.Context, db *store.DB, d *Discovery, plans map[string][]string, csvs map[string]*csvFile) ([]TableStat, error) {
	var conns []*store.DB
	defer func() {
		for _, c := range conns {
			_ = c.Close()
		}
	}()
	for range parallelLoads {
		c, err := db.Fork(ctx)
		if err != nil {
			return nil, err
		}
		conns = append(conns, c)
	}
	stats := make([]TableStat, len(Tables))
	errs := make([]error, len(Tables))
	next := make(chan int)
	go func() {
		defer close(next)
		for i := range Tables {
			next <- i
		}
	}()
	var wg sync.WaitGroup
	for _, conn := range conns {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range next {
				stats[i], errs[i] = loadTable(ctx, conn, Tables[i], d, plans, csvs)
			}
		}()
	}
	wg.Wait()
	for _, err := range errs {
		if err != nil {
			return nil, err
		}
	}
	return stats, nil
}

// loadTable loads one table of the contract into its typed table, empty
// when the extract does not have it.
func loadTable(ctx context.Context, db *store.DB, t Table, d *Discovery, plans map[string][]string, csvs map[string]*csvFile) (TableStat, error) {
	s, ok := d.Sources[t.Name]
	switch {
	case !ok:
		return TableStat{Table: t.Name}, createTyped(ctx, db, t, nil, "", false)
	case s.Sheet == "":
		return loadCSV(ctx, db, t, s, plans[t.Name], csvs[t.Name])
	default:
		return loadXLSX(ctx, db, t, s, d.books[s.Path])
	}
}

// prepareAll prepares every CSV file of the discovery (prepareCSV), two at
// a time, and returns them by table. Of several failures, the first
// table's in Tables order is returned.
func prepareAll(d *Discovery, tmp string) (map[string]*csvFile, error) {
	files := make([]*csvFile, len(Tables))
	errs := make([]error, len(Tables))
	sem := make(chan struct{}, parallelLoads)
	var wg sync.WaitGroup
	for i, t := range Tables {
		s, ok := d.Sources[t.Name]
		if !ok || s.Sheet != "" {
			continue
		}
		wg.Add(1)
		sem <- struct{}{}
		go func() {
			defer wg.Done()
			defer func() { <-sem }()
			files[i], errs[i] = prepareCSV(s, tmp)
		}()
	}
	wg.Wait()
	out := map[string]*csvFile{}
	for i, t := range Tables {
		if errs[i] != nil {
			return nil, errs[i]
		}
		if files[i] != nil {
			out[t.Name] = files[i]
		}
	}
	return out, nil
}

// stageColumn is one column of a staging table: the raw text (or, for CSV
// date columns in the sniffed format, the date DuckDB's reader already typed).
type stageColumn struct {
	col   Column
	typed bool // the staging column already has the final type
}

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

type hashResult struct {
	sum string
	err error
}

func fileSHA256(path string) hashResult {
	f, err := os.Open(path)
	if err != nil {
		return hashResult{err: fmt.Errorf("open %s: %w", path, err)}
	}
	defer f.Close()
	h := sha256.New()
	if _, err := io.Copy(h, f); err != nil {
		return hashResult{err: fmt.Errorf("read %s: %w", path, err)}
	}
	return hashResult{sum: hex.EncodeToString(h.Sum(nil))}
}

// reject is one rejected value or line.
type reject struct {
	ord      int64 // ordinal of the accepted record (value rejects), or -1
	duckLine int64 // DuckDB's line number of a record its reader rejected
	dateIdx  int   // header position of a date the reader could not read, or -1
	line     int64 // the file's own line number (header = 1), or sheet row
	column   string
	value    string
	reason   string
}

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

func afterColon(s string) string {
	if i := strings.LastIndex(s, ":"); i >= 0 {
		return strings.TrimSpace(s[i+1:]) + " found"
	}
	return s
}

func lowerFirst(s string) string {
	if s == "" {
		return s
	}
	return strings.ToLower(s[:1]) + s[1:]
}

func clip(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n] + "…"
}

func fieldOf(line string, i int) string {
	r := csv.NewReader(strings.NewReader(line))
	r.FieldsPerRecord = -1
	r.LazyQuotes = true
	rec, err := r.Read()
	if err != nil || i < 0 || i >= len(rec) {
		return clip(line, 200)
	}
	return rec[i]
}

func distinctLines(rs []reject) map[int64]bool {
	m := map[int64]bool{}
	for _, r := range rs {
		m[r.duckLine] = true
	}
	return m
}

func countDistinctOrds(rs []reject) int64 {
	m := map[int64]bool{}
	for _, r := range rs {
		m[r.ord] = true
	}
	return int64(len(m))
}

// typedExpr is the SQL that turns a staging column into its final value.
func typedExpr(sc stageColumn) string {
	n := sc.col.SQLName()
	switch sc.col.Kind {
	case Code:
		return fmt.Sprintf("nullif(upper(trim(%s)), '')", n)
	case Date:
		if sc.typed {
			return n
		}
		return fmt.Sprintf("lac_date(%s)", n)
	case Flag:
		return fmt.Sprintf("lac_flag(%s)", n)
	case Int:
		// digits only: DuckDB's cast also takes 1.5 (as 2) and 1e3
		return fmt.Sprintf("CASE WHEN regexp_full_match(trim(%[1]s), '[0-9]+') THEN try_cast(trim(%[1]s) AS BIGINT) END", n)
	}
	return fmt.Sprintf("nullif(trim(%s), '')", n)
}

func sqlType(k Kind) string {
	switch k {
	case Date:
		return "DATE"
	case Flag:
		return "BOOLEAN"
	case Int:
		return "BIGINT"
	}
	return "VARCHAR"
}

// badChecks returns, for one staging column, the conditions that reject a
// row with their reasons.
func badChecks(sc stageColumn) [][2]string {
	n := sc.col.SQLName()
	typed := typedExpr(sc)
	present := fmt.Sprintf("nullif(trim(%s), '') IS NOT NULL", n)
	if sc.typed {
		present = n + " IS NOT NULL"
	}
	var out [][2]string
	if sc.col.NotNull {
		out = append(out, [2]string{fmt.Sprintf("NOT (%s)", present), "required value is empty"})
	}
	switch sc.col.Kind {
	case Date:
		if !sc.typed {
			out = append(out, [2]string{fmt.Sprintf("%s AND %s IS NULL", present, typed), "not a date (expected dd/mm/yyyy or yyyy-mm-dd)"})
		}
	case Flag:
		out = append(out, [2]string{fmt.Sprintf("%s AND %s IS NULL", present, typed), "not a flag (expected Y/N, Yes/No, 1/0 or TRUE/FALSE)"})
	case Int:
		out = append(out, [2]string{fmt.Sprintf("%s AND %s IS NULL", present, typed), "not a whole number"})
	}
	if len(sc.col.Allowed) > 0 {
		q := make([]string, len(sc.col.Allowed))
		for i, a := range sc.col.Allowed {
			q[i] = store.Quote(a)
		}
		out = append(out, [2]string{fmt.Sprintf("%s IS NOT NULL AND %s NOT IN (%s)", typed, typed, strings.Join(q, ", ")),
			"not one of " + strings.Join(sc.col.Allowed, ", ")})
	}
	if sc.col.Pattern != "" {
		out = append(out, [2]string{fmt.Sprintf("%s IS NOT NULL AND NOT regexp_full_match(%s, %s)", typed, typed, store.Quote(sc.col.Pattern)), sc.col.PatternText})
	}
	return out
}

// validate finds the staged rows whose values cannot be read, one reject per
// bad value, and counts the staged rows. ordExpr names each row: its rowid
// (CSV, mapped to a line later) or its sheet row (XLSX). The staging table
// is scanned once, for the rows that fail any check (usually none), and
// only those are then sorted out check by check.
func validate(ctx context.Context, db *store.DB, t Table, stage string, cols []stageColumn, ordExpr string) ([]reject, int64, error) {
	var failing, parts []string
	for _, sc := range cols {
		for _, chk := range badChecks(sc) {
			failing = append(failing, "("+chk[0]+")")
			parts = append(parts, fmt.Sprintf("SELECT ord, %s AS col, coalesce(%s::VARCHAR, '') AS val, %s AS reason FROM bad WHERE %s",
				store.Quote(sc.col.Name), sc.col.SQLName(), store.Quote(chk[1]), chk[0]))
		}
	}
	var n int64
	if err := db.QueryRowContext(ctx, "SELECT count(*) FROM "+stage).Scan(&n); err != nil {
		return nil, 0, err
	}
	if len(parts) == 0 {
		return nil, n, nil
	}
	q := fmt.Sprintf("WITH bad AS MATERIALIZED (SELECT %s AS ord, * FROM %s WHERE %s)\n%s\nORDER BY ord, col",
		ordExpr, stage, strings.Join(failing, " OR "), strings.Join(parts, "\nUNION ALL\n"))
	rows, err := db.QueryContext(ctx, q)
	if err != nil {
		return nil, 0, err
	}
	defer rows.Close()
	var out []reject
	for rows.Next() {
		r := reject{duckLine: -1, dateIdx: -1}
		if err := rows.Scan(&r.ord, &r.column, &r.value, &r.reason); err != nil {
			return nil, 0, err
		}
		r.value = clip(r.value, 200)
		out = append(out, r)
	}
	return out, n, rows.Err()
}

// createTyped creates the table t from its staging table, leaving out the
// rows with values that cannot be read when validate found any (filter);
// with no staging table it creates t empty. Every contract column exists in
// the result: one absent from the file is NULL throughout (input_columns
// says which were present).
func createTyped(ctx context.Context, db *store.DB, t Table, stage []stageColumn, stageName string, filter bool) error {
	byName := map[string]stageColumn{}
	for _, sc := range stage {
		byName[sc.col.Name] = sc
	}
	var sel, valid []string
	for _, c := range t.Columns {
		if sc, ok := byName[c.Name]; ok {
			sel = append(sel, fmt.Sprintf("%s AS %s", typedExpr(sc), c.SQLName()))
			for _, chk := range badChecks(sc) {
				valid = append(valid, fmt.Sprintf("NOT coalesce(%s, false)", chk[0]))
			}
		} else {
			sel = append(sel, fmt.Sprintf("NULL::%s AS %s", sqlType(c.Kind), c.SQLName()))
		}
	}
	var q string
	if stageName == "" {
		q = fmt.Sprintf("CREATE OR REPLACE TABLE %s AS SELECT %s LIMIT 0", t.Name, strings.Join(sel, ", "))
	} else {
		where := "true"
		if filter && len(valid) > 0 {
			where = strings.Join(valid, " AND ")
		}
		q = fmt.Sprintf("CREATE OR REPLACE TABLE %s AS SELECT %s FROM %s WHERE %s", t.Name, strings.Join(sel, ", "), stageName, where)
	}
	if _, err := db.ExecContext(ctx, q); err != nil {
		return fmt.Errorf("create table %s: %w", t.Name, err)
	}
	return nil
}

func insertRejects(ctx context.Context, db *store.DB, s Source, t Table, rs []reject) error {
	sort.SliceStable(rs, func(i, j int) bool { return rs[i].line < rs[j].line })
	return db.WithConn(ctx, func(c driver.Conn) error {
		a, err := duckdb.NewAppenderFromConn(c, "", "rejects")
		if err != nil {
			return fmt.Errorf("append rejects: %w", err)
		}
		for _, r := range rs {
			if err := a.AppendRow(s.Label(), t.Name, r.line, r.column, r.value, r.reason); err != nil {
				_ = a.Close()
				return fmt.Errorf("append rejects of %s: %w", s.Label(), err)
			}
		}
		return a.Close()
	})
}

// loadXLSX reads a sheet of an open workbook. Identifier, code, flag and
// number columns are read as the cells show them: a number in a
// zero-padded format (000000) keeps its zeros, and General numbers and text
// are read as stored (book.shown); a date column takes real date cells and
// text in the two date formats, and a plain number in it is a rejected row,
// not a guessed serial date.
func loadXLSX(ctx context.Context, db *store.DB, t Table, s Source, b *book) (TableStat, error) {
	st := TableStat{Table: t.Name, Source: s.Label(), Path: s.Path, Present: true}
	b.mu.Lock()
	defer b.mu.Unlock()
	f := b.f
	date1904 := false
	if p, err := f.GetWorkbookProps(); err == nil && p.Date1904 != nil {
		date1904 = *p.Date1904
	}
	raw, err := f.Rows(s.Sheet)
	if err != nil {
		return st, inputErrorf("%s cannot be read: %v", s.Label(), err)
	}
	defer raw.Close()
	rowNo := 0
	var cols []*Column
	var stage []stageColumn
	var pos []int // header position of each staged column
	stageName := "stage_" + t.Name
	var appender *duckdb.Appender
	var conn interface{ Close() error }
	defer func() {
		if appender != nil {
			_ = appender.Close()
		}
		if conn != nil {
			_ = conn.Close()
		}
	}()
	for raw.Next() {
		rowNo++
		cells, err := raw.Columns(excelize.Options{RawCellValue: true})
		if err != nil {
			return st, inputErrorf("%s row %d cannot be read: %v", s.Label(), rowNo, err)
		}
		if cols == nil {
			header := make([]string, len(cells))
			for i, c := range cells {
				header[i] = strings.TrimSpace(c)
			}
			var unknown []string
			cols, unknown, err = columnMap(t, s.Label(), header)
			if err != nil {
				return st, err
			}
			st.Unknown = unknown
			defs := []string{"_line BIGINT"}
			for i, c := range cols {
				if c != nil {
					stage = append(stage, stageColumn{col: *c})
					pos = append(pos, i)
					defs = append(defs, c.SQLName()+" VARCHAR")
					st.Columns = append(st.Columns, c.Name)
				}
			}
			if _, err := db.ExecContext(ctx, fmt.Sprintf("CREATE OR REPLACE TEMP TABLE %s (%s)", stageName, strings.Join(defs, ", "))); err != nil {
				return st, fmt.Errorf("stage %s: %w", s.Label(), err)
			}
			c, err := db.Conn(ctx)
			if err != nil {
				return st, err
			}
			conn = c
			err = c.Raw(func(dc any) error {
				var err error
				appender, err = duckdb.NewAppenderFromConn(dc.(driver.Conn), "", stageName)
				return err
			})
			if err != nil {
				return st, fmt.Errorf("stage %s: %w", s.Label(), err)
			}
			continue
		}
		if allBlank(cells) {
			continue
		}
		vals := make([]driver.Value, 0, len(stage)+1)
		vals = append(vals, int64(rowNo))
		for k, sc := range stage {
			v := ""
			p := pos[k]
			if p < len(cells) {
				v = cells[p]
			}
			if sc.col.Kind == Date {
				if b.isDateCell(s.Sheet, rowNo, p+1) {
					v = excelDate(v, date1904)
				}
			} else {
				v = b.shown(s.Sheet, rowNo, p+1, v)
			}
			if v == "" {
				vals = append(vals, nil)
			} else {
				vals = append(vals, v)
			}
		}
		if err := appender.AppendRow(vals...); err != nil {
			return st, fmt.Errorf("stage %s row %d: %w", s.Label(), rowNo, err)
		}
	}
	if err := raw.Error(); err != nil {
		return st, inputErrorf("%s cannot be read: %v", s.Label(), err)
	}
	if cols == nil {
		return st, inputErrorf("%s is empty: expected a header row naming the columns", s.Label())
	}
	err = appender.Close()
	appender = nil
	_ = conn.Close()
	conn = nil
	if err != nil {
		return st, fmt.Errorf("stage %s: %w", s.Label(), err)
	}
	rejects, n, err := validate(ctx, db, t, stageName, stage, "_line")
	if err != nil {
		return st, fmt.Errorf("check values of %s: %w", s.Label(), err)
	}
	for i := range rejects {
		rejects[i].line = rejects[i].ord
	}
	if err := insertRejects(ctx, db, s, t, rejects); err != nil {
		return st, err
	}
	warns, err := unexpectedValues(ctx, db, t, stageName, stage, "_line", rejects)
	if err != nil {
		return st, fmt.Errorf("check values of %s: %w", s.Label(), err)
	}
	for i := range warns {
		warns[i].line = warns[i].ord
	}
	if err := insertWarnings(ctx, db, s, t, warns); err != nil {
		return st, err
	}
	st.Read, st.Rejected = n, countDistinctOrds(rejects)
	if err := createTyped(ctx, db, t, stage, stageName, len(rejects) > 0); err != nil {
		return st, err
	}
	if _, err := db.ExecContext(ctx, "DROP TABLE "+stageName); err != nil {
		return st, err
	}
	h := fileSHA256(s.Path)
	st.SHA256 = h.sum
	return st, h.err
}

func allBlank(cells []string) bool {
	for _, c := range cells {
		if strings.TrimSpace(c) != "" {
			return false
		}
	}
	return true
}

// excelDate turns a date cell's serial number into yyyy-mm-dd; anything
// else (a date cell of ISO text) is returned as it is, for the usual date
// checks. A serial with a time of day other than midnight is returned as it
// is, and rejected.
func excelDate(v string, date1904 bool) string {
	v = strings.TrimSpace(v)
	if v == "" {
		return v
	}
	f, err := strconv.ParseFloat(v, 64)
	if err != nil || strings.ContainsAny(v, "/-") {
		return v
	}
	if f < 1 || f > 2958465 || f != math.Trunc(f) {
		return v // not a plausible date serial, or not midnight: rejected
	}
	t, err := excelize.ExcelDateToTime(f, date1904)
	if err != nil {
		return v
	}
	return t.Format(time.DateOnly)
}

// readerProblem is the first line of an error of DuckDB's CSV reader, without
// the lines of the file it quotes: one line that holds no data.
func readerProblem(err error) string {
	msg, _, _ := strings.Cut(err.Error(), "\n")
	for _, cut := range []string{"Original Line", "Value:"} {
		if i := strings.Index(msg, cut); i >= 0 {
			msg = msg[:i]
		}
	}
	msg = strings.TrimSpace(strings.TrimRight(strings.TrimSpace(msg), ".:,"))
	return clip(msg, 200)
}

// warning is a value outside what its column should hold (Column.Expected)
// on a row that is read.
type warning struct {
	ord, line  int64
	message    string
	child      string
	recordDate any // the row's date (DateColumns), or nil
}

// unexpectedValues finds the staged rows, other than the rejected ones,
// with a value outside its column's Expected list.
func unexpectedValues(ctx context.Context, db *store.DB, t Table, stage string, cols []stageColumn, ordExpr string, rejected []reject) ([]warning, error) {
	skip := map[int64]bool{}
	for _, r := range rejected {
		skip[r.ord] = true
	}
	dateExpr := "NULL::DATE"
	var child string
	for _, sc := range cols {
		if sc.col.Name == DateColumns[t.Name] {
			dateExpr = fmt.Sprintf("try_cast(%s AS DATE)", typedExpr(sc))
		}
		if sc.col.Name == "CHILD" {
			child = typedExpr(sc)
		}
	}
	for _, sc := range cols {
		// The row's authority goes with its child (LA, chr(31), child) until
		// Authorities knows whether the extract holds more than one.
		if sc.col.Name == "LA" && child != "" {
			child = fmt.Sprintf("CASE WHEN %[1]s IS NULL THEN %[2]s ELSE %[1]s || chr(31) || %[2]s END", typedExpr(sc), child)
		}
	}
	var out []warning
	for _, sc := range cols {
		if len(sc.col.Expected) == 0 || child == "" {
			continue
		}
		q := make([]string, len(sc.col.Expected))
		for i, a := range sc.col.Expected {
			q[i] = store.Quote(a)
		}
		typed := typedExpr(sc)
		rows, err := db.QueryContext(ctx, fmt.Sprintf("SELECT %s, %s, %s FROM %s WHERE %s IS NOT NULL AND %s NOT IN (%s) ORDER BY 1",
			ordExpr, child, dateExpr, stage, typed, typed, strings.Join(q, ", ")))
		if err != nil {
			return nil, err
		}
		msg := fmt.Sprintf("%s is not one of %s (the row is used)", sc.col.Name, strings.Join(sc.col.Expected, ", "))
		for rows.Next() {
			var w warning
			var c *string
			if err := rows.Scan(&w.ord, &c, &w.recordDate); err != nil {
				rows.Close()
				return nil, err
			}
			if c != nil {
				w.child = *c
			}
			if !skip[w.ord] {
				w.message = msg
				out = append(out, w)
			}
		}
		if err := rows.Close(); err != nil {
			return nil, err
		}
	}
	return out, nil
}

func insertWarnings(ctx context.Context, db *store.DB, s Source, t Table, ws []warning) error {
	var rows [][]any
	for _, w := range ws {
		rows = append(rows, []any{s.Label(), t.Name, w.line, w.message, w.child, w.recordDate})
	}
	return db.InsertRows(ctx, "input_warnings", rows)
}

package ingest

import (
	"context"
	"crypto/sha256"
	_ "embed"
	"encoding/hex"
	"fmt"
	"io"
	"os"
	"strings"
	"sync"

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
	// Returns lists each return's file of each table, oldest first, when
	// the input folder is a folder of returns (findReturns); else nil.
	Returns []ReturnFile
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
	if l, err := findReturns(o.Dir, tmp, DefaultLimits(o.MemoryLimit)); err != nil || l != nil {
		if err != nil {
			return nil, err
		}
		defer l.close()
		return loadReturns(ctx, db, o, l, tmp)
	}
	d, err := discover(o.Dir, tmp, DefaultLimits(o.MemoryLimit))
	if err != nil {
		return nil, err
	}
	defer d.Close()
	// Check every CSV file's encoding, rows and header before loading
	// anything, so that a damaged file or a missing column is reported
	// before minutes are spent on the other tables.
	csvs, plans, err := prepareCSVs(d, tmp)
	if err != nil {
		return nil, err
	}
	if err := db.Exec(ctx, "ingest/sql/setup.sql", setupSQL); err != nil {
		return nil, err
	}
	files, ignored := filesRead(d, csvs)
	res := &Result{Ignored: d.Ignored, Files: files}
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
	if err := recordTables(ctx, db, res, stats); err != nil {
		return nil, err
	}
	if err := resolveEpisodeStates(ctx, db); err != nil {
		return nil, err
	}
	var over []string
	for _, st := range res.Tables {
		over = overThreshold(over, st.Source, st.Read, st.Rejected, o.RejectThreshold)
	}
	return res, rejectsError(over, o.RejectThreshold)
}

// overThreshold adds to over a line naming source when more than threshold
// of its read rows were rejected.
func overThreshold(over []string, source string, read, rejected int64, threshold float64) []string {
	if read > 0 && float64(rejected) > threshold*float64(read) {
		over = append(over, fmt.Sprintf("%s: %d of %d rows rejected (%.1f %%)", source, rejected, read, 100*float64(rejected)/float64(read)))
	}
	return over
}

// rejectsError is the error of the sources over the reject threshold, nil
// when there are none.
func rejectsError(over []string, threshold float64) error {
	if len(over) == 0 {
		return nil
	}
	return &InputError{Msg: fmt.Sprintf("too many rejected rows (threshold %.1f %%), the export looks broken: %s", 100*threshold, strings.Join(over, "; ")), Rejects: true}
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

// filesRead is d's files, each CSV file read with its encoding, and the
// rows of ignored_sources for those not read, with why.
func filesRead(d *Discovery, csvs map[string]*csvFile) (files []InputFile, ignored [][]any) {
	for _, f := range d.Files {
		if c, ok := csvs[f.Table]; ok && f.Table != "" && d.Sources[f.Table].Sheet == "" {
			f.Encoding = c.encoding
		}
		if f.Table == "" {
			ignored = append(ignored, []any{f.Name, f.Why})
		}
		files = append(files, f)
	}
	return files, ignored
}

// prepareCSVs prepares every CSV file of d (prepareAll) and checks each
// one's header against its table, returning the files and each table's
// header, by table name.
func prepareCSVs(d *Discovery, tmp string) (map[string]*csvFile, map[string][]string, error) {
	csvs, err := prepareAll(d, tmp)
	if err != nil {
		return nil, nil, err
	}
	plans := map[string][]string{}
	for _, t := range Tables {
		s, ok := d.Sources[t.Name]
		if !ok || s.Sheet != "" {
			continue
		}
		h, err := readCSVHeader(csvs[t.Name].path, s.Label())
		if err != nil {
			return nil, nil, err
		}
		if _, _, err := columnMap(t, s.Label(), h); err != nil {
			return nil, nil, err
		}
		plans[t.Name] = h
	}
	return csvs, plans, nil
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

// recordTables adds each table's statistics (one per Tables entry, in its
// order) to res.Tables and to the database's input_tables and
// input_columns.
func recordTables(ctx context.Context, db *store.DB, res *Result, stats []TableStat) error {
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
		return err
	}
	return db.InsertRows(ctx, "input_columns", columns)
}

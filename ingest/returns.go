package ingest

import (
	"archive/zip"
	"context"
	_ "embed"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/lacaudit/lacaudit/store"
)

//go:embed sql/returns.sql
var returnsSQL string

//go:embed sql/episode_states.sql
var episodeStatesSQL string

// ReturnFile is one table of one collection year's return, in a folder of
// returns (DATA.md, "A folder of returns").
type ReturnFile struct {
	Year     string // the collection year, "2023-24"
	Table    string
	Source   string // "2023-24/episodes.csv", "episodes_2023-24.csv", "903 2024-25.xlsx[reviews]"
	Read     int64  // data rows read (accepted and rejected)
	Rejected int64
	Used     int64 // rows that are the newest return's for their key
	SHA256   string
	HasLA    bool // the file has an LA column
}

// KnownFrom is the first day a folder of returns can know reviews from: 1
// April of its oldest return's collection year (RULES.md §2.2). It is the
// zero time for a plain folder, whose first day is not known.
func (r *Result) KnownFrom() time.Time {
	if r == nil || len(r.Returns) == 0 {
		return time.Time{}
	}
	first := r.Returns[0].Year
	for _, f := range r.Returns {
		first = min(first, f.Year)
	}
	start, err := strconv.Atoi(first[:min(4, len(first))])
	if err != nil {
		return time.Time{}
	}
	return time.Date(start, time.April, 1, 0, 0, 0, 0, time.UTC)
}

// yearReturn is one collection year's return found in the input folder.
type yearReturn struct {
	start int    // the year the collection year starts in
	name  string // the folder ("2023-24/"), or the files read, for messages
	d     *Discovery
}

// returnsLayout is an input folder holding several years' returns.
type returnsLayout struct {
	returns []*yearReturn // oldest first
	files   []InputFile   // entries of the input folder itself not read
}

func (l *returnsLayout) close() {
	for _, r := range l.returns {
		r.d.Close()
	}
}

// named is a year-named folder or file of an input folder.
type named struct {
	name  string
	start int
	rest  string // the name without its year: a table's name, for a CSV file
}

// findReturns reads dir's layout. It returns nil for a plain folder of
// extracts (any CSV file named after a table, or any workbook without a
// year in its name and with a table's sheet, makes a folder plain); otherwise the
// returns in it: one per sub-folder whose name has a collection year, or
// one per year of the files whose names have one. A name whose year cannot
// be read, two sources of a year's table, two folders of one year, both
// layouts of returns in one folder, and plain extracts beside returns
// (returnsHeld) are *InputErrors naming them.
func findReturns(dir, tmp string, lim Limits) (_ *returnsLayout, err error) {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return nil, nil // discover says why
	}
	var dirs, files []named
	var bad []string
	var other []InputFile
	plainName := "" // what makes the folder plain (none: it is not), for messages
	for _, e := range entries {
		name := e.Name()
		if FormatOf(name) == Skipped {
			continue
		}
		if e.IsDir() {
			start, _, ok, yerr := nameYear(name)
			switch {
			case yerr != nil:
				bad = append(bad, name+"/")
			case ok:
				dirs = append(dirs, named{name: name, start: start})
			default:
				other = append(other, InputFile{Name: name + "/", Why: "a folder without a collection year in its name: not a return, not read"})
			}
			continue
		}
		format := FormatOf(name)
		if format != CSV && format != XLSX {
			other = append(other, InputFile{Name: name, Why: "not an extract: only .csv, .xlsx and .xlsm files are read"})
			continue
		}
		stem := strings.TrimSpace(strings.TrimSuffix(name, filepath.Ext(name)))
		start, rest, ok, yerr := nameYear(stem)
		switch {
		case yerr != nil:
			bad = append(bad, name)
		case ok:
			files = append(files, named{name: name, start: start, rest: strings.ToLower(rest)})
		case format == XLSX:
			if sheets, serr := sheetNames(filepath.Join(dir, name)); serr == nil && !holdsTable(sheets, false) {
				other = append(other, InputFile{Name: name, Why: "a workbook without a sheet named after a table: not read"})
				continue
			}
			// a workbook of tables (a damaged one: discover says why)
			if plainName == "" {
				plainName = name
			}
		default:
			if _, known := Lookup(strings.ToLower(stem)); known {
				if plainName == "" {
					plainName = name
				}
			}
			other = append(other, InputFile{Name: name, Why: notATable(strings.ToLower(stem))})
		}
	}
	if plainName != "" {
		// Plain extracts beside returns: reading either would leave the
		// other out without a word (DATA.md, "Which layout").
		if ret := returnsHeld(dir, dirs, files); ret != "" {
			return nil, inputErrorf("%s holds both plain extracts (%s) and returns (%s): one folder is read one way; move %s into the folder of its return (or out of %s), or the returns out, and run again",
				dir, plainName, ret, plainName, dir)
		}
		return nil, nil
	}
	if len(dirs) == 0 && len(files) == 0 && len(bad) == 0 {
		return nil, nil
	}
	if len(bad) > 0 {
		// A name with a run of four digits or more that is not a year form
		// ("return 2025 v2/", "20242025/") is neither read as a return nor
		// left for a plain folder's "core table missing".
		sort.Strings(bad)
		_, _, _, yerr := nameYear(strings.TrimSuffix(strings.TrimSuffix(bad[0], "/"), filepath.Ext(bad[0])))
		return nil, inputErrorf("%s: the collection year of %s cannot be read (%v); rename it", dir, strings.Join(bad, ", "), yerr)
	}
	if len(dirs) > 0 && len(files) > 0 {
		return nil, inputErrorf("%s holds both folders of returns (%s/) and files named with a year (%s): keep one layout and run again", dir, dirs[0].name, files[0].name)
	}
	l := &returnsLayout{files: other}
	defer func() {
		if err != nil {
			l.close()
		}
	}()
	if len(dirs) > 0 {
		sort.Slice(dirs, func(i, j int) bool {
			if dirs[i].start != dirs[j].start {
				return dirs[i].start < dirs[j].start
			}
			return dirs[i].name < dirs[j].name
		})
		for i, n := range dirs {
			if i > 0 && dirs[i-1].start == n.start {
				return nil, inputErrorf("two folders of the %s return: %s/ and %s/; keep one and run again", CollectionYear(n.start), dirs[i-1].name, n.name)
			}
			d, derr := discover(filepath.Join(dir, n.name), tmp, lim)
			if derr != nil {
				var ie *InputError
				if errors.As(derr, &ie) {
					return nil, &InputError{Msg: fmt.Sprintf("the %s return (%s/): %s", CollectionYear(n.start), n.name, ie.Msg)}
				}
				return nil, derr
			}
			for t, s := range d.Sources {
				s.Dir = n.name
				d.Sources[t] = s
			}
			for k := range d.Files {
				d.Files[k].Name = n.name + "/" + d.Files[k].Name
			}
			for k := range d.Ignored {
				d.Ignored[k] = n.name + "/" + d.Ignored[k]
			}
			l.returns = append(l.returns, &yearReturn{start: n.start, name: n.name + "/", d: d})
		}
		return l, nil
	}
	byYear := map[int]*yearReturn{}
	sort.Slice(files, func(i, j int) bool { return files[i].name < files[j].name })
	for _, f := range files {
		r := byYear[f.start]
		if r == nil {
			r = &yearReturn{start: f.start, d: &Discovery{Sources: map[string]Source{}, books: map[string]*book{}}}
			byYear[f.start] = r
			l.returns = append(l.returns, r)
		}
		path := filepath.Join(dir, f.name)
		fi, serr := os.Stat(path)
		if serr != nil {
			return nil, inputErrorf("%s cannot be read: it is a link to a file that does not exist, or cannot be opened", f.name)
		}
		if !fi.Mode().IsRegular() {
			return nil, inputErrorf("%s is not a regular file (a named pipe, a device, or a link to one): lacaudit reads extracts from regular files only", f.name)
		}
		add := func(s Source, label string) error {
			if _, known := Lookup(s.Table); !known {
				r.d.Ignored = append(r.d.Ignored, label)
				r.d.Files = append(r.d.Files, InputFile{Name: label, Why: "not a table lacaudit uses"})
				return nil
			}
			if prev, dup := r.d.Sources[s.Table]; dup {
				return inputErrorf("the %s return's %s table is found twice: in %s and in %s; keep one and run again", CollectionYear(f.start), s.Table, prev.Label(), s.Label())
			}
			r.d.Sources[s.Table] = s
			r.d.Files = append(r.d.Files, InputFile{Name: label, Table: s.Table})
			return nil
		}
		if FormatOf(f.name) == CSV {
			if err := add(Source{Table: f.rest, Path: path}, f.name); err != nil {
				return nil, err
			}
			continue
		}
		b, berr := openBook(path, tmp, lim)
		if berr != nil {
			return nil, berr
		}
		r.d.books[path] = b
		for _, sh := range b.sheets {
			label := fmt.Sprintf("%s[%s]", f.name, sh.Name)
			if sh.Hidden() {
				r.d.Files = append(r.d.Files, InputFile{Name: label, Why: "a hidden sheet: hidden and very hidden sheets are never read"})
				continue
			}
			if err := add(Source{Table: strings.ToLower(strings.TrimSpace(sh.Name)), Path: path, Sheet: sh.Name}, label); err != nil {
				return nil, err
			}
		}
	}
	sort.Slice(l.returns, func(i, j int) bool { return l.returns[i].start < l.returns[j].start })
	for _, r := range l.returns {
		var names []string
		for _, f := range r.d.Files {
			names = append(names, f.Name)
		}
		r.name = strings.Join(names, ", ")
		for _, t := range Tables {
			if _, ok := r.d.Sources[t.Name]; t.Core && !ok {
				return nil, inputErrorf("core table %q is missing from the %s return: expected a file such as %s_%s.csv, or a sheet named %q in a workbook named with the year; found %s",
					t.Name, CollectionYear(r.start), t.Name, CollectionYear(r.start), t.Name, r.name)
			}
		}
	}
	return l, nil
}

// returnsHeld names a return among dir's year-named folders and files, or
// is empty: a year-named folder holding a core table (a CSV file named
// after it, or a workbook with a sheet of that name), or a year whose
// year-named files hold all the core tables. A year-named copy of one
// table beside a plain folder's tables is not a return.
func returnsHeld(dir string, dirs []named, files []named) string {
	for _, d := range dirs {
		entries, err := os.ReadDir(filepath.Join(dir, d.name))
		if err != nil {
			continue
		}
		for _, e := range entries {
			n := e.Name()
			if e.IsDir() || FormatOf(n) == Skipped {
				continue
			}
			stem := strings.ToLower(strings.TrimSpace(strings.TrimSuffix(n, filepath.Ext(n))))
			switch FormatOf(n) {
			case CSV:
				if holdsTable([]string{stem}, true) {
					return d.name + "/"
				}
			case XLSX:
				if sheets, err := sheetNames(filepath.Join(dir, d.name, n)); err == nil && holdsTable(sheets, true) {
					return d.name + "/"
				}
			}
		}
	}
	tables := map[int]map[string]bool{}
	first := map[int]string{}
	for _, f := range files {
		if tables[f.start] == nil {
			tables[f.start] = map[string]bool{}
			first[f.start] = f.name
		}
		names := []string{f.rest}
		if FormatOf(f.name) == XLSX {
			names, _ = sheetNames(filepath.Join(dir, f.name))
		}
		for _, n := range names {
			tables[f.start][strings.ToLower(strings.TrimSpace(n))] = true
		}
	}
	var years []int
	for y := range tables {
		years = append(years, y)
	}
	sort.Ints(years)
	for _, y := range years {
		all := true
		for _, t := range Tables {
			all = all && (!t.Core || tables[y][t.Name])
		}
		if all {
			return first[y]
		}
	}
	return ""
}

// holdsTable says whether one of names (file stems or sheet names) is a
// table's, or with core a core table's.
func holdsTable(names []string, core bool) bool {
	for _, n := range names {
		if t, ok := Lookup(strings.TrimSpace(n)); ok && (t.Core || !core) {
			return true
		}
	}
	return false
}

// sheetNames lists a workbook's sheets from its xl/workbook.xml, without
// opening the workbook (openBook checks it whole when it is read).
func sheetNames(path string) ([]string, error) {
	zr, err := zip.OpenReader(path)
	if err != nil {
		return nil, err
	}
	defer zr.Close()
	for _, f := range zr.File {
		if f.Name != "xl/workbook.xml" {
			continue
		}
		rc, err := f.Open()
		if err != nil {
			return nil, err
		}
		defer rc.Close()
		dec := xml.NewDecoder(io.LimitReader(rc, 8<<20))
		var names []string
		for {
			tok, err := dec.Token()
			if err == io.EOF {
				return names, nil
			}
			if err != nil {
				return nil, err
			}
			if se, ok := tok.(xml.StartElement); ok && se.Name.Local == "sheet" {
				for _, a := range se.Attr {
					if a.Name.Local == "name" {
						names = append(names, a.Value)
					}
				}
			}
		}
	}
	return nil, errors.New("no xl/workbook.xml")
}

// naturalKey is the columns that say which rows of a table are one record,
// across returns: a child (within its authority, LA) and the record's date;
// an allocation also by its role, an alert by its own id.
func naturalKey(t Table) []string {
	key := []string{`coalesce("la", '')`, `"child"`}
	switch t.Name {
	case "header":
	case "allocations":
		key = append(key, `"role"`, `"start"`)
	case "qa_alerts":
		key = []string{`coalesce("la", '')`, `"alert_id"`}
	default:
		key = append(key, `"`+strings.ToLower(DateColumns[t.Name])+`"`)
	}
	return key
}

// loadReturns loads every return of l into db: each return's tables into
// TABLE_all with their source and collection year, then each table as the
// newest return's row for every natural key (returns.sql). It returns what
// Load returns, with a table's figures summed over the returns and each
// return's file in Result.Returns.
func loadReturns(ctx context.Context, db *store.DB, o Options, l *returnsLayout, tmp string) (*Result, error) {
	if err := db.Exec(ctx, "ingest/sql/setup.sql", setupSQL); err != nil {
		return nil, err
	}
	res := &Result{}
	sum := make([]TableStat, len(Tables))
	for i, t := range Tables {
		sum[i] = TableStat{Table: t.Name}
	}
	kept := map[string][]returnTable{}
	var ignored [][]any
	for _, f := range l.files {
		ignored = append(ignored, []any{f.Name, f.Why})
		res.Files = append(res.Files, f)
		res.Ignored = append(res.Ignored, f.Name)
	}
	for _, r := range l.returns {
		year := CollectionYear(r.start)
		csvs, plans, err := prepareCSVs(r.d, tmp)
		if err != nil {
			return nil, err
		}
		files, ign := filesRead(r.d, csvs)
		res.Files, ignored = append(res.Files, files...), append(ignored, ign...)
		for _, f := range files {
			if f.Table == "" {
				res.Ignored = append(res.Ignored, f.Name)
			}
		}
		stats, err := loadTables(ctx, db, r.d, plans, csvs)
		if err != nil {
			return nil, err
		}
		for i, t := range Tables {
			st := stats[i]
			if t.Core && st.Read == 0 {
				return nil, inputErrorf("%s has no data rows (only its header): the core table %s of the %s return cannot be empty; is the export complete?", st.Source, t.Name, year)
			}
			rt, err := keepReturn(ctx, db, t, r.start, st.Source)
			if err != nil {
				return nil, err
			}
			kept[t.Name] = append(kept[t.Name], rt)
			if !st.Present {
				continue
			}
			res.Returns = append(res.Returns, ReturnFile{Year: year, Table: t.Name, Source: st.Source, Read: st.Read,
				Rejected: st.Rejected, SHA256: st.SHA256, HasLA: hasColumn(st.Columns, "LA")})
			a := &sum[i]
			if a.Present {
				a.Source += "; " + st.Source
				a.Path += "; " + st.Path
				if a.Encoding != st.Encoding {
					a.Encoding = "mixed"
				}
			} else {
				a.Source, a.Path, a.Encoding = st.Source, st.Path, st.Encoding
			}
			a.Present = true
			a.Read += st.Read
			a.Rejected += st.Rejected
			a.Columns = union(a.Columns, st.Columns)
			a.Unknown = union(a.Unknown, st.Unknown)
		}
	}
	sort.Strings(res.Ignored)
	sort.Slice(res.Files, func(i, j int) bool { return res.Files[i].Name < res.Files[j].Name })
	if err := db.InsertRows(ctx, "ignored_sources", ignored); err != nil {
		return nil, err
	}
	if err := mergeReturns(ctx, db, kept); err != nil {
		return nil, err
	}
	used, err := usedRows(ctx, db)
	if err != nil {
		return nil, err
	}
	var rets [][]any
	for i, f := range res.Returns {
		res.Returns[i].Used = used[f.Table+"\x00"+f.Year]
		f = res.Returns[i]
		rets = append(rets, []any{f.Year, f.Table, f.Source, f.Read, f.Rejected, f.Used, f.SHA256, f.HasLA})
	}
	if err := db.InsertRows(ctx, "input_returns", rets); err != nil {
		return nil, err
	}
	if err := recordTables(ctx, db, res, sum); err != nil {
		return nil, err
	}
	var over []string
	for _, f := range res.Returns {
		over = overThreshold(over, f.Source, f.Read, f.Rejected, o.RejectThreshold)
	}
	return res, rejectsError(over, o.RejectThreshold)
}

func hasColumn(cols []string, name string) bool {
	for _, c := range cols {
		if strings.EqualFold(c, name) {
			return true
		}
	}
	return false
}

func union(a, b []string) []string {
	for _, s := range b {
		found := false
		for _, x := range a {
			found = found || x == s
		}
		if !found {
			a = append(a, s)
		}
	}
	return a
}

// returnTable is a table as one return loaded it, kept under a name of
// its own (TABLE__YEAR) until mergeReturns builds TABLE_all from them.
type returnTable struct {
	name   string // TABLE__2023
	start  int
	source string
}

// keepReturn renames table t, as one return loaded it, for mergeReturns:
// the next return's load creates t afresh.
func keepReturn(ctx context.Context, db *store.DB, t Table, start int, source string) (returnTable, error) {
	rt := returnTable{name: fmt.Sprintf("%s__%d", t.Name, start), start: start, source: source}
	if _, err := db.ExecContext(ctx, fmt.Sprintf("ALTER TABLE %s RENAME TO %s", store.Ident(t.Name), store.Ident(rt.name))); err != nil {
		return rt, fmt.Errorf("keep the %s return's %s: %w", CollectionYear(start), t.Name, err)
	}
	return rt, nil
}

// mergeReturns builds every TABLE_all from the returns' tables, each row
// with its source and collection year, the rows of the newest return that
// has their natural key marked used and the others superseded; applies
// returns.sql's episode rules; and builds every table from its used rows.
func mergeReturns(ctx context.Context, db *store.DB, kept map[string][]returnTable) error {
	if err := oneAuthority(ctx, db, kept); err != nil {
		return err
	}
	var script strings.Builder
	for _, t := range Tables {
		var parts []string
		for _, rt := range kept[t.Name] {
			parts = append(parts, fmt.Sprintf("SELECT *, %s AS source, %s AS collection_year, %d AS return_year, rowid AS row_no FROM %s",
				store.Quote(rt.source), store.Quote(CollectionYear(rt.start)), rt.start, store.Ident(rt.name)))
		}
		// The newest return of each key, joined back (a window over the
		// rows took three to four times as long).
		var ks, on []string
		for i, k := range naturalKey(t) {
			ks = append(ks, fmt.Sprintf("%s AS k%d", k, i))
			on = append(on, fmt.Sprintf("%s IS NOT DISTINCT FROM m.k%d", k, i))
		}
		fmt.Fprintf(&script, `CREATE OR REPLACE TABLE %[1]s AS
WITH u AS (%[2]s),
m AS (SELECT %[3]s, max(return_year) AS newest, max(collection_year) AS newest_label FROM u GROUP BY ALL)
SELECT u.*, u.return_year = m.newest AS used,
       CASE WHEN u.return_year <> m.newest THEN 'superseded by the ' || m.newest_label || ' return' END AS why_not
FROM u JOIN m ON %[4]s
ORDER BY u.return_year, u.row_no;
`, store.Ident(t.Name+"_all"), strings.Join(parts, "\nUNION ALL BY NAME\n"), strings.Join(ks, ", "), strings.Join(on, " AND "))
		for _, rt := range kept[t.Name] {
			fmt.Fprintf(&script, "DROP TABLE %s;\n", store.Ident(rt.name))
		}
	}
	if err := db.Exec(ctx, "merge the returns", script.String()); err != nil {
		return err
	}
	if err := db.Exec(ctx, "ingest/sql/returns.sql", returnsSQL); err != nil {
		return err
	}
	if err := recordStates(ctx, db, true); err != nil {
		return err
	}
	script.Reset()
	for _, t := range Tables {
		fmt.Fprintf(&script, "CREATE OR REPLACE TABLE %s AS SELECT * EXCLUDE (source, collection_year, return_year, row_no, used, why_not) FROM %s WHERE used;\n",
			store.Ident(t.Name), store.Ident(t.Name+"_all"))
	}
	return db.Exec(ctx, "build the tables from the returns' used rows", script.String())
}

// oneAuthority gives, where the returns name exactly one authority, every
// row without an LA value (a return without the column, or an empty value)
// that authority's code before the merge: the rows are that authority's
// (DATA.md, "Several authorities"), and a record must match itself across
// a return with the column and one without. With several authorities the
// rows are left as they are, for ResolveAuthorities to refuse.
func oneAuthority(ctx context.Context, db *store.DB, kept map[string][]returnTable) error {
	var parts []string
	for _, t := range Tables {
		for _, rt := range kept[t.Name] {
			parts = append(parts, fmt.Sprintf("SELECT DISTINCT la FROM %s WHERE la IS NOT NULL", store.Ident(rt.name)))
		}
	}
	if len(parts) == 0 {
		return nil
	}
	rows, err := db.QueryContext(ctx, "SELECT DISTINCT la FROM ("+strings.Join(parts, " UNION ALL ")+") LIMIT 2")
	if err != nil {
		return fmt.Errorf("read the returns' authorities: %w", err)
	}
	var codes []string
	for rows.Next() {
		var c string
		if err := rows.Scan(&c); err != nil {
			rows.Close()
			return err
		}
		codes = append(codes, c)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return err
	}
	if len(codes) != 1 {
		return nil
	}
	var script strings.Builder
	for _, t := range Tables {
		for _, rt := range kept[t.Name] {
			fmt.Fprintf(&script, "UPDATE %s SET la = %s WHERE la IS NULL;\n", store.Ident(rt.name), store.Quote(codes[0]))
		}
	}
	return db.Exec(ctx, "give the rows without LA the one authority's code", script.String())
}

// usedRows counts the used rows of each table and return, by table and year.
func usedRows(ctx context.Context, db *store.DB) (map[string]int64, error) {
	var parts []string
	for _, t := range Tables {
		parts = append(parts, fmt.Sprintf("SELECT %s, collection_year, count(*) FILTER (WHERE used) FROM %s GROUP BY ALL", store.Quote(t.Name), store.Ident(t.Name+"_all")))
	}
	rows, err := db.QueryContext(ctx, strings.Join(parts, " UNION ALL "))
	if err != nil {
		return nil, fmt.Errorf("count the rows used of each return: %w", err)
	}
	defer rows.Close()
	out := map[string]int64{}
	for rows.Next() {
		var t, y string
		var n int64
		if err := rows.Scan(&t, &y, &n); err != nil {
			return nil, err
		}
		out[t+"\x00"+y] = n
	}
	return out, rows.Err()
}

// recordStates applies the rule for two rows of one record (same natural
// key) in one file, in the tables other than header and episodes (DATA.md,
// "One record twice in one file"): the row with more of its dates filled is
// the later state of the record (a review record completed, an allocation
// ended), and is used; where no row has more, the later row in the file is
// used. Identical copies are left to the duplicate-row check. Either way a
// warning names the table and the file. With all, the rows are TABLE_all's
// used rows (a folder of returns: one key's used rows are one return's
// file), the others marked not used; else the table's rows, the others
// deleted. One statement first finds the tables that have such a record,
// grouping each table on its key and comparing whole rows only for the keys
// two rows share; the six statements of the rule run only for those tables.
func recordStates(ctx context.Context, db *store.DB, all bool) error {
	var probes []string
	for _, t := range Tables {
		if t.Name == "header" || t.Name == "episodes" {
			continue
		}
		from, keys, content, _, where := recordStateParts(t, all)
		var ks []string
		for i, k := range keys {
			ks = append(ks, fmt.Sprintf("%s AS k%d", k, i))
		}
		probes = append(probes, fmt.Sprintf(`SELECT %[1]s WHERE EXISTS (
  SELECT 1 FROM (SELECT %[4]s, %[5]s AS content FROM %[2]s %[3]s) x
  SEMI JOIN (%[7]s) m USING (%[6]s)
  GROUP BY ALL HAVING count(DISTINCT content) > 1)`,
			store.Quote(t.Name), from, where, strings.Join(ks, ", "), content, strings.Join(keyNames(len(keys)), ", "), sharedKeys(from, where, ks)))
	}
	rows, err := db.QueryContext(ctx, strings.Join(probes, "\nUNION ALL\n"))
	if err != nil {
		return fmt.Errorf("look for records recorded twice in one file: %w", err)
	}
	twice := map[string]bool{}
	for rows.Next() {
		var name string
		if err := rows.Scan(&name); err != nil {
			rows.Close()
			return err
		}
		twice[name] = true
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return err
	}
	var b strings.Builder
	for _, t := range Tables {
		if twice[t.Name] {
			b.WriteString(recordStatesSQL(t, all))
		}
	}
	return db.Exec(ctx, "one record twice in one file", b.String())
}

// recordStateParts are the pieces of t's statements for recordStates: the
// table read, its natural key's expressions, a row's content as one value,
// the count of its dates filled, and the filter of the rows considered.
func recordStateParts(t Table, all bool) (from string, keys []string, content, filled, where string) {
	from = store.Ident(t.Name)
	if all {
		from, where = store.Ident(t.Name+"_all"), "WHERE used"
	}
	keys = naturalKey(t)
	var cols, dates []string
	for _, c := range t.Columns {
		cols = append(cols, c.SQLName())
		if c.Kind == Date {
			dates = append(dates, fmt.Sprintf("(%s IS NOT NULL)::INTEGER", c.SQLName()))
		}
	}
	return from, keys, "struct_pack(" + strings.Join(cols, ", ") + ")", strings.Join(dates, " + "), where
}

// recordStatesSQL is recordStates's script for one table that has a record
// recorded twice in one file.
func recordStatesSQL(t Table, all bool) string {
	var b strings.Builder
	table, keys, content, filled, where := recordStateParts(t, all)
	source := fmt.Sprintf("(SELECT source FROM input_tables WHERE table_name = %s)", store.Quote(t.Name))
	srcCol := "NULL::VARCHAR"
	if all {
		srcCol = "source || ' (collection year ' || collection_year || ')'"
		source = "source"
	}
	var ks []string
	for i, k := range keys {
		ks = append(ks, fmt.Sprintf("%s AS k%d", k, i))
	}
	fmt.Fprintf(&b, `CREATE OR REPLACE TEMP TABLE rs AS
WITH x AS (SELECT * FROM (SELECT rowid AS rid, %[2]s, %[3]s AS content, %[4]s AS filled, %[5]s AS src FROM %[1]s %[6]s)
           SEMI JOIN (%[11]s) m USING (%[7]s)),
d AS (SELECT %[7]s FROM x GROUP BY ALL HAVING count(DISTINCT content) > 1)
SELECT x.* FROM x SEMI JOIN d USING (%[7]s);
CREATE OR REPLACE TEMP TABLE rw AS
WITH g AS (SELECT %[7]s, max(filled) AS top, arg_max(content, (filled, rid)) AS chosen, arg_max(src, (filled, rid)) AS src FROM rs GROUP BY ALL)
SELECT g.*, count(DISTINCT rs.content) FILTER (WHERE rs.filled = g.top) > 1 AS tie
FROM g JOIN rs USING (%[7]s) GROUP BY ALL;
INSERT INTO load_warnings
SELECT %[8]s,
       CASE WHEN tie THEN 'record_twice_differing' ELSE 'record_twice_states' END,
       CASE WHEN tie THEN 'one record recorded twice in one file with different values and as many dates filled (the later row in the file is used)'
            ELSE 'one record recorded twice in one file, one row with more of its dates filled (that row, the later state, is used)' END,
       lac_warned_child(chosen.la, chosen.child), %[9]s, %[10]s
FROM rw;
`, table, strings.Join(ks, ", "), content, filled, srcCol, where,
		strings.Join(keyNames(len(ks)), ", "), store.Quote(t.Name), "chosen."+strings.ToLower(DateColumns[t.Name]),
		map[bool]string{true: "src", false: source}[all], sharedKeys(table, where, ks))
	stale := fmt.Sprintf("(SELECT rs.rid FROM rs JOIN rw USING (%s) WHERE rs.content IS DISTINCT FROM rw.chosen)", strings.Join(keyNames(len(ks)), ", "))
	if all {
		fmt.Fprintf(&b, "UPDATE %s SET used = false, why_not = 'another row of the same record in the same file is its later state' WHERE rowid IN %s;\n", table, stale)
	} else {
		fmt.Fprintf(&b, "DELETE FROM %s WHERE rowid IN %s;\n", table, stale)
	}
	b.WriteString("DROP TABLE rs;\nDROP TABLE rw;\n")
	return b.String()
}

// sharedKeys is the query of the natural keys (as k0, k1, ...) that more
// than one row of table has: grouping on the key alone is cheap, and the
// rows' contents are compared only for these few keys.
func sharedKeys(table, where string, ks []string) string {
	return fmt.Sprintf("SELECT %s FROM %s %s GROUP BY ALL HAVING count(*) > 1", strings.Join(ks, ", "), table, where)
}

func keyNames(n int) []string {
	var k []string
	for i := 0; i < n; i++ {
		k = append(k, fmt.Sprintf("k%d", i))
	}
	return k
}

// resolveEpisodeStates applies, to the episodes table of a plain folder,
// the rule for two rows of one episode in one file, one ended and one open
// (episode_states.sql): the ended one is the later state.
func resolveEpisodeStates(ctx context.Context, db *store.DB) error {
	if err := db.Exec(ctx, "ingest/sql/episode_states.sql", episodeStatesSQL); err != nil {
		return err
	}
	return recordStates(ctx, db, false)
}

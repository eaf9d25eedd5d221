package ingest

import (
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
)

// SampleMarker is the file lacaudit sample leaves in a folder it writes
// (synth.MarkerName): not an extract, and no cause for a warning.
const SampleMarker = ".lacaudit-sample"

// Source is where one table was found: a CSV file, or a sheet of a workbook.
type Source struct {
	Table string // contract table name, lower case
	Path  string // the file
	Sheet string // the sheet, for XLSX; empty for CSV
	// Dir is the folder of a year's return the file is in, relative to
	// the input folder ("2023-24"); empty for a file of the input folder.
	Dir string
}

// Label names the source for messages: "episodes.csv" or "extract.xlsx[reviews]".
func (s Source) Label() string {
	base := filepath.Base(s.Path)
	if s.Dir != "" {
		base = s.Dir + "/" + base
	}
	if s.Sheet != "" {
		return fmt.Sprintf("%s[%s]", base, s.Sheet)
	}
	return base
}

// Discovery is what was found in an input folder.
type Discovery struct {
	Sources map[string]Source // by table name
	// Ignored lists files and sheets that are not tables of the contract.
	Ignored []string
	// Files accounts for every entry of the input folder and every sheet of
	// its workbooks: read as a table, or not read and why.
	Files []InputFile
	books map[string]*book // open workbooks, by path
}

// InputFile is one file of the input folder, or one sheet of a workbook in
// it, and what lacaudit made of it.
type InputFile struct {
	Name  string // "reviews.csv", or "extract.xlsx[Reviews]"
	Table string // the table read from it; empty when not read
	Why   string // why it was not read (empty when read)
	// Encoding is how a CSV file read was encoded (EncodingUTF8 and others).
	Encoding string
}

// Close closes the workbooks Discover opened.
func (d *Discovery) Close() {
	if d == nil {
		return
	}
	for _, b := range d.books {
		b.close()
	}
}

// InputError is a problem with the extracts that makes the run's input
// unusable (exit status 3).
type InputError struct {
	Msg string
	// Rejects is set when the error is too many rejected rows: the rejects
	// table then lists them.
	Rejects bool
}

func (e *InputError) Error() string { return e.Msg }

func inputErrorf(format string, a ...any) error { return &InputError{Msg: fmt.Sprintf(format, a...)} }

// Discover finds the tables in dir: CSV files named after a table and
// visible sheets of XLSX workbooks named after a table, case-insensitively.
// A table found twice, or a core table missing, is an *InputError. The
// caller closes the Discovery.
func Discover(dir string) (*Discovery, error) {
	return discover(dir, "", DefaultLimits(0))
}

// discover is Discover with workbooks' temporary files in tmpDir (the
// system's temporary folder when empty) and their limits.
func discover(dir, tmpDir string, lim Limits) (_ *Discovery, err error) {
	entries, err := os.ReadDir(dir)
	if err != nil {
		if os.IsNotExist(err) {
			return nil, inputErrorf("input folder %s does not exist", dir)
		}
		return nil, fmt.Errorf("read input folder %s: %w", dir, err)
	}
	d := &Discovery{Sources: map[string]Source{}, books: map[string]*book{}}
	defer func() {
		if err != nil {
			d.Close()
		}
	}()
	add := func(s Source, original string) error {
		if prev, dup := d.Sources[s.Table]; dup {
			return inputErrorf("table %q found twice: in %s and in %s; keep one and run again", s.Table, prev.Label(), s.Label())
		}
		if _, known := Lookup(s.Table); !known {
			d.Ignored = append(d.Ignored, original)
			d.Files = append(d.Files, InputFile{Name: original, Why: notATable(s.Table)})
			return nil
		}
		d.Sources[s.Table] = s
		d.Files = append(d.Files, InputFile{Name: original, Table: s.Table})
		return nil
	}
	for _, e := range entries {
		name := e.Name()
		if e.IsDir() {
			d.Files = append(d.Files, InputFile{Name: name + "/", Why: "a folder: folders inside the input folder are not read"})
			continue
		}
		path := filepath.Join(dir, name)
		stem := strings.ToLower(strings.TrimSpace(strings.TrimSuffix(name, filepath.Ext(name))))
		format := FormatOf(name)
		if format == CSV || format == XLSX {
			// An extract is a regular file: a named pipe or a device (or a
			// link to one) would never end, a dangling link has nothing.
			fi, err := os.Stat(path)
			if err != nil {
				return nil, inputErrorf("%s cannot be read: it is a link to a file that does not exist, or cannot be opened", name)
			}
			if !fi.Mode().IsRegular() {
				return nil, inputErrorf("%s is not a regular file (a named pipe, a device, or a link to one): lacaudit reads extracts from regular files only", name)
			}
		}
		switch format {
		case Skipped:
			why := "a hidden file"
			if name == SampleMarker {
				why = "the marker lacaudit sample leaves in a synthetic extract"
			}
			if strings.HasPrefix(name, "~$") {
				why = "an office lock file (the workbook may be open in Excel)"
			}
			d.Files = append(d.Files, InputFile{Name: name, Why: why})
		case CSV:
			if err := add(Source{Table: stem, Path: path}, name); err != nil {
				return nil, err
			}
		case XLSX:
			b, err := openBook(path, tmpDir, lim)
			if err != nil {
				return nil, err
			}
			d.books[path] = b
			for _, sh := range b.sheets {
				label := fmt.Sprintf("%s[%s]", name, sh.Name)
				if sh.Hidden() {
					d.Files = append(d.Files, InputFile{Name: label, Why: "a hidden sheet: hidden and very hidden sheets are never read"})
					continue
				}
				table := strings.ToLower(strings.TrimSpace(sh.Name))
				if err := add(Source{Table: table, Path: path, Sheet: sh.Name}, label); err != nil {
					return nil, err
				}
			}
		default:
			d.Ignored = append(d.Ignored, name)
			d.Files = append(d.Files, InputFile{Name: name, Why: "not an extract: only .csv, .xlsx and .xlsm files are read"})
		}
	}
	sort.Strings(d.Ignored)
	sort.Slice(d.Files, func(i, j int) bool { return d.Files[i].Name < d.Files[j].Name })
	for _, t := range Tables {
		if _, ok := d.Sources[t.Name]; t.Core && !ok {
			var found []string
			for _, f := range d.Files {
				found = append(found, f.Name)
			}
			list := "nothing"
			if len(found) > 0 {
				list = strings.Join(found, ", ")
			}
			return nil, inputErrorf("core table %q is missing from %s: expected %s.csv or a visible sheet named %q in a workbook; found %s", t.Name, dir, t.Name, t.Name, list)
		}
	}
	return d, nil
}

// nameLike matches a file or sheet name that starts with a table's name and
// goes on with a year, a date, a copy number or "copy": "reviews_2023",
// "Reviews (2)", "episodes - copy".
var nameLike = regexp.MustCompile(`^([a-z_]+?)[ _.\-]*(\(?[0-9][0-9 _./-]*\)?|copy|\(copy\)|old|new|final|v[0-9]+)$`)

// notATable says why a CSV file or sheet named stem is not read, with a
// hint when it is named like a table.
func notATable(stem string) string {
	if m := nameLike.FindStringSubmatch(stem); m != nil {
		if t, ok := Lookup(m[1]); ok {
			return fmt.Sprintf("not a table name; it looks like the %s table: only a file %s.csv or a sheet named %s is read, so rename it if it is the extract to use", t.Name, t.Name, t.Name)
		}
	}
	return "not a table lacaudit uses"
}

// Format is how a file of the input folder is read.
type Format int

// The formats of input files.
const (
	Other   Format = iota // not an extract: listed as ignored
	CSV                   // one table
	XLSX                  // a workbook (.xlsx or .xlsm), one table a sheet
	Skipped               // hidden, or an office application's lock file: not listed
)

// FormatOf is how Discover treats a file named name in the input folder.
func FormatOf(name string) Format {
	if strings.HasPrefix(name, ".") || strings.HasPrefix(name, "~$") {
		return Skipped
	}
	switch strings.ToLower(filepath.Ext(name)) {
	case ".csv":
		return CSV
	case ".xlsx", ".xlsm":
		return XLSX
	}
	return Other
}

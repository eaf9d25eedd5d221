package ingest

import (
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"github.com/xuri/excelize/v2"
)

// Source is where one table was found: a CSV file, or a sheet of a workbook.
type Source struct {
	Table string // contract table name, lower case
	Path  string // the file
	Sheet string // the sheet, for XLSX; empty for CSV
}

// Label names the source for messages: "episodes.csv" or "extract.xlsx[reviews]".
func (s Source) Label() string {
	base := filepath.Base(s.Path)
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

// Discover finds the tables in dir: CSV files named after a table and sheets
// of XLSX workbooks named after a table, case-insensitively. A table found
// twice, or a core table missing, is an *InputError.
func Discover(dir string) (*Discovery, error) {
	entries, err := os.ReadDir(dir)
	if err != nil {
		if os.IsNotExist(err) {
			return nil, inputErrorf("input folder %s does not exist", dir)
		}
		return nil, fmt.Errorf("read input folder %s: %w", dir, err)
	}
	d := &Discovery{Sources: map[string]Source{}}
	add := func(s Source, original string) error {
		if prev, dup := d.Sources[s.Table]; dup {
			return inputErrorf("table %q found twice: in %s and in %s; keep one and run again", s.Table, prev.Label(), s.Label())
		}
		if _, known := Lookup(s.Table); !known {
			d.Ignored = append(d.Ignored, original)
			return nil
		}
		d.Sources[s.Table] = s
		return nil
	}
	for _, e := range entries {
		name := e.Name()
		if e.IsDir() {
			continue
		}
		path := filepath.Join(dir, name)
		stem := strings.ToLower(strings.TrimSpace(strings.TrimSuffix(name, filepath.Ext(name))))
		switch FormatOf(name) {
		case Skipped:
			continue
		case CSV:
			if err := add(Source{Table: stem, Path: path}, name); err != nil {
				return nil, err
			}
		case XLSX:
			sheets, err := sheetNames(path)
			if err != nil {
				return nil, err
			}
			for _, sh := range sheets {
				table := strings.ToLower(strings.TrimSpace(sh))
				if err := add(Source{Table: table, Path: path, Sheet: sh}, fmt.Sprintf("%s[%s]", name, sh)); err != nil {
					return nil, err
				}
			}
		default:
			d.Ignored = append(d.Ignored, name)
		}
	}
	sort.Strings(d.Ignored)
	for _, t := range Tables {
		if _, ok := d.Sources[t.Name]; t.Core && !ok {
			return nil, inputErrorf("core table %q is missing from %s: expected %s.csv or a sheet named %q in a workbook", t.Name, dir, t.Name, t.Name)
		}
	}
	return d, nil
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

func sheetNames(path string) ([]string, error) {
	f, err := excelize.OpenFile(path)
	if err != nil {
		return nil, inputErrorf("%s is not a readable XLSX workbook: %v", filepath.Base(path), err)
	}
	defer f.Close()
	return f.GetSheetList(), nil
}

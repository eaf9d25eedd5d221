package synth

import (
	"bufio"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/xuri/excelize/v2"
)

// csvSink writes each table to its own CSV file, or, for the tables listed,
// to a sheet of extensions.xlsx.
type csvSink struct {
	files []*os.File
	bufs  []*bufio.Writer
	line  []byte
	xlsx  *xlsxSink
	inX   []bool
}

func newCSVSink(dir string, xlsxTables []string, la bool) (*csvSink, error) {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, fmt.Errorf("create %s: %w", dir, err)
	}
	s := &csvSink{files: make([]*os.File, numTables), bufs: make([]*bufio.Writer, numTables), inX: make([]bool, numTables)}
	var x []int
	for t, tc := range tableColumns {
		if slices.Contains(xlsxTables, tc.name) {
			s.inX[t] = true
			x = append(x, t)
			continue
		}
		f, err := os.Create(filepath.Join(dir, tc.name+".csv"))
		if err != nil {
			return nil, fmt.Errorf("create %s.csv: %w", tc.name, err)
		}
		s.files[t], s.bufs[t] = f, bufio.NewWriterSize(f, 256*1024)
		if _, err := s.bufs[t].WriteString(strings.Join(headerOf(t, la), ",") + "\r\n"); err != nil {
			return nil, err
		}
	}
	for _, name := range xlsxTables {
		if !slices.Contains(tableNames(), name) {
			return nil, fmt.Errorf("--xlsx-tables: %q is not a table", name)
		}
	}
	if len(x) > 0 {
		xs, err := newXLSXFile(filepath.Join(dir, "extensions.xlsx"), x, la)
		if err != nil {
			return nil, err
		}
		s.xlsx = xs
	}
	return s, nil
}

func (s *csvSink) row(t int, cells []cell) error {
	if s.inX[t] {
		return s.xlsx.row(t, cells)
	}
	b := s.line[:0]
	iso := tableColumns[t].iso
	for i, c := range cells {
		if i > 0 {
			b = append(b, ',')
		}
		switch {
		case c.d != noDate && iso:
			b = c.d.appendISO(b)
		case c.d != noDate:
			b = c.d.appendDMY(b)
		case strings.ContainsAny(c.s, ",\"\r\n"):
			b = append(b, '"')
			b = append(b, strings.ReplaceAll(c.s, `"`, `""`)...)
			b = append(b, '"')
		default:
			b = append(b, c.s...)
		}
	}
	b = append(b, '\r', '\n')
	s.line = b
	_, err := s.bufs[t].Write(b)
	return err
}

func (s *csvSink) close() error {
	var first error
	for t, f := range s.files {
		if f == nil {
			continue
		}
		if err := s.bufs[t].Flush(); err != nil && first == nil {
			first = err
		}
		if err := f.Close(); err != nil && first == nil {
			first = err
		}
	}
	if s.xlsx != nil {
		if err := s.xlsx.close(); err != nil && first == nil {
			first = err
		}
	}
	return first
}

// xlsxSink writes tables as sheets of one workbook, dates as real date cells.
type xlsxSink struct {
	path    string
	f       *excelize.File
	sw      map[int]*excelize.StreamWriter
	rowNo   map[int]int
	dateFmt int
}

func newXLSXSink(dir string, la bool) (*xlsxSink, error) {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, fmt.Errorf("create %s: %w", dir, err)
	}
	all := make([]int, numTables)
	for i := range all {
		all[i] = i
	}
	return newXLSXFile(filepath.Join(dir, "extract.xlsx"), all, la)
}

// headerOf is table t's header row: its columns, after LA when la is set.
func headerOf(t int, la bool) []string {
	if la {
		return append([]string{"LA"}, tableColumns[t].cols...)
	}
	return tableColumns[t].cols
}

func newXLSXFile(path string, tables []int, la bool) (*xlsxSink, error) {
	f := excelize.NewFile()
	s := &xlsxSink{path: path, f: f, sw: map[int]*excelize.StreamWriter{}, rowNo: map[int]int{}}
	fmtID := 14
	style, err := f.NewStyle(&excelize.Style{NumFmt: fmtID, CustomNumFmt: ptr("dd/mm/yyyy")})
	if err != nil {
		return nil, err
	}
	s.dateFmt = style
	for k, t := range tables {
		name := tableColumns[t].name
		if k == 0 {
			if err := f.SetSheetName("Sheet1", name); err != nil {
				return nil, err
			}
		} else if _, err := f.NewSheet(name); err != nil {
			return nil, err
		}
		sw, err := f.NewStreamWriter(name)
		if err != nil {
			return nil, err
		}
		cols := headerOf(t, la)
		head := make([]any, len(cols))
		for i, c := range cols {
			head[i] = c
		}
		if err := sw.SetRow("A1", head); err != nil {
			return nil, err
		}
		s.sw[t], s.rowNo[t] = sw, 1
	}
	return s, nil
}

func tableNames() []string {
	out := make([]string, len(tableColumns))
	for i, tc := range tableColumns {
		out[i] = tc.name
	}
	return out
}

func ptr[T any](v T) *T { return &v }

func (s *xlsxSink) row(t int, cells []cell) error {
	vals := make([]any, len(cells))
	for i, c := range cells {
		if c.d != noDate {
			vals[i] = excelize.Cell{StyleID: s.dateFmt, Value: c.d.time()}
		} else if c.s != "" {
			vals[i] = c.s
		}
	}
	s.rowNo[t]++
	ref, err := excelize.CoordinatesToCellName(1, s.rowNo[t])
	if err != nil {
		return err
	}
	return s.sw[t].SetRow(ref, vals)
}

func (s *xlsxSink) close() error {
	for _, sw := range s.sw {
		if err := sw.Flush(); err != nil {
			return err
		}
	}
	if err := s.f.SaveAs(s.path); err != nil {
		return fmt.Errorf("write %s: %w", s.path, err)
	}
	// excelize creates the file executable (0700); it is data, as the CSVs.
	if err := os.Chmod(s.path, 0o600); err != nil {
		return err
	}
	return s.f.Close()
}

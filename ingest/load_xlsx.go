package ingest

import (
	"context"
	"database/sql/driver"
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"

	"github.com/xuri/excelize/v2"

	"github.com/lacaudit/lacaudit/store"
)

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
	// The first row is the header, which names the staging table's columns.
	if raw.Next() {
		rowNo++
		cells, err := raw.Columns(excelize.Options{RawCellValue: true})
		if err != nil {
			return st, inputErrorf("%s row %d cannot be read: %v", s.Label(), rowNo, err)
		}
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
	}
	if cols == nil {
		if err := raw.Error(); err != nil {
			return st, inputErrorf("%s cannot be read: %v", s.Label(), err)
		}
		return st, inputErrorf("%s is empty: expected a header row naming the columns", s.Label())
	}
	var rowErr error // an error of a row, returned as it is
	err = db.Append(ctx, stageName, func(add func(...driver.Value) error) error {
		rowErr = stageRows(raw, s, b, stage, pos, rowNo, date1904, add)
		return rowErr
	})
	if err != nil && err != rowErr {
		err = fmt.Errorf("stage %s: %w", s.Label(), err)
	}
	if err != nil {
		return st, err
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

// stageRows appends the sheet's rows after the header (row rowNo), but
// blank ones, to the staging table through add.
func stageRows(raw *excelize.Rows, s Source, b *book, stage []stageColumn, pos []int, rowNo int, date1904 bool, add func(...driver.Value) error) error {
	for raw.Next() {
		rowNo++
		cells, err := raw.Columns(excelize.Options{RawCellValue: true})
		if err != nil {
			return inputErrorf("%s row %d cannot be read: %v", s.Label(), rowNo, err)
		}
		if allBlank(cells) {
			continue
		}
		if err := add(xlsxRow(b, s, stage, pos, rowNo, cells, date1904)...); err != nil {
			return fmt.Errorf("stage %s row %d: %w", s.Label(), rowNo, err)
		}
	}
	if err := raw.Error(); err != nil {
		return inputErrorf("%s cannot be read: %v", s.Label(), err)
	}
	return nil
}

// xlsxRow is the staging row of a sheet row: its number, then the text of
// each staged column (nil when empty), dates of date cells as yyyy-mm-dd.
func xlsxRow(b *book, s Source, stage []stageColumn, pos []int, rowNo int, cells []string, date1904 bool) []driver.Value {
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
	return vals
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

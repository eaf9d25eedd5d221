package reports

import (
	"context"
	"database/sql"
	"fmt"
	"math"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/xuri/excelize/v2"

	"github.com/lacaudit/lacaudit/store"
)

// MaxRows is the most data rows a list puts on one sheet before it goes on
// to a continuation sheet (Excel holds 1,048,576 rows a sheet). Tests lower it.
var MaxRows = 1_000_000

// kind is how a column's values are shown.
type kind int

const (
	kText kind = iota
	kDate
	kInt
	kPct
	kNum
)

type col struct {
	title string
	width float64
	kind  kind
}

// sheet writes one worksheet top to bottom through excelize's StreamWriter,
// so that lists of any length take little memory.
type sheet struct {
	b           *book
	name        string
	sw          *excelize.StreamWriter
	row         int
	headerRow   int // first table header row, repeated on printed pages
	headers     int // table header rows written
	longTable   bool
	noteCols    int // notes wrap within the first noteCols columns (0: all)
	widths      []float64
	beforeFlush []func() error
}

// newSheet starts a sheet with its column widths, landscape print set-up
// fitting the page width, and the authority's name and title at the top.
// Rows down to freeze (the first table's header) stay in view when
// scrolling; excelize needs that known before the first row is written.
func (b *book) newSheet(name, title, subtitle string, widths []float64, freeze int) (*sheet, error) {
	if b.sheets == 0 {
		if err := b.f.SetSheetName("Sheet1", name); err != nil {
			return nil, err
		}
	} else if _, err := b.f.NewSheet(name); err != nil {
		return nil, err
	}
	b.sheets++
	landscape, fit, zero := "landscape", 1, 0
	a4 := 9
	if err := b.f.SetPageLayout(name, &excelize.PageLayoutOptions{Orientation: &landscape, FitToWidth: &fit, FitToHeight: &zero, Size: &a4}); err != nil {
		return nil, err
	}
	yes := true
	if err := b.f.SetSheetProps(name, &excelize.SheetPropsOptions{FitToPage: &yes}); err != nil {
		return nil, err
	}
	sw, err := b.f.NewStreamWriter(name)
	if err != nil {
		return nil, err
	}
	for i, w := range widths {
		if err := sw.SetColWidth(i+1, i+1, w); err != nil {
			return nil, err
		}
	}
	if freeze > 0 {
		if err := sw.SetPanes(&excelize.Panes{Freeze: true, YSplit: freeze, TopLeftCell: fmt.Sprintf("A%d", freeze+1), ActivePane: "bottomLeft"}); err != nil {
			return nil, err
		}
	}
	s := &sheet{b: b, name: name, sw: sw, widths: widths}
	if err := s.put([]any{cell(b.style.Authority, b.st.authority)}); err != nil {
		return nil, err
	}
	if err := s.put([]any{cell(title, b.st.title)}, 24); err != nil {
		return nil, err
	}
	if subtitle != "" {
		if err := s.note(subtitle); err != nil {
			return nil, err
		}
	}
	return s, nil
}

func cell(v any, style int) excelize.Cell { return excelize.Cell{Value: v, StyleID: style} }

// put writes the next row.
func (s *sheet) put(values []any, height ...float64) error {
	s.row++
	ref, err := excelize.CoordinatesToCellName(1, s.row)
	if err != nil {
		return err
	}
	opts := []excelize.RowOpts{}
	if len(height) > 0 {
		opts = append(opts, excelize.RowOpts{Height: height[0]})
	}
	return s.sw.SetRow(ref, values, opts...)
}

func (s *sheet) blank() { s.row++ }

func (s *sheet) heading(text string) error {
	s.blank()
	return s.put([]any{cell(text, s.b.st.heading)}, 18)
}

// note writes a line of explanation. One longer than the sheet's columns
// are wide wraps within them (merged), so that it neither runs off the
// screen nor shrinks the printed page, which fits the widest row.
func (s *sheet) note(text string) error {
	var width float64
	within := s.widths
	if s.noteCols > 0 && s.noteCols < len(within) {
		within = within[:s.noteCols]
	}
	for _, w := range within {
		width += w
	}
	// A column's width is in characters of the body font; the notes' smaller
	// italic font fits about 1.15 of them per unit.
	lines := math.Ceil(float64(utf8.RuneCountInString(text)) / (width * 1.15))
	if len(within) < 2 || lines <= 1 {
		return s.put([]any{cell(text, s.b.st.subtitle)})
	}
	if err := s.put([]any{cell(text, s.b.st.wrapped)}, 12.5*lines+2); err != nil {
		return err
	}
	last, err := excelize.CoordinatesToCellName(len(within), s.row)
	if err != nil {
		return err
	}
	return s.sw.MergeCell(fmt.Sprintf("A%d", s.row), last)
}

// value renders one value of a column.
func (s *sheet) value(c col, v any) any {
	st := s.b.st
	switch x := v.(type) {
	case nil:
		return cell(nil, st.body)
	case time.Time:
		return cell(excelDate(x), st.date)
	case string:
		// Text from the input is a string value: excelize writes it as text,
		// never as a formula, whatever it starts with.
		return cell(x, st.body)
	}
	switch c.kind {
	case kPct:
		return cell(v, st.pct)
	case kInt:
		return cell(v, st.integer)
	case kNum:
		return cell(v, st.number)
	}
	return cell(v, st.body)
}

// excelDate is t as an Excel date serial (days since 30 December 1899),
// which excelize writes as the number it is; given a time.Time it works
// out the same number more slowly, and a list has millions of dates.
func excelDate(t time.Time) float64 {
	const unixEpoch = 25569 // 1 January 1970
	return float64(t.Unix())/86400 + unixEpoch
}

// table writes a header and rows as an Excel table (filters and banding).
// The first table of a sheet freezes the rows above its data.
func (s *sheet) table(name string, cols []col, rows [][]any) error {
	if err := s.header(cols); err != nil {
		return err
	}
	first := s.row
	for _, r := range rows {
		vals := make([]any, len(r))
		for i, v := range r {
			vals[i] = s.value(cols[i], v)
		}
		if err := s.put(vals); err != nil {
			return err
		}
	}
	return s.finishTable(name, cols, first)
}

func (s *sheet) header(cols []col) error {
	vals := make([]any, len(cols))
	for i, c := range cols {
		vals[i] = cell(c.title, s.b.st.header)
	}
	if err := s.put(vals, 30); err != nil {
		return err
	}
	if s.headerRow == 0 {
		s.headerRow = s.row
	}
	s.headers++
	return nil
}

// printTitlesFrom is the number of rows from which a sheet's one table
// is taken to run over a printed page, and its header is repeated on each.
const printTitlesFrom = 30

func (s *sheet) finishTable(name string, cols []col, headerRow int) error {
	if headerRow == s.headerRow && s.row-headerRow >= printTitlesFrom {
		s.longTable = true
	}
	if s.row == headerRow {
		// An Excel table needs a data row; say plainly that there is none.
		return s.put([]any{cell("None.", s.b.st.body)})
	}
	last, err := excelize.CoordinatesToCellName(len(cols), s.row)
	if err != nil {
		return err
	}
	s.b.tables++
	return s.sw.AddTable(&excelize.Table{
		Range:          fmt.Sprintf("A%d:%s", headerRow, last),
		Name:           fmt.Sprintf("%s_%d", name, s.b.tables),
		StyleName:      s.b.style.TableStyle,
		ShowRowStripes: boolPtr(true),
	})
}

func boolPtr(b bool) *bool { return &b }

// queryTable writes the rows of a query as a table; past MaxRows it goes on
// to continuation sheets named "<sheet> (2)" and so on, each with a note, so
// that a list is split, never cut short. It returns the rows written.
//
// The rows are read from the database and made into cells on a goroutine of
// their own while this one writes them through excelize, so that a long
// list keeps two cores busy.
func (s *sheet) queryTable(ctx context.Context, db *store.DB, name string, cols []col, query string, args ...any) (*sheet, int64, error) {
	return s.cappedTable(ctx, db, name, cols, listCap{}, query, args...)
}

// readCells scans rows into cells, in batches, until the rows end or stop
// is closed, and closes the rows.
func (s *sheet) readCells(rows *sql.Rows, cols []col, out chan<- [][]any, stop <-chan struct{}) error {
	defer rows.Close()
	const batchRows = 512
	vals := make([]any, len(cols))
	ptrs := make([]any, len(cols))
	for i := range vals {
		ptrs[i] = &vals[i]
	}
	batch := make([][]any, 0, batchRows)
	send := func() bool {
		select {
		case out <- batch:
			batch = make([][]any, 0, batchRows)
			return true
		case <-stop:
			return false
		}
	}
	for rows.Next() {
		if err := rows.Scan(ptrs...); err != nil {
			return err
		}
		r := make([]any, len(cols))
		for i, v := range vals {
			r[i] = s.value(cols[i], v)
		}
		if batch = append(batch, r); len(batch) == batchRows && !send() {
			return nil
		}
	}
	if err := rows.Err(); err != nil {
		return err
	}
	if len(batch) > 0 {
		send()
	}
	return nil
}

// writeRows writes the header and the rows that arrive, going on to a
// continuation sheet every MaxRows rows.
func (s *sheet) writeRows(name string, cols []col, total int64, batches <-chan [][]any) (*sheet, int64, error) {
	if err := s.header(cols); err != nil {
		return s, 0, err
	}
	headerRow := s.row
	cur := s
	part := 1
	var n, onSheet int64
	for batch := range batches {
		for _, r := range batch {
			if onSheet == int64(MaxRows) {
				if err := cur.finishTable(name, cols, headerRow); err != nil {
					return cur, n, err
				}
				if cur != s {
					if err := cur.flush(); err != nil {
						return cur, n, err
					}
				}
				part++
				widths := make([]float64, len(cols))
				for i, c := range cols {
					widths[i] = c.width
				}
				next, err := s.b.newSheet(fmt.Sprintf("%s (%d)", truncate(s.name, 25), part), s.name+", continued",
					fmt.Sprintf("Rows %d to %d of %d.", n+1, min(n+int64(MaxRows), total), total), widths, 4)
				if err != nil {
					return cur, n, err
				}
				cur, onSheet = next, 0
				if err := cur.header(cols); err != nil {
					return cur, n, err
				}
				headerRow = cur.row
			}
			if err := cur.put(r); err != nil {
				return cur, n, err
			}
			n++
			onSheet++
		}
	}
	if err := cur.finishTable(name, cols, headerRow); err != nil {
		return cur, n, err
	}
	if cur != s {
		if err := cur.flush(); err != nil {
			return cur, n, err
		}
	}
	return cur, n, nil
}

func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return strings.TrimSpace(s[:n])
}

// flush ends the sheet: the things excelize keeps outside the rows (links,
// conditional formats, charts) are set first, because the stream writes
// them from the worksheet when it is flushed and ignores later changes;
// then the stream, and the header row repeated on every printed page
// where the sheet is one long table. A sheet of several tables, or of one
// short table and its notes, repeats nothing: its first table's header
// over another table or over text reads as wrong.
func (s *sheet) flush() error {
	for _, fn := range s.beforeFlush {
		if err := fn(); err != nil {
			return fmt.Errorf("sheet %s: %w", s.name, err)
		}
	}
	if err := s.sw.Flush(); err != nil {
		return fmt.Errorf("write sheet %s: %w", s.name, err)
	}
	if s.headers == 1 && s.longTable {
		if err := s.b.f.SetDefinedName(&excelize.DefinedName{
			Name:     "_xlnm.Print_Titles",
			RefersTo: fmt.Sprintf("'%s'!$%d:$%d", s.name, s.headerRow, s.headerRow),
			Scope:    s.name,
		}); err != nil {
			return err
		}
	}
	return nil
}

// scanAll runs a small query and returns its rows.
func scanAll(ctx context.Context, db *store.DB, query string, args ...any) ([][]any, error) {
	rows, err := db.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	return collect(rows)
}

func collect(rows *sql.Rows) ([][]any, error) {
	cols, err := rows.Columns()
	if err != nil {
		return nil, err
	}
	var out [][]any
	for rows.Next() {
		vals := make([]any, len(cols))
		ptrs := make([]any, len(cols))
		for i := range vals {
			ptrs[i] = &vals[i]
		}
		if err := rows.Scan(ptrs...); err != nil {
			return nil, err
		}
		out = append(out, vals)
	}
	return out, rows.Err()
}

package reports

import (
	"context"
	"fmt"
	"strconv"

	"github.com/lacaudit/lacaudit/store"
)

// listCap keeps a long list to its first rows: at national scale the
// exception lists run to hundreds of thousands of rows that no manager
// reads and that make the workbook take minutes to open. The query's order
// is the list's, most urgent first, so the rows kept are the most urgent.
type listCap struct {
	rows      int64  // the most rows shown; 0: every row
	elsewhere string // where every row is, for the note
	order     string // the list's order, for the note
}

// note is the line above a list cut short.
func (c listCap) note(total int64) string {
	return fmt.Sprintf("%d rows: the first %d are shown, %s; the other %d are in %s.",
		total, c.rows, c.order, total-c.rows, c.elsewhere)
}

// capOf is the cap of the workbook's lists for a run: the configured number
// of rows, in order, with the rest in elsewhere, which the note dates with
// the run's as-of date: the output folder keeps the dated workbooks of
// earlier nights, but its findings files, rejects and database are the
// latest run's.
func capOf(in Input, elsewhere, order string) listCap {
	if in.Config == nil {
		return listCap{}
	}
	if !in.AsOf.IsZero() {
		elsewhere += " of the run as of " + in.AsOf.Format("2 January 2006")
	}
	return listCap{rows: int64(in.Config.WorkbookListRows), elsewhere: elsewhere, order: order}
}

// findingsFiles names the findings files of the run for the notes.
func findingsFiles(in Input) string {
	if in.FindingsFiles != "" {
		return in.FindingsFiles
	}
	return "findings.csv"
}

// cappedTable is queryTable with a cap: past c.rows (when set) only the
// first c.rows rows of the query are written, under a note that says how
// many more there are and where they are.
func (s *sheet) cappedTable(ctx context.Context, db *store.DB, name string, cols []col, c listCap, query string, args ...any) (*sheet, int64, error) {
	var total int64
	if err := db.QueryRowContext(ctx, "SELECT count(*) FROM ("+query+")", args...).Scan(&total); err != nil {
		return s, 0, fmt.Errorf("count %s: %w", name, err)
	}
	note := fmt.Sprintf("%d rows.", total)
	if c.rows > 0 && total > c.rows {
		note = c.note(total)
		query = "SELECT * FROM (" + query + ") LIMIT " + strconv.FormatInt(c.rows, 10)
		total = c.rows
	} else if total > int64(MaxRows) {
		note = fmt.Sprintf("%d rows: the list goes on over %d sheets of at most %d rows (%s (2) and after).",
			total, (total+int64(MaxRows)-1)/int64(MaxRows), MaxRows, truncate(s.name, 25))
	}
	if err := s.note(note); err != nil {
		return s, 0, err
	}
	rows, err := db.QueryContext(ctx, query, args...)
	if err != nil {
		return s, 0, fmt.Errorf("query %s: %w", name, err)
	}
	batches := make(chan [][]any, 4)
	stop := make(chan struct{})
	readErr := make(chan error, 1)
	go func() {
		defer close(batches)
		readErr <- s.readCells(rows, cols, batches, stop)
	}()
	cur, n, err := s.writeRows(name, cols, total, batches)
	close(stop)
	for range batches { // let the reader see stop and finish
	}
	if rerr := <-readErr; err == nil {
		err = rerr
	}
	if err != nil {
		return cur, n, err
	}
	return s, n, nil
}

package reports

import (
	"context"
	"strings"

	"github.com/lacaudit/lacaudit/store"
)

func qualitySheet(ctx context.Context, db *store.DB, b *book, in Input, asOf string) error {
	cols := []col{{"File", 34, kText}, {"Line", 9, kInt}, {"Column", 18, kText}, {"Value", 26, kText}, {"Reason", 60, kText}}
	s, err := b.newSheet(SheetQuality, "Data quality", "Rows of the extracts that could not be read, and records that look inconsistent. Rejected rows are left out of the audit; fix them at the source.", widths(cols), 3)
	if err != nil {
		return err
	}
	var tables [][]any
	for _, t := range in.Tables {
		src := t.Source
		if !t.Present {
			src = "absent"
		}
		tables = append(tables, []any{t.Table, t.Read, src, t.Rejected, strings.Join(t.Unknown, ", ")})
	}
	if err := s.heading("Tables read"); err != nil {
		return err
	}
	if err := s.table("Tables", []col{{"Table", 34, kText}, {"Rows read", 9, kInt}, {"Source", 18, kText}, {"Rejected", 26, kInt}, {"Columns ignored", 60, kText}}, tables); err != nil {
		return err
	}
	warn, err := scanAll(ctx, db, `SELECT table_name, count(*), message FROM dq_warnings GROUP BY ALL ORDER BY 1, 3`)
	if err != nil {
		return err
	}
	if err := s.heading("Warnings (records listed on the Warnings sheet)"); err != nil {
		return err
	}
	if err := s.table("WarningCounts", []col{{"Table", 34, kText}, {"Records", 9, kInt}, {"Warning", 18, kText}}, warn); err != nil {
		return err
	}
	if err := s.heading("Rejected rows"); err != nil {
		return err
	}
	if _, _, err := s.cappedTable(ctx, db, "Rejects", cols, capOf(in, "rejects.csv", "by file and line"), `SELECT source, line, column_name, value, reason FROM rejects ORDER BY source, line, column_name`); err != nil {
		return err
	}
	if err := s.flush(); err != nil {
		return err
	}
	wa, err := b.authorities(ctx, db)
	if err != nil {
		return err
	}
	wcols := withLA(wa, []col{{"Table", 18, kText}, {"Warning", 60, kText}, {"Child", 12, kText}, {"Date", 12, kDate}, {"Detail", 40, kText}})
	w, err := b.newSheet(SheetWarnings, "Warnings", "Each record a consistency check found, as DATA.md describes; how each is handled is in the warning.", widths(wcols), 5)
	if err != nil {
		return err
	}
	if _, _, err := w.cappedTable(ctx, db, "Warnings", wcols, capOf(in, "the database (lacaudit.duckdb, table dq_warnings)", "by table and warning"), `SELECT table_name, message, `+childSQL(wa, "child")+`, record_date, detail FROM dq_warnings ORDER BY table_name, message, child, record_date`); err != nil {
		return err
	}
	return w.flush()
}

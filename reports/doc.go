// Package reports writes the workbooks people read: the nightly
// performance workbook that managers open in the morning. Every figure
// comes from the findings and input tables in the run's DuckDB database;
// styles come from the house-style template (package templates), and every
// list is streamed, so that a workbook of a national extract takes little
// memory.
//
// A file per sheet family. The nightly workbook: workbook.go (WriteWorkbook
// and Workbook, the order of the sheets, the SQL fragments they share),
// workbook_summary.go (Summary), workbook_lists.go (Action list and the
// exception lists), workbook_caseloads.go (By team, By IRO),
// workbook_trend.go (Trend), workbook_quality.go (Data quality, Warnings),
// workbook_method.go (Method), authority.go (By authority, written for an
// extract of several authorities, and the LA columns and per-authority
// figures of both workbooks). The annual report: annual.go (WriteAnnual,
// the year's figures), annual_overview.go (Overview, Timeliness),
// annual_people.go (Participation, Equalities, IRO caseloads),
// annual_planning.go (Care planning, Escalations, Method). The machinery
// under them: book.go (the template's styles), sheet.go (streamed tables),
// cap.go (capped lists), zip.go (the workbook's parallel zip writer).
//
// Adding a sheet: write its function beside its family, in the form
// func(ctx, db, b, in, asOf) error, and add it to figureSheets or
// listSheets in workbook.go (or to the steps of WriteAnnual).
package reports

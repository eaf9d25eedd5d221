// Package reports writes the workbooks people read: the nightly
// performance workbook that managers open in the morning. Every figure
// comes from the findings and input tables in the run's DuckDB database;
// styles come from the house-style template (package templates), and every
// list is streamed, so that a workbook of a national extract takes little
// memory.
package reports

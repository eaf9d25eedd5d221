package reports

import (
	"github.com/lacaudit/lacaudit/ingest"
)

// returnsTable writes, for a folder of returns, each return's file of each
// table with its collection year and the rows read, rejected and used (the
// newest return's row of each record is used; DATA.md, "A folder of
// returns"). It writes nothing for a plain folder of extracts.
func returnsTable(s *sheet, returns []ingest.ReturnFile) error {
	if len(returns) == 0 {
		return nil
	}
	var rows [][]any
	for _, f := range returns {
		rows = append(rows, []any{f.Year, f.Table, f.Source, f.Read, f.Rejected, f.Used, f.SHA256})
	}
	if err := s.heading("Returns read, by collection year (the newest return's row of each record is used)"); err != nil {
		return err
	}
	if err := s.note("A year in a folder's or file's name is read as DATA.md says: 2023-24 (or 2023_24, 2023-2024) is that collection year; a single year such as 2024 is the year the collection year ends in (2023-24)."); err != nil {
		return err
	}
	return s.table("Returns", []col{{"Collection year", 34, kText}, {"Table", 90, kText}, {"File", 24, kText}, {"Rows read", 16, kInt},
		{"Rows rejected", 16, kInt}, {"Rows used", 16, kInt}, {"SHA-256", 66, kText}}, rows)
}

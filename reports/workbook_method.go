package reports

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/lacaudit/lacaudit/audit"
	"github.com/lacaudit/lacaudit/config"
	"github.com/lacaudit/lacaudit/ingest"
	"github.com/lacaudit/lacaudit/store"
)

func methodSheet(ctx context.Context, db *store.DB, b *book, in Input, asOf string) error {
	s, err := b.newSheet(SheetMethod, "Method", "How these figures were made.", methodWidths, 3)
	if err != nil {
		return err
	}
	cfgSrc := "defaults (RULES.md)"
	if in.Config.Source != "" {
		cfgSrc = in.Config.Source
	}
	about := [][]any{
		{"As-of date", asOf},
		{"Written", in.Started.Format("02/01/2006 15:04")},
		{"Program", "lacaudit " + in.Version},
		{"Input", in.InputLabel},
		{"Configuration", cfgSrc},
		{"Time from the run's start to this sheet", fmt.Sprintf("%.1f seconds (the log's \"run finished\" line has the whole run's)", time.Since(in.Started).Seconds())},
		{"Working days", "Monday to Friday except England and Wales bank holidays (including the one-off holidays) and configured closures"},
		{"Placement breakdown reasons", strings.Join(in.Config.BreakdownReasons, ", ")},
	}
	for _, c := range in.Config.Closures {
		about = append(about, []any{"Closure day", c.Date.Format("02/01/2006") + " " + c.Name})
	}
	if in.Pseudonymised {
		about = append(about, []any{"Pseudonymised", "Yes: children (C-...) and social workers and IROs (W-...) appear as keyed hashes, the same for the same key; UPNs and rejected values are withheld"})
	}
	ma, err := b.authorities(ctx, db)
	if err != nil {
		return err
	}
	switch {
	case ma.Several():
		about = append(about, []any{"Authorities (LA)", fmt.Sprintf("%d: %s; a child is the pair of its authority and identifier (DATA.md, Several authorities)", len(ma.Codes), strings.Join(ma.Codes, ", "))})
	case ma.Recorded():
		about = append(about, []any{"Authority (LA)", ma.Codes[0]})
	}
	for _, n := range in.Notes {
		about = append(about, []any{n[0], n[1]})
	}
	if err := s.heading("This run"); err != nil {
		return err
	}
	if err := s.table("Run", []col{{"Item", 34, kText}, {"Value", 90, kText}}, about); err != nil {
		return err
	}
	if err := rulesTable(s, in.Coverage, in.Config); err != nil {
		return err
	}
	var ts [][]any
	for _, t := range in.Config.Timescales {
		ts = append(ts, []any{t.Key, t.Meaning, int64(t.Value), t.Unit})
	}
	if err := s.heading("Configuration"); err != nil {
		return err
	}
	if err := s.table("Timescales", []col{{"Setting", 34, kText}, {"Meaning", 90, kText}, {"Value", 24, kInt}, {"Unit", 16, kText}}, ts); err != nil {
		return err
	}
	if err := inputsTable(s, in.Tables); err != nil {
		return err
	}
	if err := returnsTable(s, in.Returns); err != nil {
		return err
	}
	if len(in.Ignored) > 0 {
		if err := s.note("Files and sheets of the input folder not read: " + strings.Join(in.Ignored, "; ") + "."); err != nil {
			return err
		}
	}
	return s.flush()
}

// methodWidths are the column widths of both workbooks' Method sheets.
var methodWidths = []float64{34, 90, 24, 16, 66}

// rulesTable writes the rules in force with their timescales and coverage.
func rulesTable(s *sheet, coverage []audit.Coverage, cfg *config.Config) error {
	var rules [][]any
	for _, c := range coverage {
		rules = append(rules, []any{c.Rule.ID, c.Rule.Title + ": due " + c.Rule.DueText(cfg), string(c.Rule.Family), c.Status, c.Reason})
	}
	if err := s.heading("Rules and timescales in force"); err != nil {
		return err
	}
	return s.table("Rules", []col{{"Rule", 34, kText}, {"What and when", 90, kText}, {"Family", 24, kText}, {"Assessed", 16, kText}, {"Why not", 66, kText}}, rules)
}

// inputsTable writes the input files with rows read and rejected, SHA-256
// and, for CSV files, the encoding they were read in.
func inputsTable(s *sheet, tables []ingest.TableStat) error {
	var files [][]any
	for _, t := range tables {
		if t.Present {
			enc := t.Encoding
			if enc == "" {
				enc = "XLSX"
			}
			files = append(files, []any{t.Table, t.Source, t.Read, t.Rejected, t.SHA256, enc})
		}
	}
	if err := s.heading("Input files"); err != nil {
		return err
	}
	return s.table("Inputs", []col{{"Table", 34, kText}, {"File", 90, kText}, {"Rows read", 24, kInt}, {"Rows rejected", 16, kInt}, {"SHA-256", 66, kText}, {"Encoding", 18, kText}}, files)
}

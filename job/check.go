package job

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"os"
	"strings"
	"time"

	"github.com/lacaudit/lacaudit/audit"
	"github.com/lacaudit/lacaudit/ingest"
	"github.com/lacaudit/lacaudit/pseudonym"
	"github.com/lacaudit/lacaudit/store"
)

// CheckReport is what `lacaudit check` found.
type CheckReport struct {
	Load     *ingest.Result
	Warnings []ingest.WarningCount
	Rejects  []ingest.RejectRow // the first rejected rows, for the terminal
	// Unused are optional tables left out for their rejected rows.
	Unused []UnusedTable
	// NotAssessed are the rules that run would not assess, or only in part.
	NotAssessed []audit.Coverage
	// Authorities are the LA codes the extract names (none: no LA column).
	Authorities []string
}

// Check reads and validates the extracts into an in-memory database and
// reports per table what was read, rejected and warned about. It reads,
// checks and audits them as run does (the audit adds warnings of its own,
// such as reviews outside any period of care), so that its rejects and
// warnings are exactly run's; it writes nothing.
func Check(ctx context.Context, s Settings, log *slog.Logger) (_ *CheckReport, err error) {
	defer func() { err = explain(err, s) }()
	// DuckDB spills to a private folder of its own, not to ./.tmp.
	tmp, err := os.MkdirTemp("", "lacaudit-check-")
	if err != nil {
		return nil, err
	}
	defer os.RemoveAll(tmp)
	if err := useBundledSample(&s, tmp); err != nil {
		return nil, err
	}
	limit := memoryLimit(s.MemoryLimit, s.Input)
	db, err := store.Open(ctx, "", store.Options{Threads: threads(s.Threads, s.Input), MemoryLimit: limit, TempDir: tmp})
	if err != nil {
		return nil, err
	}
	defer db.Close()
	start := time.Now()
	res, unused, err := loadExtracts(ctx, db, s, log, tmp, limit)
	rep := &CheckReport{Load: res, Unused: unused}
	if res != nil {
		rows, rerr := ingest.FirstRejects(ctx, db, 20)
		if rerr != nil && err == nil {
			err = rerr
		}
		rep.Rejects = rows
	}
	if err != nil {
		return rep, err
	}
	if _, err := ingest.Checks(ctx, db, s.AsOf); err != nil {
		return rep, err
	}
	// As run does, a warning when the extract looks out of date.
	if _, err := staleExtract(ctx, db, s, log); err != nil {
		return rep, err
	}
	if err := db.LockDown(ctx); err != nil {
		return rep, err
	}
	ar, err := audit.Run(ctx, db, s.Config, s.AsOf, res.KnownFrom())
	if err != nil {
		return rep, err
	}
	if err := explainUnused(ctx, db, ar, unused); err != nil {
		return rep, err
	}
	rep.NotAssessed = ar.NotAssessed()
	a, err := ingest.ReadAuthorities(ctx, db)
	if err != nil {
		return rep, err
	}
	rep.Authorities = a.Codes
	if rep.Warnings, err = warningCounts(ctx, db); err != nil {
		return rep, err
	}
	log.Info("extracts checked", "stage", "ingest", "seconds", time.Since(start).Seconds(), "tables", len(res.Tables))
	return rep, nil
}

// PrintCheck writes a check report for a person at a terminal. It names
// files, lines and columns, never a child's identifier or a value.
func PrintCheck(w io.Writer, rep *CheckReport) {
	if rep == nil || rep.Load == nil {
		return
	}
	fmt.Fprintf(w, "%-20s %-32s %10s %10s\n", "table", "source", "read", "rejected")
	for _, t := range rep.Load.Tables {
		src := t.Source
		if !t.Present {
			src = "(absent)"
		}
		if n := strings.Count(src, "; ") + 1; n > 1 {
			src = fmt.Sprintf("%d returns (below)", n) // a folder of returns: each file in the table below
		}
		fmt.Fprintf(w, "%-20s %-32s %10d %10d\n", t.Table, src, t.Read, t.Rejected)
		for _, u := range t.Unknown {
			fmt.Fprintf(w, "%-20s   unknown column %s ignored\n", "", u)
		}
	}
	fmt.Fprint(w, authoritiesLine(rep.Authorities))
	printReturns(w, rep.Load.Returns)
	for _, u := range rep.Unused {
		fmt.Fprintf(w, "not used: %s: %s\n", u.Source, u.Why)
	}
	if len(rep.NotAssessed) > 0 {
		fmt.Fprintln(w, "Rules that need an absent table or column are not assessed (lacaudit rules lists what each needs).")
	}
	for _, c := range rep.NotAssessed {
		fmt.Fprintf(w, "%s %s: %s\n", c.Status, c.Rule.ID, c.Reason)
	}
	for _, i := range rep.Load.Ignored {
		fmt.Fprintf(w, "ignored: %s is not a table lacaudit uses\n", i)
	}
	if len(rep.Rejects) > 0 {
		fmt.Fprintln(w, "\nrejected rows (first 20):")
		for _, r := range rep.Rejects {
			column := ""
			if r.Column != "" {
				column = " column " + r.Column
			}
			fmt.Fprintf(w, "  %s line %d%s: %s\n", r.Source, r.Line, column, pseudonym.Reason(r.Reason))
		}
	}
	if len(rep.Warnings) > 0 {
		fmt.Fprintln(w, "\nwarnings:")
		for _, wc := range rep.Warnings {
			fmt.Fprintf(w, "  %-20s %6d  %s\n", wc.Table, wc.Count, wc.Message)
		}
	}
}

// authoritiesLine says which authorities the extract names, each code
// with its "LA" so that the count does not read as a third code: "2
// authorities: LA 101, LA 102". Empty when it names none.
func authoritiesLine(codes []string) string {
	var las []string
	for _, c := range codes {
		las = append(las, "LA "+c)
	}
	switch len(codes) {
	case 0:
		return ""
	case 1:
		return fmt.Sprintf("authority: %s\n", las[0])
	}
	return fmt.Sprintf("%d authorities: %s; a child is the pair (LA, CHILD)\n", len(codes), strings.Join(las, ", "))
}

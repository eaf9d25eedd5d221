package job

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"time"

	"github.com/lacaudit/lacaudit/ingest"
	"github.com/lacaudit/lacaudit/store"
)

// CheckReport is what `lacaudit check` found.
type CheckReport struct {
	Load     *ingest.Result
	Warnings []ingest.WarningCount
	Rejects  []ingest.RejectRow // the first rejected rows, for the terminal
}

// Check reads and validates the extracts into an in-memory database and
// reports per table what was read, rejected and warned about.
func Check(ctx context.Context, s Settings, log *slog.Logger) (*CheckReport, error) {
	limit := memoryLimit(s.MemoryLimit, s.Input)
	db, err := store.Open(ctx, "", store.Options{Threads: s.Threads, MemoryLimit: limit})
	if err != nil {
		return nil, err
	}
	defer db.Close()
	start := time.Now()
	res, err := ingest.Load(ctx, db, ingest.Options{Dir: s.Input, RejectThreshold: s.Config.RejectThreshold, MemoryLimit: boundGoHeap(limit)})
	if res != nil {
		logInputFiles(log, res)
	}
	rep := &CheckReport{Load: res}
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
	rep.Warnings, err = ingest.Checks(ctx, db, s.AsOf)
	if err != nil {
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
		fmt.Fprintf(w, "%-20s %-32s %10d %10d\n", t.Table, src, t.Read, t.Rejected)
		for _, u := range t.Unknown {
			fmt.Fprintf(w, "%-20s   unknown column %s ignored\n", "", u)
		}
	}
	fmt.Fprintln(w, "Rules that need an absent table or column are not assessed (lacaudit rules lists what each needs).")
	for _, i := range rep.Load.Ignored {
		fmt.Fprintf(w, "ignored: %s is not a table lacaudit uses\n", i)
	}
	if len(rep.Rejects) > 0 {
		fmt.Fprintln(w, "\nrejected rows (first 20):")
		for _, r := range rep.Rejects {
			fmt.Fprintf(w, "  %s line %d column %s: %s\n", r.Source, r.Line, r.Column, r.Reason)
		}
	}
	if len(rep.Warnings) > 0 {
		fmt.Fprintln(w, "\nwarnings:")
		for _, wc := range rep.Warnings {
			fmt.Fprintf(w, "  %-20s %6d  %s\n", wc.Table, wc.Count, wc.Message)
		}
	}
}

// ExitStatus maps an error to the exit status of OUTPUT.md.
func ExitStatus(err error) int {
	var ie *ingest.InputError
	var le *LockError
	switch {
	case err == nil:
		return 0
	case errors.As(err, &ie):
		return 3
	case errors.As(err, &le):
		return 4
	}
	return 1
}

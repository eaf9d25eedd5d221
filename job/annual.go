package job

import (
	"context"
	"fmt"
	"log/slog"
	"path/filepath"
	"time"

	"github.com/lacaudit/lacaudit/audit"
	"github.com/lacaudit/lacaudit/ingest"
	"github.com/lacaudit/lacaudit/reports"
	"github.com/lacaudit/lacaudit/store"
	"github.com/lacaudit/lacaudit/templates"
)

// AnnualName is the annual report's file name for financial year y.
func AnnualName(y int) string { return "lacaudit-annual-" + reports.FinancialYear(y).Label() + ".xlsx" }

// Annual writes the IRO service's annual report for the financial year that
// starts on 1 April of year, with the year before beside it. Snapshot
// figures are as of 31 March, or s.AsOf while the year is not over.
func Annual(ctx context.Context, s Settings, log *slog.Logger, year int, suppress int) (string, error) {
	started := time.Now()
	ws, err := openWorkspace(&s, filepath.Join(s.Out, DBFileName), log)
	if err != nil {
		return "", err
	}
	defer ws.close()
	stage := ws.stage
	cur, prev := reports.FinancialYear(year), reports.FinancialYear(year-1)
	asOf := func(y reports.Year) time.Time {
		if s.AsOf.Before(y.End) {
			return s.AsOf
		}
		return y.End
	}
	if s.AsOf.Before(cur.Start) {
		return "", fmt.Errorf("the %s year starts on 1 April %d, after the as-of date %s", cur.Label(), year, s.AsOf.Format(time.DateOnly))
	}

	limit := memoryLimit(s.MemoryLimit, s.Input)
	db, err := store.Open(ctx, "", store.Options{Threads: s.Threads, MemoryLimit: limit, TempDir: filepath.Join(stage, "tmp")})
	if err != nil {
		return "", err
	}
	defer db.Close()
	res, err := ingest.Load(ctx, db, ingest.Options{Dir: s.Input, RejectThreshold: s.Config.RejectThreshold,
		TempDir: filepath.Join(stage, "tmp"), MemoryLimit: boundGoHeap(limit)})
	if err != nil {
		return "", err
	}
	if _, err := ingest.Checks(ctx, db, asOf(cur)); err != nil {
		return "", err
	}
	if err := db.LockDown(ctx, stage); err != nil {
		return "", err
	}
	alerts := res.Table("qa_alerts").Present
	if _, err := audit.Run(ctx, db, s.Config, asOf(prev)); err != nil {
		return "", err
	}
	previous, err := reports.ComputeYear(ctx, db, prev, alerts)
	if err != nil {
		return "", err
	}
	ar, err := audit.Run(ctx, db, s.Config, asOf(cur))
	if err != nil {
		return "", err
	}
	current, err := reports.ComputeYear(ctx, db, cur, alerts)
	if err != nil {
		return "", err
	}
	style, err := templates.Load(s.Template)
	if err != nil {
		return "", err
	}
	name := AnnualName(year)
	if err := reports.WriteAnnual(ctx, db, filepath.Join(stage, name), reports.AnnualInput{
		Year: current, Previous: previous, Config: s.Config, Style: style, Version: s.Version, InputLabel: s.InputLabel,
		Tables: res.Tables, Coverage: ar.Coverage, Started: started, SuppressBelow: int64(suppress), AsOf: asOf(cur),
	}); err != nil {
		return "", err
	}
	if err := commit(stage, []move{{Staged: filepath.Join(stage, name), Target: filepath.Join(s.Out, name)}}, s.FileMode); err != nil {
		return "", err
	}
	log.Info("annual report written", "year", cur.Label(), "seconds", round(time.Since(started).Seconds()))
	return filepath.Join(s.Out, name), nil
}

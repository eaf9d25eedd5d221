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
func Annual(ctx context.Context, s Settings, log *slog.Logger, year int, suppress int) (_ string, err error) {
	defer func() { err = explain(err, s) }()
	started := time.Now()
	// The nightly run's database is locked, and put back if a kill
	// interrupted its publication, though annual does not use it.
	dbPath := s.DB
	if dbPath == "" {
		dbPath = filepath.Join(s.Out, DBFileName)
	}
	ws, err := openWorkspace(&s, dbPath, log)
	if err != nil {
		return "", err
	}
	defer ws.close()
	stage := ws.stage
	// The annual report names children's workers: raw, never beside a
	// pseudonymised run's outputs (outkind.go).
	if err := claimOutputKind(s.Out, false); err != nil {
		return "", err
	}
	if err := useBundledSample(&s, stage); err != nil {
		return "", err
	}
	cur, prev := reports.FinancialYear(year), reports.FinancialYear(year-1)
	asOf := func(y reports.Year) time.Time {
		if s.AsOf.Before(y.End) {
			return s.AsOf
		}
		return y.End
	}
	if s.AsOf.Before(cur.Start) {
		return "", &YearError{Msg: fmt.Sprintf("the %s year starts on 1 April %d, after the as-of date %s", cur.Label(), year, s.AsOf.Format(time.DateOnly))}
	}

	limit := memoryLimit(s.MemoryLimit, s.Input)
	db, err := store.Open(ctx, "", store.Options{Threads: s.Threads, MemoryLimit: limit, TempDir: filepath.Join(stage, "tmp")})
	if err != nil {
		return "", err
	}
	defer db.Close()
	res, unused, err := loadExtracts(ctx, db, s, log, filepath.Join(stage, "tmp"), limit)
	if err != nil {
		return "", err
	}
	if _, err := ingest.Checks(ctx, db, asOf(cur)); err != nil {
		return "", err
	}
	if err := yearCovered(ctx, db, cur, s.AsOf); err != nil {
		return "", err
	}
	if err := returnCovers(res, cur); err != nil {
		return "", err
	}
	if err := db.LockDown(ctx, stage); err != nil {
		return "", err
	}
	alerts := res.Table("qa_alerts").Present
	for _, u := range unused {
		if u.Table == "qa_alerts" {
			alerts = false
		}
	}
	if _, err := audit.Run(ctx, db, s.Config, asOf(prev), res.KnownFrom()); err != nil {
		return "", err
	}
	previous, err := reports.ComputeYear(ctx, db, prev, alerts)
	if err != nil {
		return "", err
	}
	previous.Unavailable(res.KnownFrom())
	ar, err := audit.Run(ctx, db, s.Config, asOf(cur), res.KnownFrom())
	if err != nil {
		return "", err
	}
	if err := explainUnused(ctx, db, ar, unused); err != nil {
		return "", err
	}
	current, err := reports.ComputeYear(ctx, db, cur, alerts)
	if err != nil {
		return "", err
	}
	current.Unavailable(res.KnownFrom())
	style, err := templates.Load(s.Template)
	if err != nil {
		return "", err
	}
	name := AnnualName(year)
	if err := reports.WriteAnnual(ctx, db, filepath.Join(stage, name), reports.AnnualInput{
		Year: current, Previous: previous, Config: s.Config, Style: style, Version: s.Version, InputLabel: s.InputLabel,
		Tables: res.Tables, Returns: res.Returns, Coverage: ar.Coverage, Started: started, SuppressBelow: int64(suppress), AsOf: asOf(cur),
	}); err != nil {
		return "", err
	}
	if err := commit(stage, []move{{Staged: filepath.Join(stage, name), Target: filepath.Join(s.Out, name)}}, s.FileMode); err != nil {
		return "", err
	}
	log.Info("annual report written", "year", cur.Label(), "seconds", round(time.Since(started).Seconds()))
	return filepath.Join(s.Out, name), nil
}

// yearCovered says whether any child was looked after in year y according
// to the extracts; if none was, the report would be all zeros, and the
// error says which financial years the extracts do cover.
func yearCovered(ctx context.Context, db *store.DB, y reports.Year, asOf time.Time) error {
	var in int64
	var first, last *time.Time
	err := db.QueryRowContext(ctx, `SELECT count(*) FILTER (WHERE decom <= ?::DATE AND (dec IS NULL OR dec >= ?::DATE)),
		min(decom), max(coalesce(dec, ?::DATE)) FROM episodes WHERE dec IS NULL OR dec >= decom`,
		y.End.Format(time.DateOnly), y.Start.Format(time.DateOnly), asOf.Format(time.DateOnly)).Scan(&in, &first, &last)
	if err != nil {
		return fmt.Errorf("years the extracts cover: %w", err)
	}
	if in > 0 {
		return nil
	}
	if first == nil {
		return &YearError{Msg: fmt.Sprintf("no child was looked after in %s: the extracts have no episodes", y.Label())}
	}
	if last.After(asOf) {
		last = &asOf
	}
	from, to := financialYearOf(*first), financialYearOf(*last)
	covers := from.Label()
	if to.Label() != from.Label() {
		covers += " to " + to.Label()
	}
	return &YearError{Msg: fmt.Sprintf("no child was looked after in %s (1 April %d to 31 March %d) according to the extracts, which cover the financial years %s",
		y.Label(), y.Start.Year(), y.Start.Year()+1, covers)}
}

// returnCovers says whether a return of a folder of returns covers year y
// (a plain folder is held to yearCovered alone): a year before the first
// return would be read from the episodes open on its 1 April alone, so it
// is refused as a plain folder's uncovered year is.
func returnCovers(res *ingest.Result, y reports.Year) error {
	from := res.KnownFrom()
	if from.IsZero() || !y.Start.Before(from) {
		return nil
	}
	last := res.Returns[0].Year
	for _, r := range res.Returns {
		last = max(last, r.Year)
	}
	covers := financialYearOf(from).Label()
	if last != covers {
		covers += " to " + last
	}
	return &YearError{Msg: fmt.Sprintf("no return in the folder covers %s (1 April %d to 31 March %d): its returns are %s",
		y.Label(), y.Start.Year(), y.Start.Year()+1, covers)}
}

// financialYearOf is the financial year (1 April to 31 March) a day falls in.
func financialYearOf(d time.Time) reports.Year {
	if d.Month() < time.April {
		return reports.FinancialYear(d.Year() - 1)
	}
	return reports.FinancialYear(d.Year())
}

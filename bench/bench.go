// Package bench measures lacaudit at scale: for each size it writes a
// synthetic extract, loads it the cheapest way DuckDB can (every column as
// text, into a database file that is then closed: the floor), then runs
// the whole nightly job, and reports per stage the time, rows per second
// and peak memory next to the floor.
package bench

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"time"

	"github.com/lacaudit/lacaudit/config"
	"github.com/lacaudit/lacaudit/job"
	"github.com/lacaudit/lacaudit/store"
	"github.com/lacaudit/lacaudit/synth"
)

// Options shape a benchmark.
type Options struct {
	Sizes       []int  // children per sample
	Work        string // folder for the samples and outputs (kept for inspection)
	Seed        uint64
	Threads     int
	MemoryLimit string
}

// Row is one line of the results.
type Row struct {
	Children  int
	InputRows int64
	Stage     string
	Seconds   float64
	Rows      int64
	PeakRSS   int64
}

// Run benchmarks each size and writes a Markdown table to w.
func Run(ctx context.Context, o Options, w io.Writer) ([]Row, error) {
	asOf := time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC)
	var rows []Row
	fmt.Fprintln(w, "| children | input rows | stage | seconds | rows/s | peak memory (MiB) | × floor |")
	fmt.Fprintln(w, "| ---: | ---: | --- | ---: | ---: | ---: | ---: |")
	for _, n := range o.Sizes {
		dir := filepath.Join(o.Work, fmt.Sprintf("sample-%d", n))
		out := filepath.Join(o.Work, fmt.Sprintf("out-%d", n))
		_ = os.RemoveAll(dir)
		_ = os.RemoveAll(out)
		t0 := time.Now()
		if err := synth.Generate(dir, synth.Options{Children: n, Seed: o.Seed, Extract: asOf.AddDate(0, 0, -2), Years: 10}); err != nil {
			return rows, err
		}
		sample := time.Since(t0).Seconds()
		settle()
		fl, err := Floor(ctx, dir, filepath.Join(o.Work, "floor.duckdb"), o.Threads)
		if err != nil {
			return rows, err
		}
		floor, inRows := fl.Seconds, fl.Rows
		s := job.Settings{Input: dir, InputLabel: dir, Out: out, AsOf: asOf, Config: config.Default(),
			Threads: o.Threads, MemoryLimit: o.MemoryLimit, FileMode: 0o600, Version: "bench"}
		settle()
		t0 = time.Now()
		sum, err := job.Run(ctx, s, slog.New(slog.NewTextHandler(io.Discard, nil)))
		if err != nil {
			return rows, err
		}
		// The whole run is the job's wall clock: its stages plus what lies
		// between them (history, lock-down, commit).
		whole := time.Since(t0).Seconds()
		add := func(r Row) {
			rows = append(rows, r)
			ratio := ""
			if !strings.HasPrefix(r.Stage, "sample") && floor > 0 {
				ratio = fmt.Sprintf("%.2f", r.Seconds/floor)
			}
			rate := ""
			if r.Rows > 0 && r.Seconds > 0 {
				rate = fmt.Sprintf("%.0f", float64(r.Rows)/r.Seconds)
			}
			fmt.Fprintf(w, "| %d | %d | %s | %.2f | %s | %d | %s |\n", n, inRows, r.Stage, r.Seconds, rate, r.PeakRSS>>20, ratio)
		}
		add(Row{n, inRows, "sample (generate)", sample, inRows, 0})
		add(Row{n, inRows, "floor: DuckDB, all text (load only)", fl.LoadSeconds, inRows, fl.PeakRSS})
		add(Row{n, inRows, "floor: DuckDB, all text, closed", floor, inRows, fl.PeakRSS})
		var peak int64
		for _, st := range sum.Stages {
			add(Row{n, inRows, st.Name, st.Seconds, st.Rows, st.PeakRSS})
			peak = max(peak, st.PeakRSS)
		}
		add(Row{n, inRows, "**whole run**", whole, inRows, peak})
	}
	return rows, nil
}

// settle writes the files just written out to disk, so that the kernel's
// writing them back does not land in the next measurement.
func settle() { syscall.Sync() }

// FloorResult is the floor's measurement.
type FloorResult struct {
	// LoadSeconds is the time to the last table loaded; Seconds adds closing
	// the database, whose checkpoint writes much of what was loaded into the
	// file (as the job's own time includes its closing).
	LoadSeconds, Seconds float64
	Rows                 int64 // rows loaded
	PeakRSS              int64 // bytes
}

// Floor loads every CSV file of dir into a new database file with every
// column as text, as DuckDB's reader does at its cheapest, and closes it.
func Floor(ctx context.Context, dir, dbPath string, threads int) (FloorResult, error) {
	var r FloorResult
	_ = os.Remove(dbPath)
	defer os.Remove(dbPath)
	db, err := store.Open(ctx, dbPath, store.Options{Threads: threads})
	if err != nil {
		return r, err
	}
	closed := false
	defer func() {
		if !closed {
			db.Close()
		}
	}()
	files, err := filepath.Glob(filepath.Join(dir, "*.csv"))
	if err != nil {
		return r, err
	}
	job.ResetPeakRSS()
	t0 := time.Now()
	for _, f := range files {
		name := strings.TrimSuffix(filepath.Base(f), ".csv")
		if _, err := db.ExecContext(ctx, "CREATE TABLE "+store.Ident(name)+" AS SELECT * FROM read_csv(?, all_varchar = true)", f); err != nil {
			return r, fmt.Errorf("floor load %s: %w", f, err)
		}
		var c int64
		if err := db.QueryRowContext(ctx, "SELECT count(*) FROM "+store.Ident(name)).Scan(&c); err != nil {
			return r, err
		}
		r.Rows += c
	}
	r.LoadSeconds = time.Since(t0).Seconds()
	closed = true
	if err := db.Close(); err != nil {
		return r, fmt.Errorf("floor close: %w", err)
	}
	r.Seconds = time.Since(t0).Seconds()
	r.PeakRSS = job.PeakRSS()
	return r, nil
}

// Package bench measures lacaudit at scale: for each size it writes a
// synthetic extract, loads it the cheapest way DuckDB can (every column as
// text, into a database file that is then closed: the floor), then runs
// the whole nightly job, and reports per stage the time, rows per second
// and peak memory next to the floor, and how each grows from one size to
// the next. With repeats, the sizes take turns, so that a slow spell of the
// machine lands on all of them, and the median is reported.
package bench

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"math"
	"os"
	"path/filepath"
	"slices"
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
	Sizes []int // children per sample, run smallest first
	// Work is the folder for the samples and outputs, kept for inspection;
	// empty: a private temporary folder, removed at the end.
	Work        string
	Seed        uint64
	Threads     int
	MemoryLimit string
	// Repeat is how many times the floor and the job run on each sample
	// (at least once); the sizes take turns.
	Repeat int
	// Shapes are the sample shapes (synth.ShapeStandard, synth.ShapeHeavy);
	// empty: the standard one.
	Shapes []string
	// Progress, when set, gets a line as each run ends.
	Progress io.Writer
}

// Row is one line of the results: for a stage measured more than once, the
// median time, and the peak memory of its first run (the sizes' first runs
// go from the smallest to the largest).
type Row struct {
	Shape     string
	Children  int
	InputRows int64
	Stage     string
	Seconds   float64
	Min, Max  float64 // the fastest and slowest of the repeats
	Rows      int64
	PeakRSS   int64
}

// Stage names of the rows that are not the job's own stages.
const (
	StageSample    = "sample (generate)"
	StageFloorLoad = "floor: DuckDB, all text (load only)"
	StageFloor     = "floor: DuckDB, all text, closed"
	// StageFloorMem is the floor of issue 19: the same CSV files read into
	// in-memory tables, every column as text, and nothing else.
	StageFloorMem = "in-memory floor: DuckDB, all text, no file"
	StageWhole    = "**whole run**"
)

// size is one sample and what was measured on it.
type size struct {
	shape    string
	children int
	dir, out string
	inRows   int64
	sample   float64
	order    []string             // stage names, in the order first seen
	secs     map[string][]float64 // seconds per stage, one per repeat
	rows     map[string]int64
	peak     map[string]int64
}

// add records one run of a stage. Only the first run's peak memory counts:
// the process keeps some of the memory a run used, so a later run of a small
// size would report a larger one's peak.
func (z *size) add(stage string, seconds float64, rows, peak int64) {
	first := false
	if _, ok := z.secs[stage]; !ok {
		z.order = append(z.order, stage)
		first = true
	}
	z.secs[stage] = append(z.secs[stage], seconds)
	z.rows[stage] = rows
	if first {
		z.peak[stage] = peak
	}
}

// Run benchmarks each size and writes two Markdown tables to w: the stages
// of each size, then how the time grows from one size to the next.
func Run(ctx context.Context, o Options, w io.Writer) ([]Row, error) {
	asOf := time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC)
	if o.Work == "" {
		// Never a fixed path under the temporary folder, which anyone can
		// create first (or plant as a link) for the removals below to act in.
		dir, err := os.MkdirTemp("", "lacaudit-bench-")
		if err != nil {
			return nil, err
		}
		defer os.RemoveAll(dir)
		o.Work = dir
	}
	repeat := max(o.Repeat, 1)
	// Smallest first: the growth table compares each size with the one
	// before, and a first run's peak memory is its own (see size.add).
	children := slices.Compact(slices.Sorted(slices.Values(o.Sizes)))
	shapes := o.Shapes
	if len(shapes) == 0 {
		shapes = []string{synth.ShapeStandard}
	}
	var sizes []*size
	for _, shape := range shapes {
		for _, n := range children {
			name := fmt.Sprint(n)
			if shape != synth.ShapeStandard {
				name = shape + "-" + name
			}
			z := &size{shape: shape, children: n, dir: filepath.Join(o.Work, "sample-"+name),
				out:  filepath.Join(o.Work, "out-"+name),
				secs: map[string][]float64{}, rows: map[string]int64{}, peak: map[string]int64{}}
			_ = os.RemoveAll(z.dir)
			t0 := time.Now()
			if err := synth.Generate(z.dir, synth.Options{Children: n, Seed: o.Seed, Extract: asOf.AddDate(0, 0, -2), Years: 10, Shape: shape}); err != nil {
				return nil, err
			}
			z.sample = time.Since(t0).Seconds()
			sizes = append(sizes, z)
		}
	}
	for rep := 1; rep <= repeat; rep++ {
		for _, z := range sizes {
			if err := measure(ctx, o, asOf, z); err != nil {
				return nil, err
			}
			if o.Progress != nil {
				fmt.Fprintf(o.Progress, "bench: %s, %d children, run %d of %d: %.2f s (floor %.2f s, in-memory floor %.2f s)\n",
					z.shape, z.children, rep, repeat, last(z.secs[StageWhole]), last(z.secs[StageFloor]), last(z.secs[StageFloorMem]))
			}
		}
	}
	var rows []Row
	fmt.Fprintln(w, "| shape | children | input rows | stage | seconds | rows/s | peak memory (MiB) | × floor | × in-memory floor |")
	fmt.Fprintln(w, "| --- | ---: | ---: | --- | ---: | ---: | ---: | ---: | ---: |")
	for _, z := range sizes {
		floor, memFloor := median(z.secs[StageFloor]), median(z.secs[StageFloorMem])
		add := func(r Row) {
			rows = append(rows, r)
			ratio, memRatio := "", ""
			if r.Stage != StageSample && floor > 0 {
				ratio = fmt.Sprintf("%.2f", r.Seconds/floor)
			}
			if r.Stage != StageSample && memFloor > 0 {
				memRatio = fmt.Sprintf("%.2f", r.Seconds/memFloor)
			}
			rate := ""
			if r.Rows > 0 && r.Seconds > 0 {
				rate = fmt.Sprintf("%.0f", float64(r.Rows)/r.Seconds)
			}
			secs := fmt.Sprintf("%.2f", r.Seconds)
			if r.Max > r.Min {
				secs += fmt.Sprintf(" (%.2f–%.2f)", r.Min, r.Max)
			}
			fmt.Fprintf(w, "| %s | %d | %d | %s | %s | %s | %d | %s | %s |\n", z.shape, z.children, z.inRows, r.Stage, secs, rate, r.PeakRSS>>20, ratio, memRatio)
		}
		add(Row{Shape: z.shape, Children: z.children, InputRows: z.inRows, Stage: StageSample, Seconds: z.sample, Min: z.sample, Max: z.sample, Rows: z.inRows})
		for _, st := range z.order {
			v := z.secs[st]
			add(Row{Shape: z.shape, Children: z.children, InputRows: z.inRows, Stage: st, Seconds: median(v), Min: slices.Min(v), Max: slices.Max(v),
				Rows: z.rows[st], PeakRSS: z.peak[st]})
		}
	}
	for _, shape := range shapes {
		var of []*size
		for _, z := range sizes {
			if z.shape == shape {
				of = append(of, z)
			}
		}
		if len(of) > 1 {
			fmt.Fprintf(w, "\n%s shape:\n", shape)
			growth(w, of)
		}
	}
	return rows, nil
}

// measure runs the floor and the job once on z's sample.
func measure(ctx context.Context, o Options, asOf time.Time, z *size) error {
	_ = os.RemoveAll(z.out)
	settle()
	fl, err := Floor(ctx, z.dir, filepath.Join(o.Work, "floor.duckdb"), o.Threads)
	if err != nil {
		return err
	}
	settle()
	mem, err := Floor(ctx, z.dir, "", o.Threads)
	if err != nil {
		return err
	}
	z.inRows = fl.Rows
	s := job.Settings{Input: z.dir, InputLabel: z.dir, Out: z.out, AsOf: asOf, Config: config.Default(),
		Threads: o.Threads, MemoryLimit: o.MemoryLimit, FileMode: 0o600, Version: "bench"}
	settle()
	t0 := time.Now()
	sum, err := job.Run(ctx, s, slog.New(slog.NewTextHandler(io.Discard, nil)))
	if err != nil {
		return err
	}
	// The whole run is the job's wall clock: its stages plus what lies
	// between them (history, lock-down, commit).
	whole := time.Since(t0).Seconds()
	z.add(StageFloorLoad, fl.LoadSeconds, fl.Rows, fl.PeakRSS)
	z.add(StageFloor, fl.Seconds, fl.Rows, fl.PeakRSS)
	z.add(StageFloorMem, mem.Seconds, mem.Rows, mem.PeakRSS)
	var peak int64
	for _, st := range sum.Stages {
		z.add(st.Name, st.Seconds, st.Rows, st.PeakRSS)
		peak = max(peak, st.PeakRSS)
	}
	z.add(StageWhole, whole, fl.Rows, peak)
	return nil
}

// growth writes how the median time of the floor, each stage and the whole
// run grows from each size to the next, against the growth of the input
// rows. The exponent is log(time growth) / log(rows growth): 1 when the
// time grows in proportion to the rows, above 1 when faster.
func growth(w io.Writer, sizes []*size) {
	stages := []string{StageFloor, StageFloorMem}
	for _, st := range sizes[len(sizes)-1].order {
		if st != StageFloorLoad && st != StageFloor && st != StageFloorMem {
			stages = append(stages, st)
		}
	}
	fmt.Fprintln(w)
	head, rule := "| children | input rows ×", "| --- | ---:"
	for _, st := range stages {
		head += " | " + label(st) + " ×"
		rule += " | ---:"
	}
	fmt.Fprintln(w, head+" | whole run: exponent |")
	fmt.Fprintln(w, rule+" | ---: |")
	for i := 1; i < len(sizes); i++ {
		a, b := sizes[i-1], sizes[i]
		rows := float64(b.inRows) / float64(a.inRows)
		line := fmt.Sprintf("| %d → %d | %.2f", a.children, b.children, rows)
		for _, st := range stages {
			line += fmt.Sprintf(" | %.2f", median(b.secs[st])/median(a.secs[st]))
		}
		exp := ""
		if rows > 1 {
			exp = fmt.Sprintf("%.2f", math.Log(median(b.secs[StageWhole])/median(a.secs[StageWhole]))/math.Log(rows))
		}
		fmt.Fprintf(w, "%s | %s |\n", line, exp)
	}
}

// label is a stage's name as a column of the growth table.
func label(stage string) string {
	switch stage {
	case StageFloor:
		return "floor"
	case StageFloorMem:
		return "in-memory floor"
	case StageWhole:
		return "whole run"
	}
	return stage
}

func median(v []float64) float64 {
	if len(v) == 0 {
		return 0
	}
	s := slices.Sorted(slices.Values(v))
	if len(s)%2 == 1 {
		return s[len(s)/2]
	}
	return (s[len(s)/2-1] + s[len(s)/2]) / 2
}

func last(v []float64) float64 {
	if len(v) == 0 {
		return 0
	}
	return v[len(v)-1]
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
// With dbPath empty the database is in memory (the in-memory floor).
func Floor(ctx context.Context, dir, dbPath string, threads int) (FloorResult, error) {
	var r FloorResult
	if dbPath != "" {
		_ = os.Remove(dbPath)
		defer os.Remove(dbPath)
	}
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

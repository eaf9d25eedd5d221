package bench

import (
	"context"
	"os"
	"strconv"
	"strings"
	"testing"
)

// BenchmarkNational runs the bench of issue 19 (both sample shapes against
// both floors) and reports the whole run's ratio to each floor and its peak
// memory, a shape and size at a time. It is a benchmark so that `go test
// ./...` never runs it (minutes, and gigabytes of samples): run it with
//
//	go test ./bench -run '^$' -bench National -benchtime 1x
//
// LACAUDIT_BENCH_SIZES (default 300000) lists the children of each sample,
// comma-separated, and LACAUDIT_BENCH_WORK the folder for the samples
// (default: a temporary folder, removed after).
func BenchmarkNational(b *testing.B) {
	sizes := []int{300000}
	if v := os.Getenv("LACAUDIT_BENCH_SIZES"); v != "" {
		sizes = nil
		for _, f := range strings.Split(v, ",") {
			n, err := strconv.Atoi(strings.TrimSpace(f))
			if err != nil || n < 10 || n > 1_000_000 {
				b.Fatalf("LACAUDIT_BENCH_SIZES: %q is not a number of children from 10 to 1000000", f)
			}
			sizes = append(sizes, n)
		}
	}
	work := os.Getenv("LACAUDIT_BENCH_WORK")
	if work == "" {
		work = b.TempDir()
	}
	for b.Loop() {
		var out strings.Builder
		rows, err := Run(context.Background(), Options{Sizes: sizes, Work: work, Seed: 7, MemoryLimit: "auto",
			Repeat: 1, Shapes: []string{"standard", "heavy"}}, &out)
		if err != nil {
			b.Fatal(err)
		}
		b.Log("\n" + out.String())
		floors := map[string][2]float64{}
		for _, r := range rows {
			key := r.Shape + "-" + strconv.Itoa(r.Children)
			f := floors[key]
			switch r.Stage {
			case StageFloor:
				f[0] = r.Seconds
			case StageFloorMem:
				f[1] = r.Seconds
			}
			floors[key] = f
		}
		for _, r := range rows {
			if r.Stage != StageWhole {
				continue
			}
			key := r.Shape + "-" + strconv.Itoa(r.Children)
			f := floors[key]
			b.ReportMetric(r.Seconds/f[0], key+"-x-floor")
			b.ReportMetric(r.Seconds/f[1], key+"-x-in-memory-floor")
			b.ReportMetric(float64(r.PeakRSS>>20), key+"-peak-MiB")
		}
	}
}

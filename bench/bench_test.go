package bench

import (
	"bytes"
	"context"
	"strconv"
	"strings"
	"testing"
)

func TestMedian(t *testing.T) {
	for _, c := range []struct {
		in   []float64
		want float64
	}{
		{nil, 0},
		{[]float64{3}, 3},
		{[]float64{5, 1, 3}, 3},
		{[]float64{4, 1, 3, 2}, 2.5},
	} {
		if got := median(c.in); got != c.want {
			t.Errorf("median(%v) = %v, want %v", c.in, got, c.want)
		}
	}
}

// TestRunRepeatsAndReportsGrowth runs a small benchmark twice over two
// sizes, given largest first and one twice: they run smallest first, every
// stage of each size is reported once, with the median of its two runs
// between their fastest and slowest, and the growth table has a line from
// the first size to the second.
func TestRunRepeatsAndReportsGrowth(t *testing.T) {
	if testing.Short() {
		t.Skip("runs the job four times")
	}
	var out, progress bytes.Buffer
	rows, err := Run(context.Background(), Options{Sizes: []int{120, 30, 120}, Work: t.TempDir(), Seed: 3, Threads: 1,
		MemoryLimit: "auto", Repeat: 2, Progress: &progress}, &out)
	if err != nil {
		t.Fatal(err)
	}
	if len(rows) == 0 || rows[0].Children != 30 {
		t.Fatalf("the first row is not of the smallest size: %+v", rows)
	}
	want := []string{StageSample, StageFloorLoad, StageFloor, "ingest", "checks", "rules", "findings", "workbook", StageWhole}
	for _, n := range []int{30, 120} {
		var got []string
		for _, r := range rows {
			if r.Children != n {
				continue
			}
			got = append(got, r.Stage)
			if r.Seconds <= 0 || r.Min > r.Seconds || r.Seconds > r.Max {
				t.Errorf("%d children, %s: median %v outside its runs' %v–%v", n, r.Stage, r.Seconds, r.Min, r.Max)
			}
			if r.InputRows <= 0 {
				t.Errorf("%d children, %s: %d input rows", n, r.Stage, r.InputRows)
			}
		}
		if strings.Join(got, ",") != strings.Join(want, ",") {
			t.Errorf("%d children: stages %v, want %v", n, got, want)
		}
	}
	if c := strings.Count(progress.String(), "\n"); c != 4 {
		t.Errorf("progress has %d lines, want 4 (two sizes, two runs):\n%s", c, progress.String())
	}
	var growth string
	for _, l := range strings.Split(out.String(), "\n") {
		if strings.HasPrefix(l, "| 30 → 120 |") {
			growth = l
		}
	}
	// children, input rows, floor, five stages, whole run, exponent.
	if cells := strings.Split(strings.Trim(growth, "| "), " | "); len(cells) != 10 {
		t.Fatalf("growth line %q has %d cells, want 10; output:\n%s", growth, len(cells), out.String())
	} else if x, err := strconv.ParseFloat(cells[1], 64); err != nil || x < 3 {
		t.Errorf("growth line %q: input rows × %q, want about 4", growth, cells[1])
	}
}

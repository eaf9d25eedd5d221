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
// sizes, given largest first and one twice, in both shapes: they run
// smallest first, every stage of each size and shape is reported once
// (both floors among them), with the median of its two runs between their
// fastest and slowest, the heavy shape has more input rows, and each shape
// has a growth table with a line from the first size to the second.
func TestRunRepeatsAndReportsGrowth(t *testing.T) {
	if testing.Short() {
		t.Skip("runs the job four times")
	}
	var out, progress bytes.Buffer
	rows, err := Run(context.Background(), Options{Sizes: []int{120, 30, 120}, Work: t.TempDir(), Seed: 3, Threads: 1,
		MemoryLimit: "auto", Repeat: 2, Shapes: []string{"standard", "heavy"}, Progress: &progress}, &out)
	if err != nil {
		t.Fatal(err)
	}
	if len(rows) == 0 || rows[0].Children != 30 {
		t.Fatalf("the first row is not of the smallest size: %+v", rows)
	}
	want := []string{StageSample, StageFloorLoad, StageFloor, StageFloorMem, "ingest", "checks", "rules", "findings", "workbook", StageWhole}
	input := map[string]int64{}
	for _, c := range []struct {
		shape string
		n     int
	}{{"standard", 30}, {"standard", 120}, {"heavy", 30}, {"heavy", 120}} {
		n := c.n
		var got []string
		for _, r := range rows {
			if r.Children != n || r.Shape != c.shape {
				continue
			}
			input[c.shape] += r.InputRows
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
	if input["heavy"] <= input["standard"] {
		t.Errorf("input rows: heavy %d, standard %d", input["heavy"], input["standard"])
	}
	if c := strings.Count(progress.String(), "\n"); c != 8 {
		t.Errorf("progress has %d lines, want 8 (two shapes, two sizes, two runs):\n%s", c, progress.String())
	}
	var growth []string
	for _, l := range strings.Split(out.String(), "\n") {
		if strings.HasPrefix(l, "| 30 → 120 |") {
			growth = append(growth, l)
		}
	}
	if len(growth) != 2 {
		t.Fatalf("%d growth lines, want one a shape; output:\n%s", len(growth), out.String())
	}
	for _, g := range growth {
		// children, input rows, two floors, five stages, whole run, exponent.
		if cells := strings.Split(strings.Trim(g, "| "), " | "); len(cells) != 11 {
			t.Fatalf("growth line %q has %d cells, want 11; output:\n%s", g, len(cells), out.String())
		} else if x, err := strconv.ParseFloat(cells[1], 64); err != nil || x < 3 {
			t.Errorf("growth line %q: input rows × %q, want about 4", g, cells[1])
		}
	}
}

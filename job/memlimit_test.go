package job

import (
	"runtime/debug"
	"testing"
)

// A memory limit is read in bytes in every unit --memory-limit accepts, and
// the Go heap's soft limit follows it (3/8, at least minGoHeap).
func TestBoundGoHeap(t *testing.T) {
	defer debug.SetMemoryLimit(debug.SetMemoryLimit(-1))
	for _, c := range []struct {
		in      string
		bytes   int64
		goLimit int64
	}{
		{"1500MB", 1_500_000_000, 562_500_000},
		{"2 GiB", 2 << 30, 3 << 28},
		{"1.5GB", 1_500_000_000, 562_500_000},
		{"512MB", 512_000_000, 192_000_000}, // auto
		{"40MB", 40_000_000, minGoHeap},
	} {
		if got := boundGoHeap(c.in); got != c.bytes {
			t.Errorf("%s: %d bytes, want %d", c.in, got, c.bytes)
		}
		if got := debug.SetMemoryLimit(-1); got != c.goLimit {
			t.Errorf("%s: Go heap limit %d, want %d", c.in, got, c.goLimit)
		}
	}
	if got := sizeBytes("lots"); got != 0 {
		t.Errorf("lots: %d", got)
	}
}

package job

import (
	"os"
	"path/filepath"
	"strconv"
	"testing"
)

// sparseFolder is a folder of sparse files of the sizes given: their size
// is what counts, not their blocks.
func sparseFolder(t *testing.T, files map[string]int64) string {
	dir := t.TempDir()
	for name, size := range files {
		f, err := os.Create(filepath.Join(dir, name))
		if err != nil {
			t.Fatal(err)
		}
		if err := f.Truncate(size); err != nil {
			t.Skipf("this file system cannot hold a sparse file of %d bytes: %v", size, err)
		}
		f.Close()
	}
	return dir
}

// A single authority's extract gets one DuckDB thread, a larger one a
// thread a core, and a setting is kept.
func TestThreads(t *testing.T) {
	for _, c := range []struct {
		name    string
		setting int
		files   map[string]int64
		want    int
	}{
		{"2,000 children: one thread", 0, map[string]int64{"episodes.csv": 2_300_000}, 1},
		{"just under 16 MB: one thread", 0, map[string]int64{"episodes.csv": 8 << 20, "reviews.csv": 8<<20 - 1}, 1},
		{"16 MB: a thread a core", 0, map[string]int64{"episodes.csv": 8 << 20, "reviews.csv": 8 << 20}, 0},
		{"a workbook counts five times its size", 0, map[string]int64{"extract.xlsx": 4 << 20}, 0},
		{"a setting is kept", 2, map[string]int64{"episodes.csv": 1000}, 2},
		{"a setting of one on a large extract", 1, map[string]int64{"episodes.csv": 300_000_000}, 1},
	} {
		t.Run(c.name, func(t *testing.T) {
			if got := threads(c.setting, sparseFolder(t, c.files)); got != c.want {
				t.Errorf("threads(%d) = %d, want %d", c.setting, got, c.want)
			}
		})
	}
}

func TestMemoryLimit(t *testing.T) {
	folder := sparseFolder
	capped := func(mb int64) string {
		b := mb * 1_000_000
		if total := machineMemory(); total > 0 {
			b = min(b, total/2)
		}
		return strconv.FormatInt(b/1_000_000, 10) + "MB"
	}
	for _, c := range []struct {
		name, setting string
		files         map[string]int64
		want          string
	}{
		{"explicit setting kept", "4GB", map[string]int64{"episodes.csv": 900_000_000}, "4GB"},
		{"small extract gets 512 MB", "auto", map[string]int64{"episodes.csv": 1_000_000}, capped(512)},
		{"empty setting is auto", "", nil, capped(512)},
		// 300,000 children (332 MB of CSV) get 512 MB, which keeps the whole
		// run under 1 GiB; until this round they got three times the extract.
		{"300,000 children get 512 MB", "auto", map[string]int64{"episodes.csv": 232_000_000, "reviews.csv": 100_000_000}, capped(512)},
		// 1,000,000 children (1.16 GB) ran out of memory held to 512 MB.
		{"the extract's size above 512 MB", "auto", map[string]int64{"episodes.csv": 800_000_000, "reviews.csv": 360_000_000}, capped(1160)},
		{"workbook counted five times", "auto", map[string]int64{"extract.xlsx": 200_000_000, "notes.txt": 900_000_000}, capped(1000)},
		{"capped at half the machine", "auto", map[string]int64{"episodes.csv": 1 << 40}, capped(1 << 40 / 1_000_000)},
	} {
		t.Run(c.name, func(t *testing.T) {
			if got := memoryLimit(c.setting, folder(t, c.files)); got != c.want {
				t.Errorf("memoryLimit(%q) = %s, want %s", c.setting, got, c.want)
			}
		})
	}
	if machineMemory() <= 0 {
		t.Log("machine memory unknown here: the cap was not tested")
	}
}

func TestCheckMemoryLimit(t *testing.T) {
	for _, ok := range []string{"auto", "AUTO", "1GB", "1500MB", "2gb", "1.5 GiB", "512MiB"} {
		if err := CheckMemoryLimit(ok); err != nil {
			t.Errorf("CheckMemoryLimit(%q): %v", ok, err)
		}
	}
	for _, bad := range []string{"", "banana", "0", "2", "GB", "-1GB", "1GB; DROP TABLE findings", "127MB", "0.1GB", "0GB", "1KB"} {
		if CheckMemoryLimit(bad) == nil {
			t.Errorf("CheckMemoryLimit(%q) accepted", bad)
		}
	}
}

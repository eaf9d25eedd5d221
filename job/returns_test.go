package job

import (
	"os"
	"path/filepath"
	"testing"
)

// A folder of returns is sized by every return's files, as a plain folder
// is by its own: loaded together, they take the memory of all of them.
func TestMemoryLimitCountsEveryReturn(t *testing.T) {
	if machineMemory() < 4_000_000_000 {
		t.Skip("needs a machine with 4 GB of memory to tell the limits apart")
	}
	plain, returns := t.TempDir(), t.TempDir()
	if err := os.Mkdir(filepath.Join(returns, "2023-24"), 0o700); err != nil {
		t.Fatal(err)
	}
	for _, p := range []string{filepath.Join(plain, "episodes.csv"), filepath.Join(returns, "2023-24", "episodes.csv")} {
		f, err := os.Create(p)
		if err != nil {
			t.Fatal(err)
		}
		if err := f.Truncate(600_000_000); err != nil { // sparse: no disk used
			t.Fatal(err)
		}
		f.Close()
	}
	a, b := memoryLimit(AutoMemory, plain), memoryLimit(AutoMemory, returns)
	if a != b || a == "1000MB" {
		t.Errorf("plain folder %s, folder of returns %s: want the same, above the 1 GB floor", a, b)
	}
}

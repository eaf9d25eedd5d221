package job

import (
	"os"
	"path/filepath"
	"slices"
	"testing"
)

func TestFindingsFiles(t *testing.T) {
	csv, pq, both := []string{"findings.csv"}, []string{"findings.parquet"}, []string{"findings.csv", "findings.parquet"}
	for _, c := range []struct {
		setting string
		n       int64
		want    []string
	}{
		{"", 0, csv},
		{"auto", 1_048_575, csv}, // one Excel sheet's rows under the header
		{"auto", 1_048_576, both},
		{"auto", 15_000_000, both},
		{"csv", 15_000_000, csv},
		{"parquet", 10, pq},
		{"both", 10, both},
	} {
		if got := findingsFiles(c.setting, c.n); !slices.Equal(got, c.want) {
			t.Errorf("findingsFiles(%q, %d) = %v, want %v", c.setting, c.n, got, c.want)
		}
	}
}

// A removal in a commit takes the target away, and undoing the commit puts
// it back.
func TestCommitRemovesAndUndoRestores(t *testing.T) {
	out := t.TempDir()
	put(t, filepath.Join(out, "findings.csv"), "old csv")
	stage := filepath.Join(out, stagePrefix+"x")
	os.Mkdir(stage, 0o700)
	put(t, filepath.Join(stage, "findings.parquet"), "new parquet")
	moves := []move{{Staged: filepath.Join(stage, "findings.parquet"), Target: filepath.Join(out, "findings.parquet")}}
	moves = append(moves, staleFindings(out, []string{"findings.parquet"})...)
	if len(moves) != 2 {
		t.Fatalf("moves %+v, want the parquet file and the removal of findings.csv", moves)
	}
	if err := commit(stage, moves, 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(out, "findings.csv")); !os.IsNotExist(err) {
		t.Errorf("findings.csv left after a parquet-only commit: %v", err)
	}
	if err := undo(moves); err != nil {
		t.Fatal(err)
	}
	if read(t, filepath.Join(out, "findings.csv")) != "old csv" {
		t.Error("undo did not restore findings.csv")
	}
	if _, err := os.Stat(filepath.Join(out, "findings.parquet")); !os.IsNotExist(err) {
		t.Errorf("undo left the new findings.parquet: %v", err)
	}
}

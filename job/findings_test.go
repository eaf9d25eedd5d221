package job

import (
	"io"
	"log/slog"
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
		{"auto", 1_048_576, pq},
		{"auto", 15_000_000, pq},
		{"both", 15_000_000, both},
		{"csv", 15_000_000, csv},
		{"parquet", 10, pq},
		{"both", 10, both},
	} {
		if got := findingsFiles(c.setting, c.n); !slices.Equal(got, c.want) {
			t.Errorf("findingsFiles(%q, %d) = %v, want %v", c.setting, c.n, got, c.want)
		}
	}
}

// After a night that wrote only one format, the other format's file from
// an earlier night is gone, and the night's own file stays.
func TestRemoveStaleFindings(t *testing.T) {
	out := t.TempDir()
	put(t, filepath.Join(out, "findings.csv"), "old csv")
	put(t, filepath.Join(out, "findings.parquet"), "new parquet")
	removeStaleFindings(out, []string{"findings.parquet"}, slog.New(slog.NewTextHandler(io.Discard, nil)))
	if _, err := os.Stat(filepath.Join(out, "findings.csv")); !os.IsNotExist(err) {
		t.Errorf("findings.csv left after a parquet-only night: %v", err)
	}
	if read(t, filepath.Join(out, "findings.parquet")) != "new parquet" {
		t.Error("the night's findings.parquet was removed")
	}
	removeStaleFindings(out, []string{"findings.csv", "findings.parquet"}, slog.New(slog.NewTextHandler(io.Discard, nil)))
	if read(t, filepath.Join(out, "findings.parquet")) != "new parquet" {
		t.Error("a night that wrote both removed findings.parquet")
	}
}

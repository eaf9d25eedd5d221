package job

import (
	"bytes"
	"context"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/lacaudit/lacaudit/config"
	"github.com/lacaudit/lacaudit/sampledata"
)

// Above sideBySide findings, findings.csv is written once the workbook
// reaches its lists rather than from its start: the outputs are the same.
func TestFindingsWrittenBesideTheLists(t *testing.T) {
	in := t.TempDir()
	if err := sampledata.WriteTo(in); err != nil {
		t.Fatal(err)
	}
	run := func(threshold int64) (findings []byte, files []string) {
		defer func(v int64) { sideBySide = v }(sideBySide)
		sideBySide = threshold
		s := Settings{Input: in, InputLabel: "sample", Out: t.TempDir(), AsOf: time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC),
			Config: config.Default(), FileMode: 0o600, Version: "test"}
		sum, err := Run(context.Background(), s, slog.New(slog.NewTextHandler(io.Discard, nil)))
		if err != nil {
			t.Fatalf("sideBySide %d: %v", threshold, err)
		}
		b, err := os.ReadFile(filepath.Join(s.Out, "findings.csv"))
		if err != nil {
			t.Fatal(err)
		}
		for _, f := range sum.Files {
			if _, err := os.Stat(filepath.Join(s.Out, f)); err != nil {
				t.Errorf("sideBySide %d: %v", threshold, err)
			}
		}
		return b, sum.Files
	}
	atStart, filesAtStart := run(1 << 40)
	atLists, filesAtLists := run(0)
	if len(atStart) == 0 || !bytes.Equal(atStart, atLists) {
		t.Errorf("findings.csv differs: %d bytes written from the workbook's start, %d from its lists", len(atStart), len(atLists))
	}
	if len(filesAtStart) != len(filesAtLists) {
		t.Errorf("outputs %v against %v", filesAtStart, filesAtLists)
	}
}

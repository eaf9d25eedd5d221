package audit_test

import (
	"os"
	"path/filepath"
	"slices"
	"testing"

	"github.com/lacaudit/lacaudit/audit"
	"github.com/lacaudit/lacaudit/sampledata"
)

// The obligations are written to the findings table in parts once they pass
// a threshold. Written after every statement that adds any, the findings of
// the bundled sample are the same rows as written once at the end, and a
// rule that could not be assessed has no rows in either.
func TestFindingsWrittenInParts(t *testing.T) {
	dir := t.TempDir()
	if err := sampledata.WriteTo(dir); err != nil {
		t.Fatal(err)
	}
	// Without peps, PEP_CURRENT is not assessed.
	if err := os.Remove(filepath.Join(dir, "peps.csv")); err != nil {
		t.Fatal(err)
	}
	sorted := func(fs []finding) []finding {
		slices.SortFunc(fs, func(a, b finding) int {
			for _, c := range [][2]string{{a.Rule, b.Rule}, {a.Child, b.Child}, {a.Due, b.Due}, {a.Done, b.Done}, {a.Status, b.Status}, {a.PeriodStart, b.PeriodStart}} {
				if c[0] != c[1] {
					if c[0] < c[1] {
						return -1
					}
					return 1
				}
			}
			return a.DaysLate - b.DaysLate
		})
		return fs
	}
	once, res, _ := auditedDir(t, dir, "2026-11-01")
	restore := audit.SetFlushRows(1)
	parts, _, _ := auditedDir(t, dir, "2026-11-01")
	restore()
	if len(once) < 1000 {
		t.Fatalf("the sample gave %d findings, want over 1000", len(once))
	}
	if !slices.Equal(sorted(once), sorted(parts)) {
		t.Errorf("findings written in parts differ: %d rows against %d written once", len(parts), len(once))
	}
	if st := status(res, "PEP_CURRENT"); st != "not assessed" {
		t.Fatalf("without peps, PEP_CURRENT is %q", st)
	}
	for _, f := range parts {
		if f.Rule == "PEP_CURRENT" {
			t.Fatalf("a rule not assessed has a row: %+v", f)
		}
	}
	teams := 0
	for _, f := range parts {
		if f.Team != "" {
			teams++
		}
	}
	if teams == 0 {
		t.Error("no finding written in parts names a team")
	}
}

package main

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// --findings chooses the findings files, and a run removes the other
// format's file an earlier run left, so that the output folder never holds
// one night's findings.csv beside another night's findings.parquet.
func TestFindingsFormats(t *testing.T) {
	out := t.TempDir()
	exists := func(name string) bool {
		_, err := os.Stat(filepath.Join(out, name))
		return err == nil
	}
	steps := []struct {
		flag         string
		csv, parquet bool
	}{
		{"both", true, true},
		{"parquet", false, true},
		{"csv", true, false},
		{"auto", true, false}, // the bundled sample is far below a million findings
		{"parquet", false, true},
	}
	// findings.csv is the same file whether it is written alone or, with
	// findings.parquet, copied from it (sorted once).
	csvs := map[string][]byte{}
	for _, st := range steps {
		r := lacaudit(t, "run", "--as-of", goldenAsOf, "--out", out, "--findings", st.flag)
		if r.code != 0 {
			t.Fatalf("--findings %s: exit %d: %s", st.flag, r.code, r.stderr)
		}
		if st.csv {
			b, err := os.ReadFile(filepath.Join(out, "findings.csv"))
			if err != nil {
				t.Fatal(err)
			}
			csvs[st.flag] = b
		}
		if exists("findings.csv") != st.csv || exists("findings.parquet") != st.parquet {
			t.Errorf("--findings %s: findings.csv %v, findings.parquet %v; want %v, %v",
				st.flag, exists("findings.csv"), exists("findings.parquet"), st.csv, st.parquet)
		}
		if st.parquet != strings.Contains(r.stdout, "findings.parquet") {
			t.Errorf("--findings %s: the summary lists %q", st.flag, r.stdout)
		}
	}
	if len(csvs["both"]) < 1000 || !bytes.Equal(csvs["both"], csvs["csv"]) {
		t.Errorf("findings.csv written with findings.parquet (%d bytes) differs from findings.csv written alone (%d bytes)",
			len(csvs["both"]), len(csvs["csv"]))
	}
	r := lacaudit(t, "run", "--as-of", goldenAsOf, "--out", out, "--findings", "xlsx")
	if r.code != 2 || !strings.Contains(r.stderr, `--findings "xlsx"`) {
		t.Errorf("--findings xlsx: exit %d, %q", r.code, r.stderr)
	}
}

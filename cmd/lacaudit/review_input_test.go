package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"
)

// summaryLines returns the first cell of every row of a workbook's Summary
// sheet, in order.
func summaryLines(t *testing.T, path string) []string {
	t.Helper()
	wb, err := excelize.OpenFile(path)
	if err != nil {
		t.Fatal(err)
	}
	defer wb.Close()
	rows, err := wb.GetRows("Summary")
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, r := range rows {
		if len(r) > 0 {
			out = append(out, r[0])
		}
	}
	return out
}

func indexOf(lines []string, prefix string) int {
	for i, l := range lines {
		if strings.HasPrefix(l, prefix) {
			return i
		}
	}
	return -1
}

// spoilFirst replaces the value of column col (0-based) on the first data
// row of a CSV file of the extract.
func spoilFirst(t *testing.T, path string, col int, value string) {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.SplitN(string(b), "\n", 3)
	f := strings.Split(lines[1], ",")
	f[col] = value
	lines[1] = strings.Join(f, ",")
	if err := os.WriteFile(path, []byte(strings.Join(lines, "\n")), 0o600); err != nil {
		t.Fatal(err)
	}
}

// Rows rejected under the threshold leave the run going, and the Summary
// says, per table and core tables first, that the figures built on them may
// be understated: an unreadable review looks not held. A table without
// rejected rows gets no line.
func TestSummarySaysRowsCouldNotBeRead(t *testing.T) {
	in := sampleExtract(t, 40)
	spoilFirst(t, filepath.Join(in, "visits.csv"), 1, "31/02/2026")
	spoilFirst(t, filepath.Join(in, "reviews.csv"), 2, "31/02/2026")
	out := t.TempDir()
	r := lacaudit(t, "run", "--input", in, "--as-of", goldenAsOf, "--out", out)
	if r.code != 0 {
		t.Fatalf("exit %d: %s", r.code, r.stderr)
	}
	lines := summaryLines(t, filepath.Join(out, "latest.xlsx"))
	rev := indexOf(lines, "1 row of reviews could not be read (see Data quality): figures that depend on them may be understated")
	vis := indexOf(lines, "1 row of visits could not be read (see Data quality): figures that depend on them may be understated")
	head, notAssessed := indexOf(lines, "Headline figures"), indexOf(lines, "Rules not assessed")
	if rev < 0 || vis < 0 || !(head < rev && rev < vis && vis < notAssessed) {
		t.Errorf("reviews line at %d, visits line at %d (headline figures %d, rules not assessed %d):\n%s",
			rev, vis, head, notAssessed, strings.Join(lines, "\n"))
	}
	if i := indexOf(lines, "1 row of episodes"); i >= 0 {
		t.Errorf("a line for episodes, which had no rejected row")
	}
}

// An optional table with its header and no rows is taken as absent: its
// rules are not assessed ("peps has no rows"), with a warning in the log
// and the reason on the Summary, instead of every child's PEP overdue.
func TestOptionalTableWithNoRowsIsAbsent(t *testing.T) {
	in := sampleExtract(t, 20)
	if err := os.WriteFile(filepath.Join(in, "peps.csv"), []byte("CHILD,PEP_DATE\r\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	out := t.TempDir()
	r := lacaudit(t, "run", "--input", in, "--as-of", goldenAsOf, "--out", out)
	if r.code != 0 {
		t.Fatalf("exit %d: %s", r.code, r.stderr)
	}
	if !strings.Contains(r.stdout, "not assessed PEP_CURRENT: peps has no rows") {
		t.Errorf("summary:\n%s", r.stdout)
	}
	if !strings.Contains(r.stderr, `level=WARN msg="optional table not used: it has no data rows (only its header)`) || !strings.Contains(r.stderr, "file=peps.csv") {
		t.Errorf("log:\n%s", r.stderr)
	}
	findings, _ := os.ReadFile(filepath.Join(out, "findings.csv"))
	if strings.Contains(string(findings), "PEP_CURRENT") {
		t.Error("findings.csv has PEP_CURRENT rows from a table with no rows")
	}
	if book := xlsxText(t, filepath.Join(out, "latest.xlsx")); !strings.Contains(book, ",not assessed,peps has no rows,") {
		t.Error("the workbook does not give the reason")
	}
	c := lacaudit(t, "check", "--input", in, "--as-of", goldenAsOf)
	if c.code != 0 || !strings.Contains(c.stdout, "not assessed PEP_CURRENT: peps has no rows") {
		t.Errorf("check: exit %d:\n%s\n%s", c.code, c.stdout, c.stderr)
	}
}

// An as-of date well after the newest record of the extract (an export
// that stopped refreshing the folder) is said in the log and at the top of
// the Summary; the run still exits 0. The sample's newest records are of
// 30 October 2026: 14 days later is not stale, 15 is; stale_extract_days
// moves the line.
func TestStaleExtractIsSaid(t *testing.T) {
	in := sampleExtract(t, 20)
	const line = "The newest record in the extract is dated 30 October 2026, 15 days before the as-of date: check the export is up to date"
	for _, c := range []struct {
		asOf, config string
		stale        bool
	}{
		{goldenAsOf, "", false},
		{"2026-11-13", "", false},
		{"2026-11-14", "", true},
		{"2026-11-14", "stale_extract_days = 15\n", false},
	} {
		out := t.TempDir()
		args := []string{"run", "--input", in, "--as-of", c.asOf, "--out", out}
		if c.config != "" {
			cfg := filepath.Join(t.TempDir(), "lacaudit.conf")
			os.WriteFile(cfg, []byte(c.config), 0o600)
			args = append(args, "--config", cfg)
		}
		r := lacaudit(t, args...)
		if r.code != 0 {
			t.Fatalf("%s: exit %d: %s", c.asOf, r.code, r.stderr)
		}
		lines := summaryLines(t, filepath.Join(out, "latest.xlsx"))
		at := indexOf(lines, "The newest record in the extract")
		logged := strings.Contains(r.stderr, `level=WARN msg="the extract looks out of date: check the export is up to date" newest_record=2026-10-30`)
		switch {
		case c.stale && (at < 0 || lines[at] != line || at > indexOf(lines, "Headline figures") || !logged):
			t.Errorf("%s: stale extract not said (line %d, logged %v):\n%s\n%s", c.asOf, at, logged, strings.Join(lines, "\n"), r.stderr)
		case !c.stale && (at >= 0 || logged):
			t.Errorf("%s %q: a fresh extract said to be stale:\n%s", c.asOf, c.config, strings.Join(lines, "\n"))
		}
	}
}

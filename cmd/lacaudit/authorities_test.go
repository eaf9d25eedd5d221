package main

import (
	"bufio"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// splitByAuthority writes each authority's rows of a sample's CSV files to
// a folder of its own (the LA column kept), and returns the folders by code.
func splitByAuthority(t *testing.T, in string, codes ...string) map[string]string {
	t.Helper()
	out := map[string]string{}
	files, err := filepath.Glob(filepath.Join(in, "*.csv"))
	if err != nil || len(files) == 0 {
		t.Fatalf("no CSV files in %s: %v", in, err)
	}
	for _, code := range codes {
		dir := t.TempDir()
		out[code] = dir
		for _, f := range files {
			b, err := os.ReadFile(f)
			if err != nil {
				t.Fatal(err)
			}
			var keep []string
			for i, line := range strings.SplitAfter(string(b), "\n") {
				if i == 0 || strings.HasPrefix(line, code+",") {
					keep = append(keep, line)
				}
			}
			if err := os.WriteFile(filepath.Join(dir, filepath.Base(f)), []byte(strings.Join(keep, "")), 0o600); err != nil {
				t.Fatal(err)
			}
		}
	}
	return out
}

// csvLines reads a CSV output's header and rows (its lines: no value of
// these files holds a line end).
func csvLines(t *testing.T, path string) (string, []string) {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	var lines []string
	for sc.Scan() {
		lines = append(lines, sc.Text())
	}
	if err := sc.Err(); err != nil || len(lines) == 0 {
		t.Fatalf("read %s: %v", path, err)
	}
	return strings.TrimPrefix(lines[0], "\uFEFF"), lines[1:]
}

// runInto runs the nightly job on in into a new folder and returns it.
func runInto(t *testing.T, in string, extra ...string) string {
	t.Helper()
	out := t.TempDir()
	r := lacaudit(t, append([]string{"run", "--input", in, "--out", out, "--as-of", "2026-10-30"}, extra...)...)
	if r.code != 0 {
		t.Fatalf("run on %s: exit %d: %s", in, r.code, r.stderr)
	}
	return out
}

// Two authorities with the same child ids stay apart in every output: the
// audit of their joint extract is the audit of each alone, row for row,
// each row with its la.
func TestTwoAuthoritiesStayApart(t *testing.T) {
	in := t.TempDir()
	if r := lacaudit(t, "sample", "--children", "240", "--authorities", "2", "--seed", "5", "--extract-date", "2026-10-30", "--out", in); r.code != 0 {
		t.Fatal(r.stderr)
	}
	alone := splitByAuthority(t, in, "101", "102")
	both := runInto(t, in)
	head, rows := csvLines(t, filepath.Join(both, "findings.csv"))
	if want := "rule,child,period_start,due,done,status,days_late,team,social_worker,iro,la"; head != want {
		t.Fatalf("findings.csv header %q, want %q", head, want)
	}
	var union []string
	for _, code := range []string{"101", "102"} {
		h, r := csvLines(t, filepath.Join(runInto(t, alone[code]), "findings.csv"))
		if h != head {
			t.Fatalf("%s alone: header %q", code, h)
		}
		union = append(union, r...)
	}
	// The joint file is ordered by rule, then authority, then child.
	key := func(line string) string {
		f := strings.Split(line, ",")
		return f[0] + "," + f[len(f)-1] + "," + f[1]
	}
	if !slices.IsSortedFunc(rows, func(a, b string) int { return strings.Compare(key(a), key(b)) }) {
		t.Error("findings.csv is not ordered by rule, la, child")
	}
	slices.Sort(union)
	sorted := slices.Clone(rows)
	slices.Sort(sorted)
	if !slices.Equal(sorted, union) {
		t.Errorf("the joint audit's %d findings are not the two authorities' %d", len(sorted), len(union))
		for i := 0; i < min(len(sorted), len(union)); i++ {
			if sorted[i] != union[i] {
				t.Fatalf("first difference: joint %q, alone %q", sorted[i], union[i])
			}
		}
	}
	// The sample's ids overlap: some child has findings in both.
	las := map[string]map[string]bool{}
	for _, r := range rows {
		f := strings.Split(r, ",")
		if las[f[1]] == nil {
			las[f[1]] = map[string]bool{}
		}
		las[f[1]][f[len(f)-1]] = true
	}
	shared := 0
	for _, m := range las {
		if len(m) == 2 {
			shared++
		}
	}
	if shared == 0 {
		t.Error("no child id has findings in both authorities: the test proves nothing")
	}

	// A pseudonymised run keeps the LA code; the child is its pseudonym,
	// and the findings are the same but for it.
	pseud := runInto(t, in, "--pseudonymise", "--pseudonymise-key-file", newKey(t))
	_, prows := csvLines(t, filepath.Join(pseud, "findings.csv"))
	withoutChild := func(rows []string) []string {
		var out []string
		for _, r := range rows {
			f := strings.Split(r, ",")
			out = append(out, f[0]+","+strings.Join(f[2:7], ",")+","+f[10])
		}
		slices.Sort(out)
		return out
	}
	for _, r := range prows {
		if f := strings.Split(r, ","); !strings.HasPrefix(f[1], "C-") {
			t.Fatalf("pseudonymised row %q: the child is not a pseudonym", r)
		}
	}
	if !slices.Equal(withoutChild(prows), withoutChild(rows)) {
		t.Error("the pseudonymised run's findings, child apart, are not the run's: an LA code was lost or two children merged")
	}
}

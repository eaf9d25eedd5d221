package main

import (
	"bufio"
	"bytes"
	"encoding/csv"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"testing"
)

// countsFile holds the golden findings' counts per rule and status, with
// every change to them and the test that explains it (see its head).
const countsFile = "testdata/findings.counts"

// goldenCounts counts a findings.csv per "RULE status".
func goldenCounts(findings []byte) (map[string]int, error) {
	// findings.csv starts with a UTF-8 byte order mark, for Excel.
	r := csv.NewReader(bytes.NewReader(bytes.TrimPrefix(findings, []byte("\uFEFF"))))
	recs, err := r.ReadAll()
	if err != nil {
		return nil, err
	}
	if len(recs) == 0 || len(recs[0]) < 6 || recs[0][0] != "rule" || recs[0][5] != "status" {
		return nil, fmt.Errorf("not a findings.csv: header %v", recs[:min(1, len(recs))])
	}
	out := map[string]int{}
	for _, rec := range recs[1:] {
		out[rec[0]+" "+rec[5]]++
	}
	return out, nil
}

var (
	countLine  = regexp.MustCompile(`^([A-Z_]+)\s+([a-z_]+)\s+([0-9]+)$`)
	changeLine = regexp.MustCompile(`^change\s+([A-Z_]+)\s+([a-z_]+)\s+([0-9]+)\s*->\s*([0-9]+)\s+(Test[A-Za-z0-9_]+):\s*(\S.*)$`)
)

// explainedCounts reads countsFile: its baseline, with each change applied
// in turn. A change must start from the count it changes, name a test that
// exists (tests lists them) and give its reason.
func explainedCounts(path string, tests map[string]bool) (map[string]int, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	counts := map[string]int{}
	sc := bufio.NewScanner(f)
	n, changing := 0, false
	for sc.Scan() {
		n++
		line := strings.TrimSpace(sc.Text())
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		if m := changeLine.FindStringSubmatch(line); m != nil {
			changing = true
			key := m[1] + " " + m[2]
			from, _ := strconv.Atoi(m[3])
			to, _ := strconv.Atoi(m[4])
			if counts[key] != from {
				return nil, fmt.Errorf("%s:%d: %s changes from %d, but the count is %d there", path, n, key, from, counts[key])
			}
			if !tests[m[5]] {
				return nil, fmt.Errorf("%s:%d: no test %s in the repository", path, n, m[5])
			}
			counts[key] = to
			if to == 0 {
				delete(counts, key)
			}
			continue
		}
		m := countLine.FindStringSubmatch(line)
		if m == nil {
			return nil, fmt.Errorf("%s:%d: neither a count (RULE status N) nor a change (change RULE status OLD -> NEW TestName: why): %q", path, n, line)
		}
		if changing {
			return nil, fmt.Errorf("%s:%d: a count after the changes began: record it as a change", path, n)
		}
		key := m[1] + " " + m[2]
		if _, dup := counts[key]; dup {
			return nil, fmt.Errorf("%s:%d: %s counted twice", path, n, key)
		}
		counts[key], _ = strconv.Atoi(m[3])
	}
	return counts, sc.Err()
}

// repositoryTests lists the test functions of every _test.go file of the
// repository.
func repositoryTests() (map[string]bool, error) {
	root, err := filepath.Abs("../..")
	if err != nil {
		return nil, err
	}
	decl := regexp.MustCompile(`(?m)^func (Test[A-Za-z0-9_]+)\(`)
	out := map[string]bool{}
	err = filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() && (d.Name() == "testdata" || strings.HasPrefix(d.Name(), ".")) && p != root {
			return filepath.SkipDir
		}
		if d.IsDir() || !strings.HasSuffix(p, "_test.go") {
			return nil
		}
		b, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		for _, m := range decl.FindAllSubmatch(b, -1) {
			out[string(m[1])] = true
		}
		return nil
	})
	return out, err
}

// checkGoldenCounts fails unless the findings' counts per rule and status
// are the ones countsFile explains.
func checkGoldenCounts(t *testing.T, findings []byte) {
	t.Helper()
	got, err := goldenCounts(findings)
	if err != nil {
		t.Fatal(err)
	}
	tests, err := repositoryTests()
	if err != nil {
		t.Fatal(err)
	}
	want, err := explainedCounts(countsFile, tests)
	if err != nil {
		t.Fatal(err)
	}
	var diffs []string
	for k := range union(got, want) {
		if got[k] != want[k] {
			diffs = append(diffs, fmt.Sprintf("change %s %d -> %d", k, want[k], got[k]))
		}
	}
	sort.Strings(diffs)
	if len(diffs) > 0 {
		t.Errorf("the golden findings' counts moved without a reason in %s; add, after a hand-worked test that explains each:\n%s TestName: why",
			countsFile, strings.Join(diffs, " TestName: why\n"))
	}
}

func union(a, b map[string]int) map[string]bool {
	out := map[string]bool{}
	for k := range a {
		out[k] = true
	}
	for k := range b {
		out[k] = true
	}
	return out
}

// The counts file's rules: changes replay onto the baseline, must start
// from the count they change, and must name a test that exists.
func TestExplainedCounts(t *testing.T) {
	tests := map[string]bool{"TestThatExists": true}
	dir := t.TempDir()
	for _, c := range []struct {
		name, body, err string
		want            map[string]int
	}{
		{"baseline", "# head\nREV_INITIAL met 3\nREV_INITIAL late 1\n", "", map[string]int{"REV_INITIAL met": 3, "REV_INITIAL late": 1}},
		{"changes", "REV_INITIAL met 3\nREV_INITIAL late 1\nchange REV_INITIAL met 3 -> 2 TestThatExists: one now late\n" +
			"change REV_INITIAL late 1 -> 0 TestThatExists: gone\nchange PEP_CURRENT met 0 -> 4 TestThatExists: new rule\n", "",
			map[string]int{"REV_INITIAL met": 2, "PEP_CURRENT met": 4}},
		{"wrong start", "REV_INITIAL met 3\nchange REV_INITIAL met 4 -> 5 TestThatExists: x\n", "changes from 4, but the count is 3", nil},
		{"no such test", "REV_INITIAL met 3\nchange REV_INITIAL met 3 -> 5 TestMissing: x\n", "no test TestMissing", nil},
		{"no reason", "REV_INITIAL met 3\nchange REV_INITIAL met 3 -> 5 TestThatExists:\n", "neither a count", nil},
		{"count after changes", "REV_INITIAL met 3\nchange REV_INITIAL met 3 -> 5 TestThatExists: x\nPEP_CURRENT met 1\n", "after the changes", nil},
	} {
		p := filepath.Join(dir, c.name)
		if err := os.WriteFile(p, []byte(c.body), 0o600); err != nil {
			t.Fatal(err)
		}
		got, err := explainedCounts(p, tests)
		if c.err != "" {
			if err == nil || !strings.Contains(err.Error(), c.err) {
				t.Errorf("%s: err %v, want %q", c.name, err, c.err)
			}
			continue
		}
		if err != nil {
			t.Errorf("%s: %v", c.name, err)
			continue
		}
		if fmt.Sprint(got) != fmt.Sprint(c.want) {
			t.Errorf("%s: counts %v, want %v", c.name, got, c.want)
		}
	}
}

// The committed golden findings have the counts findings.counts explains.
// (The golden test checks the same of a run, so that -update alone fails.)
func TestGoldenCountsAreExplained(t *testing.T) {
	b, err := os.ReadFile(filepath.Join("testdata", "findings.golden.csv"))
	if err != nil {
		t.Fatal(err)
	}
	checkGoldenCounts(t, b)
}

package main

import (
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"
)

// copyDir copies a flat folder of files.
func copyDir(t *testing.T, from, to string) {
	t.Helper()
	entries, err := os.ReadDir(from)
	if err != nil {
		t.Fatal(err)
	}
	os.MkdirAll(to, 0o700)
	for _, e := range entries {
		if e.Name() == "expect.txt" {
			continue
		}
		b, err := os.ReadFile(filepath.Join(from, e.Name()))
		if err != nil {
			t.Fatal(err)
		}
		os.WriteFile(filepath.Join(to, e.Name()), b, 0o600)
	}
}

// Every case of the bad-input corpus gives its exit status and messages,
// and a failing one leaves the earlier outputs unchanged.
func TestBadInputCorpus(t *testing.T) {
	corpus := filepath.Join("testdata", "bad-input")
	entries, err := os.ReadDir(corpus)
	if err != nil {
		t.Fatal(err)
	}
	cases := map[string]string{}
	for _, e := range entries {
		if e.IsDir() {
			cases[e.Name()] = filepath.Join(corpus, e.Name())
		}
	}
	// Made here rather than kept: a 3 MB field, and a table found twice.
	huge := t.TempDir()
	copyDir(t, cases["bad-dates"], huge)
	b, _ := os.ReadFile(filepath.Join(huge, "reviews.csv"))
	os.WriteFile(filepath.Join(huge, "reviews.csv"), append(b, []byte("00123,05/04/2024,"+strings.Repeat("P", 3<<20)+"\n")...), 0o600)
	os.WriteFile(filepath.Join(huge, "expect.txt"), []byte("exit 0\nrejects reviews.csv,42,\n"), 0o600)
	cases["huge-field"] = huge
	twice := t.TempDir()
	copyDir(t, cases["bad-dates"], twice)
	f := excelize.NewFile()
	f.SetSheetName("Sheet1", "Reviews")
	f.SetSheetRow("Reviews", "A1", &[]any{"CHILD", "REVIEW"})
	f.SaveAs(filepath.Join(twice, "extract.xlsx"))
	os.WriteFile(filepath.Join(twice, "expect.txt"), []byte("exit 3\nstderr table \"reviews\" found twice\nstderr extract.xlsx[Reviews]\n"), 0o600)
	cases["table-twice"] = twice

	runCorpus(t, corpus, cases, false)
}

// Every variant of the real-world corpus gives its exit status and
// messages; every variant that reads gives exactly the findings of its
// clean twin.
func TestRealWorldCorpus(t *testing.T) {
	entries, err := os.ReadDir(realWorld)
	if err != nil {
		t.Fatal(err)
	}
	cases := map[string]string{}
	for _, e := range entries {
		if e.IsDir() {
			cases[e.Name()] = filepath.Join(realWorld, e.Name())
		}
	}
	if len(cases) < 15 {
		t.Fatalf("%d cases in %s: run go test -run TestMakeCorpus -make-corpus", len(cases), realWorld)
	}
	runCorpus(t, realWorld, cases, true)
}

// expectations reads the lines of an expect.txt that set up a run, config
// and twin (runCorpus), and refuses a line it does not know, so that a
// typo in a case fails it instead of passing over a check.
func expectations(expect string) (config []string, twin string, err error) {
	for i, line := range strings.Split(expect, "\n") {
		kind, text, _ := strings.Cut(strings.TrimSpace(line), " ")
		switch kind {
		case "config":
			config = append(config, text)
		case "twin":
			twin = text
		case "exit", "stderr", "stdout", "rejects", "findings", "norejects", "", "#":
		default:
			return nil, "", fmt.Errorf("line %d: unknown directive %q", i+1, kind)
		}
	}
	return config, twin, nil
}

// runCorpus runs each case folder of a corpus as its expect.txt says:
// lines "exit N", "stderr TEXT", "stdout TEXT", "rejects TEXT" (a line of
// rejects.csv), "findings TEXT", "norejects", "config LINE" (a line of a
// configuration file for the run) and "twin NAME" (the case folder NAME of
// the corpus must give the same findings.csv). A line it does not know
// fails the case. With needTwin, a case that exits 0 must name its twin
// (but the twin itself, "clean").
func runCorpus(t *testing.T, corpus string, cases map[string]string, needTwin bool) {
	for name, dir := range cases {
		t.Run(name, func(t *testing.T) {
			expect, err := os.ReadFile(filepath.Join(dir, "expect.txt"))
			if err != nil {
				t.Fatal(err)
			}
			config, twin, err := expectations(string(expect))
			if err != nil {
				t.Fatalf("expect.txt: %v", err)
			}
			var extra []string
			if len(config) > 0 {
				conf := filepath.Join(t.TempDir(), "lacaudit.conf")
				if err := os.WriteFile(conf, []byte(strings.Join(config, "\n")+"\n"), 0o600); err != nil {
					t.Fatal(err)
				}
				extra = []string{"--config", conf}
			}
			out := t.TempDir()
			if r := lacaudit(t, "run", "--as-of", goldenAsOf, "--out", out); r.code != 0 {
				t.Fatal(r.stderr)
			}
			before := outputsOf(t, out)
			in := filepath.Join(t.TempDir(), "in")
			copyDir(t, dir, in)
			// Each case is far smaller than the sample run before it: the
			// partial-export guard is not what these cases test.
			r := lacaudit(t, append([]string{"run", "--input", in, "--as-of", goldenAsOf, "--out", out, "--accept-drop"}, extra...)...)
			read := func(f string) string {
				b, _ := os.ReadFile(filepath.Join(out, f))
				return string(b)
			}
			for _, line := range strings.Split(string(expect), "\n") {
				kind, text, _ := strings.Cut(strings.TrimSpace(line), " ")
				var where, got string
				switch kind {
				case "exit":
					want, _ := strconv.Atoi(text)
					if r.code != want {
						t.Errorf("exit %d, want %d\nstderr: %s", r.code, want, r.stderr)
					}
					continue
				case "stderr":
					where, got = "stderr", r.stderr
				case "stdout":
					where, got = "stdout", r.stdout
				case "rejects":
					where, got = "rejects.csv", read("rejects.csv")
				case "findings":
					where, got = "findings.csv", read("findings.csv")
				case "norejects":
					if rj := strings.TrimSpace(strings.TrimPrefix(read("rejects.csv"), "\uFEFF")); rj != "file,line,column,value,reason" {
						t.Errorf("rejects.csv is not empty:\n%s", clipText(rj))
					}
					continue
				default:
					continue
				}
				if !strings.Contains(got, text) {
					t.Errorf("%s lacks %q:\n%s", where, text, clipText(got))
				}
			}
			if r.code != 0 {
				// A run stopped by its rejects lists them all beside the
				// previous outputs (TestCoreTableOverThresholdListsEveryReject).
				os.Remove(filepath.Join(out, "lacaudit-rejects-"+goldenAsOf+".csv"))
				sameOutputs(t, "after a failed run", outputsOf(t, out), before)
				return
			}
			if twin == "" {
				if needTwin && name != "clean" {
					t.Errorf("a case that reads needs a clean twin (twin NAME in expect.txt)")
				}
				return
			}
			twinOut := t.TempDir()
			twinIn := filepath.Join(t.TempDir(), "in")
			copyDir(t, filepath.Join(corpus, twin), twinIn)
			tr := lacaudit(t, append([]string{"run", "--input", twinIn, "--as-of", goldenAsOf, "--out", twinOut}, extra...)...)
			if tr.code != 0 {
				t.Fatalf("twin %s: exit %d: %s", twin, tr.code, tr.stderr)
			}
			b, _ := os.ReadFile(filepath.Join(twinOut, "findings.csv"))
			if got := read("findings.csv"); got != string(b) {
				t.Errorf("findings.csv differs from twin %s's:\n%s\ntwin:\n%s", twin, clipText(got), clipText(string(b)))
			}
		})
	}
}

func clipText(s string) string {
	if len(s) > 2000 {
		return s[:2000] + "…"
	}
	return s
}

// A line of expect.txt the runner does not know fails the case: a typo
// ("stdrr", "exits") would otherwise skip the check it meant.
func TestExpectRefusesUnknownDirectives(t *testing.T) {
	for _, tc := range []struct {
		expect string
		ok     bool
	}{
		{"exit 3\nstderr episodes.csv\n# a comment\n\nconfig x = 1\ntwin clean\n", true},
		{"exit 3\nstdrr episodes.csv\n", false},
		{"exits 0\n", false},
		{"norejects\nfinding REV_INITIAL\n", false},
	} {
		_, _, err := expectations(tc.expect)
		if (err == nil) != tc.ok {
			t.Errorf("expectations(%q): error %v, want ok %v", tc.expect, err, tc.ok)
		}
	}
}

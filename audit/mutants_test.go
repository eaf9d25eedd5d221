package audit

import (
	"bufio"
	"bytes"
	"context"
	"flag"
	"fmt"
	"io/fs"
	"os"
	"os/exec"
	"path"
	"regexp"
	"runtime"
	"sort"
	"strconv"
	"strings"
	"sync"
	"testing"
	"testing/fstest"
	"time"
)

// The mutation check (issue 21): small changes of the kinds a slip of the
// keyboard makes to a rule (a comparison operator, a day count, the as-of
// date) are applied one at a time to the embedded rule SQL, and the rule
// tests of this package must fail for each. The changes are found in the
// SQL text itself, comments and quoted text left out, so the list follows
// the SQL as it changes: nothing names a line or a rule.
//
//	go test ./audit -run '^TestMutants$' -mutants
//
// runs every mutant (each in a process of its own, this test binary with
// LACAUDIT_MUTANT set) and fails on any that no test catches unless
// testdata/mutants-survive.txt lists it with the reason it cannot be caught.
var (
	runMutants  = flag.Bool("mutants", false, "run the mutation check of the rule SQL")
	mutantsOnly = flag.String("mutants.only", "", "with -mutants, run only the mutants whose key matches this regular expression")
)

// mutantEnv names the mutant a child process applies.
const mutantEnv = "LACAUDIT_MUTANT"

// mutant is one small change to one rule file.
type mutant struct {
	file   string // sql/NN_name.sql
	offset int    // byte offset of the changed text
	from   string
	to     string
	line   string // the source line, trimmed, for the report
	col    int    // the byte offset of the change in its untrimmed line
	n      int    // its number in mutants(), for LACAUDIT_MUTANT
}

// key names a mutant without its line number, so that comments added above
// it do not change it: file, the line's text, the column, the change.
func (m mutant) key() string {
	return fmt.Sprintf("%s | %s | %d | %s -> %s", path.Base(m.file), m.line, m.col, m.from, m.to)
}

func init() {
	v := os.Getenv(mutantEnv)
	if v == "" {
		return
	}
	ms, err := mutants()
	if err != nil {
		panic(err)
	}
	i, err := strconv.Atoi(v)
	if err != nil || i < 0 || i >= len(ms) {
		panic(fmt.Sprintf("%s=%q: not a mutant number below %d", mutantEnv, v, len(ms)))
	}
	m := ms[i]
	if m.file == writeFindingsFile {
		writeFindingsSQL = writeFindingsSQL[:m.offset] + m.to + writeFindingsSQL[m.offset+len(m.from):]
		return
	}
	files := fstest.MapFS{}
	err = fs.WalkDir(sqlFiles, "sql", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := sqlFiles.ReadFile(p)
		if err != nil {
			return err
		}
		if p == m.file {
			b = []byte(string(b[:m.offset]) + m.to + string(b[m.offset+len(m.from):]))
		}
		files[p] = &fstest.MapFile{Data: b}
		return nil
	})
	if err != nil {
		panic(err)
	}
	ruleSQL = files
}

// Comparison operators and what each becomes; "<>" and "->" are left alone.
var (
	compare   = regexp.MustCompile(`<=|>=|<>|->|<|>`)
	flipped   = map[string][]string{"<=": {"<"}, ">=": {">"}, "<": {"<="}, ">": {">="}}
	dayCount  = regexp.MustCompile(`days\('[a-z0-9_]+'\)`)
	asOf      = regexp.MustCompile(`as_of\(\)`)
	number    = regexp.MustCompile(`(^|[^A-Za-z0-9_.])([0-9]+)\b`)
	identChar = regexp.MustCompile(`[A-Za-z0-9_]`)
)

// writeFindingsFile is the file that writes the obligations to the findings
// table with their allocations, mutated as the rule files are.
const writeFindingsFile = "sql/write/findings.sql"

// mutants lists every mutant of the rule files and of writeFindingsFile, in
// file and text order.
func mutants() ([]mutant, error) {
	names, err := fs.Glob(sqlFiles, "sql/*.sql")
	if err != nil {
		return nil, err
	}
	sort.Strings(names)
	var out []mutant
	for _, name := range names {
		b, err := sqlFiles.ReadFile(name)
		if err != nil {
			return nil, err
		}
		out = append(out, mutantsOf(name, string(b))...)
	}
	out = append(out, mutantsOf(writeFindingsFile, writeFindingsSQL)...)
	for i := range out {
		out[i].n = i
	}
	return out, nil
}

// mutantsOf finds the mutants of one file's text: each comparison operator
// turned into its neighbour (< and <=, > and >=); each timescale,
// days('key'), one day longer and one shorter; each as-of date one day
// earlier and one later; each whole number (5 in < 5, 1 in + 1, 31 in
// make_date(y, 8, 31)) one more and one less.
func mutantsOf(name, text string) []mutant {
	code := blankComments(text)
	var out []mutant
	add := func(off int, from, to string) {
		ls := strings.LastIndex(text[:off], "\n") + 1
		le := strings.Index(text[off:], "\n")
		if le < 0 {
			le = len(text) - off
		}
		out = append(out, mutant{file: name, offset: off, from: from, to: to,
			line: strings.TrimSpace(text[ls : off+le]), col: off - ls})
	}
	type found struct {
		off      int
		from, to string
	}
	var fs []found
	for _, loc := range compare.FindAllStringIndex(code, -1) {
		op := code[loc[0]:loc[1]]
		for _, to := range flipped[op] {
			fs = append(fs, found{loc[0], op, to})
		}
	}
	for _, loc := range dayCount.FindAllStringIndex(code, -1) {
		d := code[loc[0]:loc[1]]
		fs = append(fs, found{loc[0], d, "(" + d + " + 1)::INTEGER"}, found{loc[0], d, "(" + d + " - 1)::INTEGER"})
	}
	for _, loc := range asOf.FindAllStringIndex(code, -1) {
		if loc[0] > 0 && identChar.MatchString(code[loc[0]-1:loc[0]]) {
			continue
		}
		// the macro's own definition is not a use of it
		if strings.HasPrefix(code[max(0, loc[0]-len("MACRO ")):], "MACRO as_of()") {
			continue
		}
		fs = append(fs, found{loc[0], "as_of()", "(as_of() - 1)"}, found{loc[0], "as_of()", "(as_of() + 1)"})
	}
	for _, m := range number.FindAllStringSubmatchIndex(code, -1) {
		n, err := strconv.Atoi(code[m[4]:m[5]])
		if err != nil {
			continue
		}
		fs = append(fs, found{m[4], code[m[4]:m[5]], strconv.Itoa(n + 1)})
		if n > 0 {
			fs = append(fs, found{m[4], code[m[4]:m[5]], strconv.Itoa(n - 1)})
		}
	}
	sort.SliceStable(fs, func(i, j int) bool { return fs[i].off < fs[j].off })
	for _, f := range fs {
		add(f.off, f.from, f.to)
	}
	return out
}

// blankComments returns text with its comments and quoted text (strings and
// quoted identifiers) replaced by spaces, byte for byte, so that offsets into
// it are offsets into text. A day count's key is quoted, so days('key') is
// matched before the quotes are blanked: it is kept as it is.
func blankComments(text string) string {
	b := []byte(text)
	keep := map[int]bool{}
	for _, loc := range dayCount.FindAllStringIndex(text, -1) {
		for i := loc[0]; i < loc[1]; i++ {
			keep[i] = true
		}
	}
	for i := 0; i < len(b); i++ {
		switch {
		case b[i] == '-' && i+1 < len(b) && b[i+1] == '-':
			for ; i < len(b) && b[i] != '\n'; i++ {
				b[i] = ' '
			}
		case (b[i] == '\'' || b[i] == '"') && !keep[i]:
			q := b[i]
			b[i] = ' '
			for i++; i < len(b) && b[i] != q; i++ {
				if b[i] != '\n' {
					b[i] = ' '
				}
			}
			if i < len(b) {
				b[i] = ' '
			}
		}
	}
	return string(b)
}

// survivorsAllowed reads testdata/mutants-survive.txt: one mutant key a line
// (as the check prints it), then " # " and why no test can catch it.
func survivorsAllowed(t *testing.T) map[string]string {
	t.Helper()
	f, err := os.Open("testdata/mutants-survive.txt")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	out := map[string]string{}
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		line := sc.Text()
		if strings.TrimSpace(line) == "" || strings.HasPrefix(line, "#") {
			continue
		}
		key, why, ok := strings.Cut(line, " # ")
		if !ok || strings.TrimSpace(why) == "" {
			t.Fatalf("testdata/mutants-survive.txt: %q gives no reason after \" # \"", line)
		}
		out[strings.TrimSpace(key)] = strings.TrimSpace(why)
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	return out
}

// verdict is what became of a mutant.
type verdict struct {
	killed  bool
	invalid bool   // the mutated SQL does not run at all
	by      string // the first test that failed
	err     string // why the run gave no verdict
}

var (
	failLine = regexp.MustCompile(`(?m)^\s*--- FAIL: (\S+)`)
	// SQL that does not parse or bind is the generator's fault; an error
	// as it runs (make_date(y, 9, 31)) fails every run loudly: a kill.
	invalidSQL = regexp.MustCompile(`audit: sql/[^ ]+ statement [0-9]+: (Parser|Binder|Catalog) Error`)
)

// runMutant runs the rule tests with mutant i applied, in this test binary
// as a process of its own. A mutant is killed when a test fails, and
// survives when they all pass; a run that ends any other way (the process
// could not start, or crashed outside a test, as it can on a crowded
// machine) is tried again, up to three times, and is never taken as a kill.
func runMutant(ctx context.Context, i int) verdict {
	var last string
	for try := 0; try < 3; try++ {
		if try > 0 {
			time.Sleep(time.Duration(try) * 2 * time.Second)
		}
		cmd := exec.CommandContext(ctx, os.Args[0], "-test.run=^Test",
			"-test.skip=^(TestMutants|TestMutantsOf)$", "-test.failfast", "-test.count=1")
		cmd.Env = append(os.Environ(), fmt.Sprintf("%s=%d", mutantEnv, i))
		out, err := cmd.CombinedOutput()
		if m := failLine.FindSubmatch(out); m != nil && err != nil {
			return verdict{killed: true, invalid: invalidSQL.Match(out), by: string(m[1])}
		}
		if err == nil && bytes.HasSuffix(bytes.TrimSpace(out), []byte("PASS")) {
			return verdict{}
		}
		lines := strings.Split(strings.TrimSpace(string(out)), "\n")
		last = fmt.Sprintf("%v: %s", err, lines[0])
	}
	return verdict{err: last}
}

// The generator finds the operators, day counts, as-of dates and numbers of
// a statement, and nothing in its comments or quoted text.
func TestMutantsOf(t *testing.T) {
	text := "-- a <= b, days('x')\nSELECT 'a<b' AS \"x>y\", d <= as_of() - 1, e > days('k')\n"
	var got []string
	for _, m := range mutantsOf("sql/x.sql", text) {
		got = append(got, fmt.Sprintf("%d:%s->%s", m.col, m.from, m.to))
		if mutated := text[:m.offset] + m.to + text[m.offset+len(m.from):]; !strings.HasPrefix(mutated, "-- a <= b, days('x')\n") {
			t.Errorf("mutant %v changes the comment", m)
		}
	}
	want := []string{"25:<=-><", "28:as_of()->(as_of() - 1)", "28:as_of()->(as_of() + 1)", "38:1->2", "38:1->0",
		"43:>->>=", "45:days('k')->(days('k') + 1)::INTEGER", "45:days('k')->(days('k') - 1)::INTEGER"}
	if strings.Join(got, " ") != strings.Join(want, " ") {
		t.Errorf("mutants\n got %v\nwant %v", got, want)
	}
}

// Every mutant of the rule SQL makes a rule test fail, but those listed in
// testdata/mutants-survive.txt with the reason none can. Run with -mutants.
func TestMutants(t *testing.T) {
	if !*runMutants {
		t.Skip("the mutation check runs with -mutants")
	}
	if os.Getenv(mutantEnv) != "" {
		t.Skip("a mutant's own run")
	}
	ms, err := mutants()
	if err != nil {
		t.Fatal(err)
	}
	allowed := survivorsAllowed(t)
	if *mutantsOnly != "" {
		re, err := regexp.Compile(*mutantsOnly)
		if err != nil {
			t.Fatalf("-mutants.only: %v", err)
		}
		var some []mutant
		for _, m := range ms {
			if re.MatchString(m.key()) {
				some = append(some, m)
			}
		}
		ms = some
	}
	workers := runtime.GOMAXPROCS(0)
	verdicts := make([]verdict, len(ms))
	next := make(chan int)
	go func() {
		defer close(next)
		for i := range ms {
			next <- i
		}
	}()
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Minute)
	defer cancel()
	t0 := time.Now()
	var wg sync.WaitGroup
	for range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range next {
				verdicts[i] = runMutant(ctx, ms[i].n)
			}
		}()
	}
	wg.Wait()
	killed, excused, broken, invalid := 0, 0, 0, 0
	var survivors []string
	seen := map[string]bool{}
	for i, m := range ms {
		seen[m.key()] = true
		switch {
		case verdicts[i].err != "":
			broken++
			t.Errorf("mutant #%d %s could not be run: %s", m.n, m.key(), verdicts[i].err)
		case verdicts[i].invalid:
			invalid++
			t.Errorf("mutant #%d %s makes SQL that does not run: change the generator", m.n, m.key())
		case verdicts[i].killed:
			killed++
			t.Logf("killed   #%d %s  (by %s)", m.n, m.key(), verdicts[i].by)
		case allowed[m.key()] != "":
			excused++
			t.Logf("survives #%d %s  (listed: %s)", m.n, m.key(), allowed[m.key()])
		default:
			survivors = append(survivors, fmt.Sprintf("#%d %s", m.n, m.key()))
		}
	}
	for k := range allowed {
		if !seen[k] {
			t.Logf("testdata/mutants-survive.txt lists a mutant that no longer exists: %s", k)
		}
	}
	t.Logf("mutation score: %d of %d mutants killed (%.1f %%), %d listed as uncatchable, %d survived, %d invalid SQL, %d could not be run; %s with %d workers",
		killed, len(ms), 100*float64(killed)/float64(len(ms)), excused, len(survivors), invalid, broken, time.Since(t0).Round(time.Second), workers)
	for _, s := range survivors {
		t.Errorf("no test fails for: %s", s)
	}
}

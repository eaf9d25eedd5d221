package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/signal"
	"regexp"
	"runtime"
	"runtime/pprof"
	"strconv"
	"syscall"
	"time"

	"github.com/spf13/pflag"

	"github.com/lacaudit/lacaudit/audit"
	"github.com/lacaudit/lacaudit/bench"
	"github.com/lacaudit/lacaudit/config"
	"github.com/lacaudit/lacaudit/job"
	"github.com/lacaudit/lacaudit/pseudonym"
	"github.com/lacaudit/lacaudit/reports"
	"github.com/lacaudit/lacaudit/sampledata"
	"github.com/lacaudit/lacaudit/store"
	"github.com/lacaudit/lacaudit/synth"
)

// version is set at build time with -ldflags "-X main.version=...".
var version = "0.1.0-dev"

const (
	exitUsage = 2
)

type command struct {
	name, summary, example string
	run                    func(ctx context.Context, args []string, stdout, stderr io.Writer) error
}

func commands() []command {
	return []command{
		{"run", "the nightly job: read the extracts, audit, write the workbook and findings",
			"lacaudit run --input /data/903 --out /srv/lacaudit/reports", cmdRun},
		{"annual", "the IRO service's annual report for a financial year",
			"lacaudit annual --year 2025 --input /data/903 --out /srv/lacaudit/annual", cmdAnnual},
		{"check", "read and validate the extracts only: rows read, rejected, warnings",
			"lacaudit check --input /data/903", cmdCheck},
		{"sample", "write a synthetic extract (seeded, deterministic)",
			"lacaudit sample --children 2000 --out /tmp/extract", cmdSample},
		{"bench", "measure time and memory per stage on generated samples of several sizes",
			"lacaudit bench --sizes 10000,100000,300000", cmdBench},
		{"rules", "print the rule catalogue with the timescales in force",
			"lacaudit rules --config lacaudit.conf", cmdRules},
		{"version", "print the program version", "lacaudit version", cmdVersion},
	}
}

func main() {
	// Nothing lacaudit creates (outputs, the database and its WAL while a
	// run builds them, DuckDB's spill files, samples) is readable by others;
	// --file-mode opens the outputs to a group when they are published.
	syscall.Umask(0o077)
	ctx, stop := stopOnSignal()
	// LACAUDIT_CPUPROFILE=FILE writes a Go CPU profile, for performance work.
	if path := os.Getenv("LACAUDIT_CPUPROFILE"); path != "" {
		if f, err := os.Create(path); err == nil {
			if pprof.StartCPUProfile(f) == nil {
				defer pprof.StopCPUProfile()
			}
		}
	}
	code := dispatch(ctx, os.Args[1:], os.Stdout, os.Stderr)
	stop()
	pprof.StopCPUProfile()
	os.Exit(code)
}

// dispatch runs the command args names and returns its exit status: the
// one place where an error becomes a message and a status (exit).
func dispatch(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	err := route(ctx, args, stdout, stderr)
	var sig stoppedBy
	if err != nil && errors.As(context.Cause(ctx), &sig) {
		// The command has cleaned up (its staging folder, a partial
		// database) on its way out: one line, not the error it stopped on.
		w := stderr
		if errors.As(err, new(jsonReport)) {
			w = jsonFailures{stderr}
		}
		return report(w, sig.status(), fmt.Sprintf("lacaudit: stopped by signal %s; earlier reports are unchanged", sig.name()), "")
	}
	return exit(stderr, err)
}

// stopSignals are the signals that stop a command cleanly: a terminal's
// Ctrl-C, a service manager's or cron's TERM, and a closed terminal's HUP.
var stopSignals = []os.Signal{syscall.SIGINT, syscall.SIGTERM, syscall.SIGHUP}

// stoppedBy is the cause of the context's cancellation when a signal
// stopped the command.
type stoppedBy struct{ sig syscall.Signal }

func (s stoppedBy) Error() string { return "stopped by signal " + s.name() }

// name is the signal's name, such as SIGTERM.
func (s stoppedBy) name() string {
	switch s.sig {
	case syscall.SIGINT:
		return "SIGINT"
	case syscall.SIGTERM:
		return "SIGTERM"
	case syscall.SIGHUP:
		return "SIGHUP"
	}
	return s.sig.String()
}

// status is the exit status of a command stopped by the signal: 128 plus
// its number, as a shell reports a process the signal killed (130 INT,
// 143 TERM, 129 HUP).
func (s stoppedBy) status() int { return 128 + int(s.sig) }

// stopOnSignal returns a context cancelled, with a stoppedBy cause, by the
// first of stopSignals; stop stops catching them.
func stopOnSignal() (context.Context, func()) {
	ctx, cancel := context.WithCancelCause(context.Background())
	ch := make(chan os.Signal, 1)
	signal.Notify(ch, stopSignals...)
	done := make(chan struct{})
	go func() {
		select {
		case s := <-ch:
			if sig, ok := s.(syscall.Signal); ok {
				cancel(stoppedBy{sig})
			} else {
				cancel(nil)
			}
		case <-done:
		}
	}()
	return ctx, func() {
		signal.Stop(ch)
		close(done)
		cancel(nil)
	}
}

// route runs the command args names, or prints the list of commands.
func route(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	if len(args) == 2 && args[0] == "help" {
		// lacaudit help run: the command's own help.
		for _, c := range commands() {
			if c.name == args[1] {
				return c.run(ctx, []string{"--help"}, stdout, stderr)
			}
		}
		return usageError{msg: fmt.Sprintf("unknown command %q", args[1]), list: true}
	}
	if len(args) == 0 {
		return usageError{list: true}
	}
	if args[0] == "help" || args[0] == "--help" || args[0] == "-h" {
		usage(stdout)
		return nil
	}
	for _, c := range commands() {
		if c.name == args[0] {
			return c.run(ctx, args[1:], stdout, stderr)
		}
	}
	if args[0] == pseudonym.WriterCommand {
		// Not a command for people: run starts it (pseudonym.Build).
		return cmdWriteShared(ctx, args[1:])
	}
	return usageError{msg: fmt.Sprintf("unknown command %q", args[0]), list: true}
}

// exit reports a command's error on stderr and returns the exit status the
// README documents: 0 for none (or help), 2 for a usage error, and
// job.ExitStatus for the rest (3 input, 4 lock, 1 else). A usage error is
// one line and the command's usage hint (or the list of commands); another
// error is one line and a hint of what to do, as one JSON object when the
// command logs JSON (jsonReport).
func exit(stderr io.Writer, err error) int {
	if err == nil || errors.Is(err, pflag.ErrHelp) {
		return 0
	}
	w := stderr
	if errors.As(err, new(jsonReport)) {
		w = jsonFailures{stderr}
	}
	var ue usageError
	if errors.As(err, &ue) {
		switch {
		case ue.list:
			if ue.msg != "" {
				fmt.Fprintf(stderr, "lacaudit: %s\n\n", ue.msg)
			}
			usage(stderr)
			return exitUsage
		case ue.cmd == "":
			return report(w, exitUsage, "lacaudit: "+ue.msg, "")
		case ue.noHint:
			return report(w, exitUsage, fmt.Sprintf("lacaudit %s: %s", ue.cmd, ue.msg), "")
		}
		return report(w, exitUsage, fmt.Sprintf("lacaudit %s: %s", ue.cmd, ue.msg),
			fmt.Sprintf("Usage: lacaudit %s [flags]; 'lacaudit %s --help' lists the flags with an example.", ue.cmd, ue.cmd))
	}
	code := job.ExitStatus(err)
	var ce commandError
	if errors.As(err, &ce) {
		return report(w, code, fmt.Sprintf("lacaudit %s: %v", ce.cmd, ce.err), "")
	}
	hint := ""
	switch code {
	case 3:
		var ye *job.YearError
		if errors.As(err, &ye) {
			break
		}
		hint = "The extracts cannot be used as they are: fix them (or the export) and run again. No report was written; earlier reports are unchanged."
	case 1:
		if !errors.Is(err, context.Canceled) {
			hint = "The run failed; earlier reports are unchanged."
		}
	}
	return report(w, code, "lacaudit: "+err.Error(), hint)
}

// commandError is the failure of a tool command (sample, bench), reported
// as "lacaudit <cmd>: <err>" with no hint.
type commandError struct {
	cmd string
	err error
}

func (e commandError) Error() string { return e.cmd + ": " + e.err.Error() }
func (e commandError) Unwrap() error { return e.err }

// jsonReport marks the error of a command run with --log-format json, for
// exit to report as JSON.
type jsonReport struct{ error }

func (e jsonReport) Unwrap() error { return e.error }

func usage(w io.Writer) {
	fmt.Fprintln(w, "lacaudit audits looked-after children's reviews and plans from SSDA903 extracts.")
	fmt.Fprintln(w, "\nUsage: lacaudit <command> [flags]\n\nCommands:")
	for _, c := range commands() {
		fmt.Fprintf(w, "  %-8s %s\n", c.name, c.summary)
	}
	fmt.Fprintln(w, "\nRun 'lacaudit <command> --help' for a command's flags and an example.")
}

func newFlags(name string, stderr io.Writer) *pflag.FlagSet {
	fs := pflag.NewFlagSet(name, pflag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.SortFlags = false
	for _, c := range commands() {
		if c.name == name {
			fs.Usage = func() {
				fmt.Fprintf(stderr, "lacaudit %s: %s\n\nUsage: lacaudit %s [flags]\n\nFlags:\n%s\nExample:\n  %s\n",
					name, c.summary, name, fs.FlagUsages(), c.example)
			}
		}
	}
	return fs
}

// shared are the flags every data command takes.
type shared struct {
	input, out, db, asOf, configFile, logFormat, memoryLimit, fileMode, template string
	threads                                                                      int
	name                                                                         string // the command, for its usage hint
}

func (s *shared) register(fs *pflag.FlagSet, withOut bool) { s.registerFlags(fs, withOut, withOut) }

// registerFlags adds the shared flags; withDB adds --db, for commands that
// keep a database file.
func (s *shared) registerFlags(fs *pflag.FlagSet, withOut, withDB bool) {
	s.name = fs.Name()
	fs.StringVar(&s.input, "input", "", "folder of extracts, or of yearly returns (default: the bundled sample data)")
	if withOut {
		fs.StringVar(&s.out, "out", "out", "output folder")
		fs.StringVar(&s.fileMode, "file-mode", "0600", "permissions of output files: 0600, or 0640 to let a group read them")
		fs.StringVar(&s.template, "template", "", "house-style workbook (default: templates/house-style.xlsx, bundled)")
	}
	if withDB {
		fs.StringVar(&s.db, "db", "", "DuckDB database file, named *.duckdb (default: lacaudit.duckdb in the output folder)")
	}
	fs.StringVar(&s.asOf, "as-of", "", "audit the data as it stood on this date, YYYY-MM-DD (default: today)")
	fs.StringVar(&s.configFile, "config", "", "configuration file (see lacaudit.conf.example)")
	fs.StringVar(&s.logFormat, "log-format", "text", "log format: text or json")
	fs.IntVar(&s.threads, "threads", 0, "DuckDB worker threads, at most the machine's cores (default 0: one for an extract under 16 MB, else one a core)")
	fs.StringVar(&s.memoryLimit, "memory-limit", job.AutoMemory, "DuckDB memory limit, such as 2GB; past it DuckDB works on disk. auto: the extract's size, at least 512MB (which keeps a run under 1 GiB up to 300,000 children), at most half the machine's memory")
}

// prepare turns the flags into job settings, a usage error naming the
// command. (The bundled sample is written into the command's own private
// folder, which the job removes, so nothing is left to clean up here.)
func (s *shared) prepare() (job.Settings, *slog.Logger, error) {
	js, log, err := s.settings()
	if ue, ok := err.(usageError); ok {
		ue.cmd = s.name
		err = ue
	}
	return js, log, err
}

// settings turns the flags into job settings; a usage error is returned as
// usageError so that the exit status is 2.
func (s *shared) settings() (job.Settings, *slog.Logger, error) {
	var js job.Settings
	log, err := newLogger(s.logFormat)
	if err != nil {
		return js, nil, err
	}
	js.Version, js.Threads, js.MemoryLimit = version, s.threads, s.memoryLimit
	js.AsOf = today()
	if s.asOf != "" {
		t, err := parseDate(s.asOf)
		if err != nil {
			return js, nil, usageError{msg: fmt.Sprintf("--as-of %q: %v", s.asOf, err)}
		}
		js.AsOf = t
	}
	if err := checkThreads(s.threads); err != nil {
		return js, nil, err
	}
	if err := job.CheckMemoryLimit(s.memoryLimit); err != nil {
		return js, nil, usageError{msg: err.Error()}
	}
	cfg, err := config.Load(s.configFile)
	if err != nil {
		return js, nil, usageError{msg: err.Error()}
	}
	js.Config = cfg
	js.Out, js.DB, js.Template = s.out, s.db, s.template
	if s.fileMode != "" {
		m, err := strconv.ParseUint(s.fileMode, 8, 32)
		if err != nil || (m != 0o600 && m != 0o640) {
			return js, nil, usageError{msg: fmt.Sprintf("--file-mode %q: expected 0600 (the owner only) or 0640 (the owner, and the group may read)", s.fileMode)}
		}
		js.FileMode = os.FileMode(m)
	}
	if s.input == "" {
		// Empty: the job writes the bundled sample into its private folder.
		js.InputLabel = "bundled sample data (generated as of " + sampledata.ExtractDate + ")"
	} else {
		js.Input, js.InputLabel = s.input, s.input
	}
	return js, log, nil
}

// usageError is an error in the command line (exit status 2). cmd, when
// set, names the command in the message, and its usage hint follows unless
// noHint; list prints the list of commands after the message instead.
type usageError struct {
	msg, cmd     string
	noHint, list bool
}

// checkThreads bounds --threads by the machine: more DuckDB threads than
// cores only share them, and a number in the tens of thousands made the Go
// runtime crash creating them.
func checkThreads(n int) error {
	if cores := runtime.NumCPU(); n < 0 || n > cores {
		return usageError{msg: fmt.Sprintf("--threads %d: expected 0 (automatic) to %d, the cores of this machine", n, cores)}
	}
	return nil
}

func (e usageError) Error() string { return e.msg }

// dateShape is YYYY-MM-DD, whether or not the day exists.
var dateShape = regexp.MustCompile(`^[0-9]{4}-[0-9]{2}-[0-9]{2}$`)

// parseDate reads YYYY-MM-DD strictly; a day that does not exist, such as
// 2025-02-31, is named as such rather than as the wrong shape.
func parseDate(s string) (time.Time, error) {
	t, err := time.Parse(time.DateOnly, s)
	if err != nil {
		if !dateShape.MatchString(s) {
			return time.Time{}, errors.New("expected a date as YYYY-MM-DD")
		}
		y, _ := strconv.Atoi(s[:4])
		m, _ := strconv.Atoi(s[5:7])
		if m < 1 || m > 12 {
			return time.Time{}, fmt.Errorf("the date does not exist: there is no month %s", s[5:7])
		}
		days := time.Date(y, time.Month(m)+1, 0, 0, 0, 0, 0, time.UTC).Day()
		return time.Time{}, fmt.Errorf("the date does not exist: %s %d has %d days", time.Month(m), y, days)
	}
	if t.Year() < 1950 || t.Year() > 2099 {
		return time.Time{}, errors.New("the year must be between 1950 and 2099")
	}
	return t, nil
}

func today() time.Time {
	n := time.Now()
	return time.Date(n.Year(), n.Month(), n.Day(), 0, 0, 0, 0, time.UTC)
}

func newLogger(format string) (*slog.Logger, error) {
	opts := &slog.HandlerOptions{Level: slog.LevelInfo}
	if os.Getenv("LACAUDIT_DEBUG") != "" {
		opts.Level = slog.LevelDebug
	}
	switch format {
	case "text":
		return slog.New(slog.NewTextHandler(os.Stderr, opts)), nil
	case "json":
		return slog.New(slog.NewJSONHandler(os.Stderr, opts)), nil
	}
	return nil, usageError{msg: fmt.Sprintf("--log-format %q: expected text or json", format)}
}

// parse parses a command's flags: nil to go on, pflag.ErrHelp once the
// help is printed, or a usage error.
func parse(fs *pflag.FlagSet, args []string) error {
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, pflag.ErrHelp) {
			return err
		}
		// pflag prints nothing itself with ContinueOnError: without this a
		// typo in a cron line left an empty log.
		ue := usageError{msg: flagError(err), cmd: fs.Name()}
		if asksForJSON(fs, args) {
			return jsonReport{ue}
		}
		return ue
	}
	if fs.NArg() > 0 {
		return usageError{msg: fmt.Sprintf("unexpected argument %q", fs.Arg(0)), cmd: fs.Name()}
	}
	return nil
}

// asksForJSON says whether a command line that did not parse asks for JSON
// logs (--log-format json or --log-format=json anywhere in it, for a
// command that has the flag), so that its error is reported as JSON too.
func asksForJSON(fs *pflag.FlagSet, args []string) bool {
	if fs.Lookup("log-format") == nil {
		return false
	}
	for i, a := range args {
		if a == "--" {
			break
		}
		if a == "--log-format=json" || a == "--log-format" && i+1 < len(args) && args[i+1] == "json" {
			return true
		}
	}
	return false
}

// checkKeyFile says why the pseudonymisation key file, when one is named,
// cannot be used before it is read: an empty file (named as such, not as a
// missing key), or a file that belongs to another user (who could change
// the key, as a planted lock file could the lock).
func checkKeyFile(path string) error {
	if path == "" {
		return nil
	}
	st, err := os.Stat(path)
	if err != nil {
		return nil // pseudonym.Key says why
	}
	if sys, ok := st.Sys().(*syscall.Stat_t); !ok || int(sys.Uid) != os.Geteuid() {
		return fmt.Errorf("the pseudonymisation key file %s does not belong to this user: whoever owns it can change the key; use a key file of this user's", path)
	}
	if st.Mode().IsRegular() && st.Size() == 0 {
		return fmt.Errorf("the pseudonymisation key file %s is empty; %s", path, pseudonym.KeyHowTo)
	}
	return nil
}

// flagError words pflag's parse error for an operator: the flag and what
// it takes, without strconv's wording.
func flagError(err error) string {
	var iv *pflag.InvalidValueError
	if errors.As(err, &iv) {
		want := map[string]string{
			"int": "a whole number", "uint64": "a whole number, 0 or more", "intSlice": "whole numbers separated by commas",
			"bool": "true or false",
		}[iv.GetFlag().Value.Type()]
		if want == "" {
			want = "a " + iv.GetFlag().Value.Type()
		}
		return fmt.Sprintf("--%s %q: expected %s", iv.GetFlag().Name, iv.GetValue(), want)
	}
	return err.Error()
}

// jsonFailures is the standard error of a command run with --log-format
// json: report writes its failure there as one JSON object, as the log
// lines before it, so that a log shipper keeps the line that matters.
type jsonFailures struct{ io.Writer }

// report marks err, with --log-format json, to be reported as JSON
// (jsonReport). (A command line that does not parse is marked by parse,
// when it asks for JSON: asksForJSON.)
func (s *shared) report(err error) error {
	if err != nil && s.logFormat == "json" {
		return jsonReport{err}
	}
	return err
}

// report prints a failure, msg and then hint (if any), and returns code:
// two lines of text, or one JSON object (level ERROR, msg, hint and
// exit_status) on jsonFailures.
func report(w io.Writer, code int, msg, hint string) int {
	if jf, ok := w.(jsonFailures); ok {
		attrs := []any{slog.Int("exit_status", code)}
		if hint != "" {
			attrs = append(attrs, slog.String("hint", hint))
		}
		slog.New(slog.NewJSONHandler(jf.Writer, nil)).Error(msg, attrs...)
		return code
	}
	fmt.Fprintln(w, msg)
	if hint != "" {
		fmt.Fprintln(w, hint)
	}
	return code
}

func cmdRun(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlags("run", stderr)
	var sh shared
	sh.register(fs, true)
	pseudo := fs.Bool("pseudonymise", false, "replace child identifiers and worker names in every output with keyed hashes, for sharing")
	keyFile := fs.String("pseudonymise-key-file", "", "file holding the pseudonymisation key (default: $"+pseudonym.EnvKey+")")
	acceptDrop := fs.Bool("accept-drop", false, "accept, this once, a table's rows or the children looked after falling by more than drop_threshold_percent (default 10) against the last successful run")
	findings := fs.String("findings", job.FindingsAuto, "findings file: csv, parquet, both, or auto (csv; parquet alone above 1,048,575 findings, more than an Excel sheet holds)")
	if err := parse(fs, args); err != nil {
		return err
	}
	if err := job.CheckFindings(*findings); err != nil {
		return usageError{msg: err.Error(), cmd: "run"}
	}
	s, log, err := sh.prepare()
	if err != nil {
		return sh.report(err)
	}
	s.Findings = *findings
	if *pseudo {
		if err := checkKeyFile(*keyFile); err != nil {
			return sh.report(usageError{msg: err.Error(), cmd: "run", noHint: true})
		}
		key, err := pseudonym.Key(*keyFile)
		if err != nil {
			return sh.report(usageError{msg: err.Error(), cmd: "run"})
		}
		s.PseudonymKey = key
	} else if *keyFile != "" {
		return sh.report(usageError{msg: "--pseudonymise-key-file needs --pseudonymise", cmd: "run"})
	}
	s.AcceptDrop = *acceptDrop
	sum, err := job.Run(ctx, s, log)
	if err != nil {
		return sh.report(err)
	}
	job.PrintSummary(stdout, sum)
	return nil
}

func cmdAnnual(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlags("annual", stderr)
	var sh shared
	// --db: the nightly run's, so that annual can put back a publication
	// a kill interrupted in an output folder whose database is elsewhere.
	sh.registerFlags(fs, true, true)
	year := fs.Int("year", 0, "financial year: 2025 means 1 April 2025 to 31 March 2026")
	suppress := fs.Int("suppress-small", 0, "show counts under N (and percentages built on them) as [c], for reports shared outside the authority")
	if err := parse(fs, args); err != nil {
		return err
	}
	if *year < 1951 || *year > 2098 {
		return sh.report(usageError{msg: "--year is required, e.g. --year 2025 for April 2025 to March 2026", cmd: "annual"})
	}
	if *suppress < 0 {
		return sh.report(usageError{msg: "--suppress-small must be 0 (off) or more", cmd: "annual"})
	}
	s, log, err := sh.prepare()
	if err != nil {
		return sh.report(err)
	}
	path, err := job.Annual(ctx, s, log, *year, *suppress)
	if err != nil {
		return sh.report(err)
	}
	fmt.Fprintf(stdout, "lacaudit: annual report %s written to %s\n", reports.FinancialYear(*year).Label(), path)
	return nil
}

func cmdCheck(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlags("check", stderr)
	var sh shared
	sh.register(fs, false)
	if err := parse(fs, args); err != nil {
		return err
	}
	s, log, err := sh.prepare()
	if err != nil {
		return sh.report(err)
	}
	rep, err := job.Check(ctx, s, log)
	job.PrintCheck(stdout, rep)
	if err != nil {
		return sh.report(err)
	}
	return nil
}

func cmdSample(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlags("sample", stderr)
	children := fs.Int("children", 150, "how many children (10 to 1,000,000)")
	seed := fs.Uint64("seed", 1, "random seed: the same seed gives the same extract")
	out := fs.String("out", "sample-extract", "folder to write the extract into")
	format := fs.String("format", "csv", "csv, or xlsx for one workbook with a sheet per table")
	years := fs.Int("years", 6, "years of history before the extract date (1 to 30)")
	extract := fs.String("extract-date", "", "the day the extract is taken, YYYY-MM-DD (default: today)")
	xlsxTables := fs.StringSlice("xlsx-tables", nil, "with --format csv, tables to write as sheets of extensions.xlsx instead")
	shape := fs.String("shape", synth.ShapeStandard, "standard (about 29 rows a child over ten years), or heavy (about 37: every visit, termly PEPs, six-monthly health assessments)")
	returns := fs.Int("returns", 0, "write the history as N returns, one folder per collection year, the last the year of the extract date (CSV only)")
	authorities := fs.Int("authorities", 1, "a regional group's extract: the children shared among this many authorities (2 to 99), an LA column on every table, child ids overlapping")
	if err := parse(fs, args); err != nil {
		return err
	}
	if *children < 10 || *children > 1_000_000 {
		return usageError{msg: "--children must be from 10 to 1,000,000", cmd: "sample"}
	}
	if *authorities < 1 || *authorities > synth.MaxAuthorities || *authorities*10 > *children {
		return usageError{msg: fmt.Sprintf("--authorities %d: expected 1 to %d, with at least 10 children each", *authorities, synth.MaxAuthorities), cmd: "sample"}
	}
	if *years < 1 || *years > 30 {
		// A child looked after is under 18: thirty years covers any care
		// history, and a longer one only slows the sample down.
		return usageError{msg: fmt.Sprintf("--years %d: expected 1 to 30", *years), cmd: "sample"}
	}
	ex := today()
	if *extract != "" {
		t, err := parseDate(*extract)
		if err != nil {
			return usageError{msg: fmt.Sprintf("--extract-date %q: %v", *extract, err), cmd: "sample"}
		}
		ex = t
	}
	if *shape != synth.ShapeStandard && *shape != synth.ShapeHeavy {
		return usageError{msg: fmt.Sprintf("--shape %q: expected standard or heavy", *shape), cmd: "sample"}
	}
	if *format != "csv" && *format != "xlsx" {
		return usageError{msg: fmt.Sprintf("--format %q: expected csv or xlsx", *format), cmd: "sample"}
	}
	if *returns < 0 || *returns > *years {
		return usageError{msg: fmt.Sprintf("--returns %d: expected 1 to --years (%d)", *returns, *years), cmd: "sample"}
	}
	if *returns > 0 && (*format != "csv" || len(*xlsxTables) > 0) {
		return usageError{msg: "--returns writes CSV files: it takes no --format xlsx or --xlsx-tables", cmd: "sample"}
	}
	start := time.Now()
	err := synth.Generate(*out, synth.Options{Children: *children, Seed: *seed, Extract: ex, Years: *years,
		Format: *format, XLSXTables: *xlsxTables, Shape: *shape, Returns: *returns, Authorities: *authorities})
	if fe := (*synth.FolderError)(nil); errors.As(err, &fe) {
		// One line, no usage hint: the flag is well formed, its folder is
		// not one to write over.
		return usageError{msg: "--out " + fe.Error(), cmd: "sample", noHint: true}
	}
	if err != nil {
		return commandError{"sample", err}
	}
	fmt.Fprintf(stdout, "wrote a synthetic extract of %d children to %s in %.1fs\n", *children, *out, time.Since(start).Seconds())
	return nil
}

func cmdRules(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlags("rules", stderr)
	configFile := fs.String("config", "", "configuration file (see lacaudit.conf.example)")
	if err := parse(fs, args); err != nil {
		return err
	}
	cfg, err := config.Load(*configFile)
	if err != nil {
		return usageError{msg: err.Error(), cmd: "rules"}
	}
	audit.PrintCatalogue(stdout, cfg)
	return nil
}

func cmdBench(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlags("bench", stderr)
	sizes := fs.IntSlice("sizes", []int{10000, 100000, 300000, 1000000}, "children in each sample")
	work := fs.String("work", "", "folder for the samples and outputs, kept (default: a private temporary folder, removed at the end)")
	seed := fs.Uint64("seed", 7, "random seed of the samples")
	threads := fs.Int("threads", 0, "DuckDB worker threads of the runs (default 0: as for run)")
	memoryLimit := fs.String("memory-limit", job.AutoMemory, "DuckDB memory limit of the runs (auto: as for run)")
	repeat := fs.Int("repeat", 1, "runs of the floor and the job on each sample, the sizes taking turns; the median is reported")
	shapes := fs.StringSlice("shapes", []string{synth.ShapeStandard}, "sample shapes: standard, heavy, or both as standard,heavy")
	if err := parse(fs, args); err != nil {
		return err
	}
	if *repeat < 1 || *repeat > 99 {
		return usageError{msg: "--repeat must be from 1 to 99", cmd: "bench"}
	}
	if err := checkThreads(*threads); err != nil {
		return usageError{msg: err.Error(), cmd: "bench"}
	}
	for _, n := range *sizes {
		if n < 10 || n > 1_000_000 {
			return usageError{msg: "--sizes must each be from 10 to 1,000,000", cmd: "bench"}
		}
	}
	for _, sh := range *shapes {
		if sh != synth.ShapeStandard && sh != synth.ShapeHeavy {
			return usageError{msg: fmt.Sprintf("--shapes %q: expected standard, heavy or standard,heavy", sh), cmd: "bench"}
		}
	}
	if err := job.CheckMemoryLimit(*memoryLimit); err != nil {
		return usageError{msg: err.Error(), cmd: "bench"}
	}
	if *work != "" {
		if err := os.MkdirAll(*work, 0o700); err != nil {
			return commandError{"bench", err}
		}
	}
	if _, err := bench.Run(ctx, bench.Options{Sizes: *sizes, Work: *work, Seed: *seed, Threads: *threads,
		MemoryLimit: *memoryLimit, Repeat: *repeat, Shapes: *shapes, Progress: stderr}, stdout); err != nil {
		return commandError{"bench", err}
	}
	return nil
}

func cmdVersion(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlags("version", stderr)
	if err := parse(fs, args); err != nil {
		return err
	}
	fmt.Fprintf(stdout, "lacaudit %s\n", version)
	return nil
}

// cmdWriteShared is the hidden command a pseudonymised run starts to write
// the shared database from its Parquet files, in a process that never held
// the raw extract (pseudonym.Build).
func cmdWriteShared(ctx context.Context, args []string) error {
	fs := pflag.NewFlagSet(pseudonym.WriterCommand, pflag.ContinueOnError)
	fs.SetOutput(io.Discard)
	dir := fs.String("dir", "", "")
	db := fs.String("db", "", "")
	threads := fs.Int("threads", 0, "")
	memoryLimit := fs.String("memory-limit", "", "")
	if err := fs.Parse(args); err != nil || *dir == "" || *db == "" || fs.NArg() > 0 {
		return usageError{msg: pseudonym.WriterCommand + " is started by lacaudit run --pseudonymise, not by hand"}
	}
	return pseudonym.WriteShared(ctx, *dir, *db, store.Options{Threads: *threads, MemoryLimit: *memoryLimit})
}

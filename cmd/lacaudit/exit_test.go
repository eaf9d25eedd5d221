package main

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"strings"
	"testing"

	"github.com/spf13/pflag"

	"github.com/lacaudit/lacaudit/ingest"
	"github.com/lacaudit/lacaudit/job"
)

// Every command's error goes through exit, the one place that prints it
// and chooses the status: each kind of error, its status and its lines.
func TestExitMapsEachErrorToItsStatusAndMessage(t *testing.T) {
	input := &ingest.InputError{Msg: "episodes.csv has no data rows"}
	for _, tc := range []struct {
		name string
		err  error
		code int
		want string // stderr; a JSON report is matched by its parts
	}{
		{"success", nil, 0, ""},
		{"help", pflag.ErrHelp, 0, ""},
		{"usage", usageError{msg: `--as-of "x": expected a date`, cmd: "run"}, 2,
			"lacaudit run: --as-of \"x\": expected a date\nUsage: lacaudit run [flags]; 'lacaudit run --help' lists the flags with an example.\n"},
		{"usage without a hint", usageError{msg: "--out x: not empty", cmd: "sample", noHint: true}, 2, "lacaudit sample: --out x: not empty\n"},
		{"usage of no command", usageError{msg: "--threads 99: expected 0 to 2"}, 2, "lacaudit: --threads 99: expected 0 to 2\n"},
		{"unknown command", usageError{msg: `unknown command "x"`, list: true}, 2, "lacaudit: unknown command \"x\"\n\nlacaudit audits"},
		{"input", fmt.Errorf("load: %w", input), 3,
			"lacaudit: load: episodes.csv has no data rows\nThe extracts cannot be used as they are: fix them (or the export) and run again. No report was written; earlier reports are unchanged.\n"},
		{"year", &job.YearError{Msg: "the year has not begun"}, 3, "lacaudit: the year has not begun\n"},
		{"lock", &job.LockError{Path: "out/.lock", PID: 7}, 4, "lacaudit: another lacaudit run (process 7)"},
		{"failure", errors.New("disk on fire"), 1, "lacaudit: disk on fire\nThe run failed; earlier reports are unchanged.\n"},
		{"interrupted", context.Canceled, 1, "lacaudit: context canceled\n"},
		{"tool command", commandError{"bench", errors.New("no space")}, 1, "lacaudit bench: no space\n"},
		{"as JSON", jsonReport{input}, 3, `"msg":"lacaudit: episodes.csv has no data rows"`},
	} {
		var b bytes.Buffer
		if code := exit(&b, tc.err); code != tc.code {
			t.Errorf("%s: exit status %d, want %d", tc.name, code, tc.code)
		}
		got := b.String()
		if tc.want == "" && got != "" || !strings.HasPrefix(got, tc.want) && !strings.Contains(got, tc.want) {
			t.Errorf("%s: printed %q, want %q", tc.name, got, tc.want)
		}
		if tc.name == "as JSON" && !strings.Contains(got, `"exit_status":3`) {
			t.Errorf("as JSON: %q does not carry the exit status", got)
		}
	}
}

// The manual (doc.go, what `go doc ./cmd/lacaudit` prints) lists every
// command, with the summary lacaudit's own usage gives it.
func TestManualListsEveryCommand(t *testing.T) {
	doc, err := os.ReadFile("doc.go")
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range commands() {
		line := fmt.Sprintf("//\t%-8s %s", c.name, c.summary)
		if c.name == "annual" || c.name == "check" || c.name == "rules" {
			line = fmt.Sprintf("//\t%-8s %s", c.name, strings.SplitN(c.summary, " ", 2)[0])
		}
		if !strings.Contains(string(doc), line) {
			t.Errorf("doc.go does not list %q as %q", c.name, line)
		}
	}
}

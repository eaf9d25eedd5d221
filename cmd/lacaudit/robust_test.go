package main

import (
	"fmt"
	"runtime"
	"strings"
	"testing"
)

// Every flag error prints one line naming the flag and the command's usage
// hint, with exit status 2: pflag prints nothing itself, and a typo in a
// cron line used to leave an empty log.
func TestFlagErrorsSayWhy(t *testing.T) {
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"run", "--bogus"}, "lacaudit run: unknown flag: --bogus"},
		{[]string{"check", "--threads", "abc"}, `lacaudit check: --threads "abc": expected a whole number`},
		{[]string{"annual", "--year"}, "lacaudit annual: flag needs an argument: --year"},
		{[]string{"run", "--threads", "100000"}, "lacaudit run: --threads 100000: expected 0 (all cores) to " + fmt.Sprint(runtime.NumCPU())},
		{[]string{"check", "--threads", "-1"}, "lacaudit check: --threads -1: expected 0 (all cores)"},
		{[]string{"bench", "--threads", "100000"}, "lacaudit bench: --threads 100000"},
		{[]string{"run", "stray"}, `lacaudit run: unexpected argument "stray"`},
		{[]string{"run", "--log-format", "xml"}, `lacaudit run: --log-format "xml"`},
		{[]string{"sample", "--children", "5"}, "lacaudit sample: --children must be from 10"},
	} {
		r := lacaudit(t, tc.args...)
		lines := strings.Split(strings.TrimRight(r.stderr, "\n"), "\n")
		if r.code != 2 || len(lines) != 2 || lines[0] != tc.want && !strings.HasPrefix(lines[0], tc.want) {
			t.Errorf("%v: exit %d, stderr %q; want exit 2 and %q", tc.args, r.code, r.stderr, tc.want)
			continue
		}
		if hint := "Usage: lacaudit " + tc.args[0] + " [flags]; 'lacaudit " + tc.args[0] + " --help'"; !strings.HasPrefix(lines[1], hint) {
			t.Errorf("%v: second line %q, want the usage hint", tc.args, lines[1])
		}
		if r.stdout != "" {
			t.Errorf("%v: wrote to stdout: %q", tc.args, r.stdout)
		}
	}
}

// lacaudit help run is run's own help, as lacaudit run --help.
func TestHelpCommand(t *testing.T) {
	want := lacaudit(t, "run", "--help")
	r := lacaudit(t, "help", "run")
	if r.code != 0 || r.stderr != want.stderr || !strings.Contains(r.stderr, "--accept-drop") && !strings.Contains(r.stderr, "--pseudonymise") {
		t.Errorf("help run: exit %d, %q", r.code, r.stderr)
	}
	if r := lacaudit(t, "help", "frobnicate"); r.code != 2 || !strings.Contains(r.stderr, `unknown command "frobnicate"`) {
		t.Errorf("help frobnicate: exit %d, %q", r.code, r.stderr)
	}
}

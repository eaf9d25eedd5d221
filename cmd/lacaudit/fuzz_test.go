package main

import (
	"errors"
	"io"
	"strings"
	"testing"
	"time"

	"github.com/spf13/pflag"
)

// --as-of and the other dates on the command line: strict yyyy-mm-dd.
func FuzzParseDate(f *testing.F) {
	for _, s := range []string{"2026-11-01", "2024-02-29", "2023-02-29", "01/11/2026", "2026-1-1", "", "2100-01-01", "1949-12-31"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		d, err := parseDate(s)
		if err != nil {
			return
		}
		if d.Format(time.DateOnly) != s {
			t.Errorf("parseDate(%q) = %s: not the same date", s, d.Format(time.DateOnly))
		}
		if d.Year() < 1950 || d.Year() > 2099 {
			t.Errorf("parseDate(%q) accepted year %d", s, d.Year())
		}
	})
}

// Any arguments to run's flags give a usage error (2), help (0) or settings,
// never a panic; nothing is run.
func FuzzRunFlags(f *testing.F) {
	f.Add("--as-of 2026-11-01 --out x --threads 2")
	f.Add("--threads -1 --file-mode 0777 --log-format xml")
	f.Add("--help")
	f.Add("--as-of= --memory-limit")
	f.Fuzz(func(t *testing.T, line string) {
		fs := newFlags("run", io.Discard)
		var sh shared
		sh.register(fs, true)
		if err := parse(fs, strings.Fields(line)); err != nil {
			if !errors.Is(err, pflag.ErrHelp) && !errors.As(err, new(usageError)) {
				t.Errorf("parse(%q) = %v, neither help nor a usage error", line, err)
			}
			return
		}
		var tmp string
		sh.input = "unused" // keep the bundled sample unpacked only when asked
		if _, _, err := sh.settings(&tmp); err != nil {
			if _, ok := err.(usageError); !ok {
				t.Errorf("settings(%q): %v is not a usage error", line, err)
			}
		}
	})
}

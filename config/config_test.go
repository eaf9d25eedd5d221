package config

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// lacaudit.conf.example lists every setting at its default.
func TestExampleFileIsCurrent(t *testing.T) {
	b, err := os.ReadFile(filepath.Join("..", "lacaudit.conf.example"))
	if err != nil {
		t.Fatal(err)
	}
	if string(b) != Example() {
		t.Fatal("lacaudit.conf.example is out of date: regenerate it with go run ./config/gen")
	}
}

func TestUncommentedExampleGivesDefaults(t *testing.T) {
	var lines []string
	for _, l := range strings.Split(Example(), "\n") {
		if strings.HasPrefix(l, "#") && strings.Contains(l, " = ") && !strings.HasPrefix(l, "# ") {
			lines = append(lines, strings.TrimPrefix(l, "#"))
		}
	}
	path := filepath.Join(t.TempDir(), "c.conf")
	if err := os.WriteFile(path, []byte(strings.Join(lines, "\n")), 0o600); err != nil {
		t.Fatal(err)
	}
	c, err := Load(path)
	if err != nil {
		t.Fatal(err)
	}
	d := Default()
	for i, ts := range d.Timescales {
		if c.Timescales[i] != ts {
			t.Errorf("%s: %v, want %v", ts.Key, c.Timescales[i], ts)
		}
	}
	if len(c.Closures) != 2 || c.Closures[0].Name != "Christmas Eve closure" {
		t.Errorf("closures %v", c.Closures)
	}
	for i := range d.Targets {
		if c.Targets[i] != d.Targets[i] {
			t.Errorf("target %v, want %v", c.Targets[i], d.Targets[i])
		}
	}
}

func TestErrorsNameFileAndLine(t *testing.T) {
	path := filepath.Join(t.TempDir(), "bad.conf")
	os.WriteFile(path, []byte("# ok\npep_days = 183\nsecond_review_days = ninety\n"), 0o600)
	_, err := Load(path)
	if err == nil || !strings.Contains(err.Error(), "bad.conf line 3: second_review_days") {
		t.Errorf("err = %v", err)
	}
	os.WriteFile(path, []byte("no_such_setting = 1\n"), 0o600)
	if _, err := Load(path); err == nil || !strings.Contains(err.Error(), "unknown setting") {
		t.Errorf("err = %v", err)
	}
}

// Any configuration file is read or refused with its line named; never a panic.
func FuzzLoad(f *testing.F) {
	f.Add("second_review_days = 91\n# c\nclosure = 2024-12-24 Eve\n")
	f.Add("target.pep_current = 95, 85\nbreakdown_reasons = a,,b\nreject_threshold_percent = 101\n")
	f.Add("=\n==\nclosure=\n")
	path := filepath.Join(f.TempDir(), "c.conf")
	f.Fuzz(func(t *testing.T, s string) {
		os.WriteFile(path, []byte(s), 0o600)
		c, err := Load(path)
		if err != nil {
			if !strings.Contains(err.Error(), "c.conf") {
				t.Errorf("error does not name the file: %v", err)
			}
			return
		}
		for _, ts := range c.Timescales {
			if ts.Value < 0 || ts.Value > 3650 {
				t.Errorf("%s = %d accepted", ts.Key, ts.Value)
			}
		}
		if c.RejectThreshold < 0 || c.RejectThreshold > 1 {
			t.Errorf("threshold %v accepted", c.RejectThreshold)
		}
	})
}

// NaN and infinities are not percentages: NaN compared false with both
// bounds, which switched the reject threshold off.
func TestPercentagesRefuseNaNAndInfinity(t *testing.T) {
	for _, line := range []string{
		"reject_threshold_percent = NaN",
		"reject_threshold_percent = nan",
		"reject_threshold_percent = Inf",
		"reject_threshold_percent = -Inf",
		"reject_threshold_percent = +Infinity",
		"drop_threshold_percent = NaN",
		"drop_threshold_percent = inf",
		"target.pep_current = NaN, 85",
		"target.pep_current = 95, NaN",
		"target.pep_current = Inf, 85",
	} {
		path := filepath.Join(t.TempDir(), "c.conf")
		if err := os.WriteFile(path, []byte(line+"\n"), 0o600); err != nil {
			t.Fatal(err)
		}
		if _, err := Load(path); err == nil || !strings.Contains(err.Error(), "c.conf line 1") {
			t.Errorf("%s: err = %v, want it refused on line 1", line, err)
		}
	}
	path := filepath.Join(t.TempDir(), "c.conf")
	os.WriteFile(path, []byte("drop_threshold_percent = 25\nreject_threshold_percent = 2.5\n"), 0o600)
	c, err := Load(path)
	if err != nil {
		t.Fatal(err)
	}
	if c.DropThreshold != 0.25 || c.RejectThreshold != 0.025 {
		t.Errorf("drop %v reject %v", c.DropThreshold, c.RejectThreshold)
	}
}

// A range whose start is after its end is refused, wherever in the file
// either end is set.
func TestCrossingRangesRefused(t *testing.T) {
	for _, tc := range []struct {
		text string
		ok   bool
	}{
		{"school_age_from = 16\n", false}, // past the default 15
		{"school_age_to = 3\n", false},    // before the default 4
		{"school_age_to = 10\nschool_age_from = 11\n", false},
		{"school_age_from = 11\nschool_age_to = 11\n", true}, // one year is a range
		{"school_age_from = 5\nschool_age_to = 16\n", true},
	} {
		path := filepath.Join(t.TempDir(), "c.conf")
		os.WriteFile(path, []byte(tc.text), 0o600)
		_, err := Load(path)
		if tc.ok && err != nil {
			t.Errorf("%q: %v", tc.text, err)
		}
		if !tc.ok && (err == nil || !strings.Contains(err.Error(), "school_age_from") || !strings.Contains(err.Error(), "c.conf")) {
			t.Errorf("%q: err = %v, want the crossing range named", tc.text, err)
		}
	}
}

// A file saved with a UTF-8 byte order mark is read as without it.
func TestByteOrderMark(t *testing.T) {
	path := filepath.Join(t.TempDir(), "c.conf")
	os.WriteFile(path, []byte("\xEF\xBB\xBFsecond_review_days = 90\r\nschool_age_to = 16\r\n"), 0o600)
	c, err := Load(path)
	if err != nil {
		t.Fatal(err)
	}
	if c.Days("second_review_days") != 90 || c.Days("school_age_to") != 16 {
		t.Errorf("second %d, school_age_to %d", c.Days("second_review_days"), c.Days("school_age_to"))
	}
	// The same with a comment first.
	os.WriteFile(path, []byte("\xEF\xBB\xBF# comment\nsecond_review_days = 90\n"), 0o600)
	if _, err := Load(path); err != nil {
		t.Fatal(err)
	}
}

// A setting given twice is refused, naming both lines, whichever value
// would have won; closure, a list, may be given on as many lines as needed.
func TestRepeatedSettingRefused(t *testing.T) {
	path := filepath.Join(t.TempDir(), "twice.conf")
	for _, tc := range []struct{ text, want string }{
		{"pep_days = 183\n# note\npep_days = 150\n", "twice.conf line 3: pep_days is already set on line 1"},
		{"target.pep_current = 95, 85\n\ntarget.pep_current = 90, 80\n", "twice.conf line 3: target.pep_current is already set on line 1"},
		{"reject_threshold_percent = 5\nreject_threshold_percent=5\n", "twice.conf line 2: reject_threshold_percent is already set on line 1"},
	} {
		os.WriteFile(path, []byte(tc.text), 0o600)
		if _, err := Load(path); err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%q: err = %v, want %q", tc.text, err, tc.want)
		}
	}
	os.WriteFile(path, []byte("closure = 2026-12-24 Eve\nclosure = 2026-12-31 Eve\n"), 0o600)
	if c, err := Load(path); err != nil || len(c.Closures) != 2 {
		t.Errorf("two closures: %v, %v", c, err)
	}
}

// stale_extract_days is a whole number of days, 14 by default, 0 to switch
// the warning off; anything else is refused with its line.
func TestStaleExtractDays(t *testing.T) {
	if d := Default().StaleExtractDays; d != 14 {
		t.Errorf("default %d, want 14", d)
	}
	for text, want := range map[string]int{"stale_extract_days = 30\n": 30, "stale_extract_days = 0\n": 0} {
		path := filepath.Join(t.TempDir(), "c.conf")
		os.WriteFile(path, []byte(text), 0o600)
		c, err := Load(path)
		if err != nil || c.StaleExtractDays != want {
			t.Errorf("%q: %v, %v", text, c, err)
		}
	}
	for _, text := range []string{"stale_extract_days = -1\n", "stale_extract_days = 2 weeks\n", "stale_extract_days = 1.5\n"} {
		path := filepath.Join(t.TempDir(), "c.conf")
		os.WriteFile(path, []byte(text), 0o600)
		if _, err := Load(path); err == nil || !strings.Contains(err.Error(), "c.conf line 1") {
			t.Errorf("%q: err = %v, want it refused on line 1", text, err)
		}
	}
}

// A configuration saved as UTF-16 is refused in one line that echoes none
// of its bytes.
func TestNotUTF8Refused(t *testing.T) {
	path := filepath.Join(t.TempDir(), "u16.conf")
	os.WriteFile(path, []byte("\xff\xfes\x00e\x00c\x00\n\x00"), 0o600)
	_, err := Load(path)
	if err == nil || !strings.Contains(err.Error(), "u16.conf line 1: not UTF-8 text") || strings.ContainsAny(err.Error(), "\x00\xff") {
		t.Errorf("err = %q", err)
	}
}

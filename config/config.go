// Package config holds the timescales and settings a run audits with. The
// defaults are RULES.md's; a configuration file of "key = value" lines
// (with # comments) overrides any of them. lacaudit.conf.example in the
// repository lists every key.
package config

import (
	"bufio"
	"fmt"
	"math"
	"os"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/lacaudit/lacaudit/calendar"
)

// Timescale is one configurable number of days.
type Timescale struct {
	Key     string
	Value   int
	Unit    string // "working days" or "days" or "years"
	Meaning string
}

// Target is the level a headline figure is judged against on the workbook.
type Target struct {
	Key     string
	Green   float64 // at or above: green
	Amber   float64 // at or above: amber; below: red
	Meaning string
}

// Config is the configuration in force for a run.
type Config struct {
	Timescales       []Timescale
	BreakdownReasons []string
	Closures         []calendar.Closure
	RejectThreshold  float64 // share of a table's rows, 0.05 = 5 %
	// DropThreshold is the share by which a table's rows, or the children
	// looked after, may fall against the last successful run before the
	// run stops as a partial export (0.10 = 10 %).
	DropThreshold float64
	// WorkbookListRows is the most rows each list of the nightly workbook
	// shows (exceptions, actions, rejected rows, warnings), most urgent
	// first; the rest are in findings.csv, rejects.csv or the database.
	WorkbookListRows int
	// StaleExtractDays is how many days the newest record of the extract
	// may be older than the as-of date before the run warns that the
	// export may have stopped refreshing (0: never).
	StaleExtractDays int
	Targets          []Target
	// Source is the file the configuration was read from, empty for defaults.
	Source string
}

// DefaultWorkbookListRows is the default of workbook_list_rows: 20,000
// rows a list. A large single authority (2,500 children looked after, ten
// years of history) has a few thousand exceptions in a year, so it never
// meets the cap; at 300,000 children (a region or the country) the lists
// would hold hundreds of thousands of rows, and capped they keep the
// workbook to a size LibreOffice and Excel open in seconds.
const DefaultWorkbookListRows = 20_000

// Default returns RULES.md's configuration.
func Default() *Config {
	return &Config{
		Timescales: []Timescale{
			{"initial_review_working_days", 20, "working days", "initial review after the period of care starts"},
			{"second_review_days", 91, "days", "second review after the first"},
			{"subsequent_review_days", 183, "days", "each later review after the previous one"},
			{"adoption_first_review_days", 28, "days", "first adoption review after placement for adoption"},
			{"adoption_second_review_days", 91, "days", "second adoption review after the first"},
			{"adoption_subsequent_review_days", 183, "days", "later adoption reviews after the previous one"},
			{"consultation_working_days_before", 20, "working days", "child consulted before the review"},
			{"invitations_working_days_before", 10, "working days", "invitation list sent before the review"},
			{"sw_report_initial_working_days_before", 3, "working days", "social worker's report before an initial review"},
			{"sw_report_working_days_before", 5, "working days", "social worker's report before any other review"},
			{"decisions_working_days", 5, "working days", "IRO's decisions issued after the review"},
			{"care_plan_working_days", 10, "working days", "care plan updated after the review"},
			{"full_record_working_days", 15, "working days", "full written record completed after the review"},
			{"distribution_working_days", 20, "working days", "record sent to all relevant parties after the review"},
			{"adjournment_max_working_days", 20, "working days", "longest adjournment of a review"},
			{"ltf_meeting_days", 365, "days", "review meeting for a child in a long-term foster placement"},
			{"ltf_placement_days", 365, "days", "placement length after which the long-term foster rule applies"},
			{"pep_days", 183, "days", "Personal Education Plan after the previous one"},
			{"pep_initial_working_days", 20, "working days", "first PEP after the period of care starts"},
			{"permanence_by_second_review", 1, "flag", "permanence plan due by the second review (1 on, 0 off)"},
			{"disruption_meeting_days", 42, "days", "disruption meeting after a placement breakdown"},
			{"breakdown_window_days", 365, "days", "window for two or more breakdowns without a disruption meeting"},
			{"breakdown_pair_days", 91, "days", "two breakdowns this close need senior-manager involvement"},
			{"health_initial_working_days", 20, "working days", "first health assessment after the period of care starts"},
			{"health_under5_days", 183, "days", "next health assessment for a child under 5"},
			{"health_days", 365, "days", "next health assessment for a child of 5 or over"},
			{"visit_first_days", 7, "days", "first statutory visit after a placement starts"},
			{"visit_days", 42, "days", "statutory visit after the previous one"},
			{"bedroom_first_days", 7, "days", "sleeping arrangements seen after a placement starts"},
			{"bedroom_days", 183, "days", "sleeping arrangements seen after the last time"},
			{"qa_resolution_working_days", 10, "working days", "quality assurance alert resolved after being raised"},
			{"school_age_from", 4, "years", "youngest school age on 31 August (Reception)"},
			{"school_age_to", 15, "years", "oldest school age on 31 August (Year 11)"},
		},
		BreakdownReasons: []string{"CREQB", "CREQO", "CHILD", "LAREQ", "ALLEG", "STAND", "APPRR"},
		RejectThreshold:  0.05,
		DropThreshold:    0.10,
		WorkbookListRows: DefaultWorkbookListRows,
		StaleExtractDays: 14,
		Targets: []Target{
			{"reviews_in_timescale", 0.95, 0.85, "reviews held in timescale, of those due in the last 12 months"},
			{"initial_in_timescale", 0.95, 0.85, "initial reviews held in timescale, of those due in the last 12 months"},
			{"second_in_timescale", 0.95, 0.85, "second reviews held in timescale, of those due in the last 12 months"},
			{"subsequent_in_timescale", 0.95, 0.85, "subsequent reviews held in timescale, of those due in the last 12 months"},
			{"pep_current", 0.95, 0.85, "school-age children with a current PEP"},
			{"permanence_by_second", 0.9, 0.75, "periods with a permanence plan by the second review"},
			{"breakdowns_with_meeting", 0.9, 0.7, "breakdowns followed by a disruption meeting in time"},
			{"health_in_date", 0.95, 0.85, "children with an in-date health assessment"},
			{"visits_in_date", 0.95, 0.85, "children visited in timescale"},
			{"allocated_sw", 1.0, 0.97, "children with an allocated social worker"},
			{"allocated_iro", 1.0, 0.97, "children with an allocated IRO"},
		},
	}
}

// Days returns the value of timescale key; it panics on a key no code knows,
// which is a programming error, never an input one.
func (c *Config) Days(key string) int {
	for _, t := range c.Timescales {
		if t.Key == key {
			return t.Value
		}
	}
	panic("config: unknown timescale " + key)
}

// Target returns the target for a headline figure.
func (c *Config) Target(key string) (Target, bool) {
	for _, t := range c.Targets {
		if t.Key == key {
			return t, true
		}
	}
	return Target{}, false
}

// Load reads a configuration file over the defaults. Errors name the file
// and line.
func Load(path string) (*Config, error) {
	c := Default()
	if path == "" {
		return c, nil
	}
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("read configuration: %w", err)
	}
	defer f.Close()
	c.Source = path
	sc := bufio.NewScanner(f)
	n := 0
	seen := map[string]int{} // the line each setting was given on
	for sc.Scan() {
		n++
		text := sc.Text()
		if !utf8.ValidString(text) {
			return nil, fmt.Errorf("%s line %d: not UTF-8 text (saved as UTF-16, or \"Unicode\"?): save the configuration as UTF-8", path, n)
		}
		if n == 1 {
			// A file saved with a UTF-8 byte order mark (Notepad, some
			// editors on Windows) starts with it: it is not part of the key.
			text = strings.TrimPrefix(text, "\uFEFF")
		}
		line := strings.TrimSpace(text)
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		k, v, ok := strings.Cut(line, "=")
		if !ok {
			return nil, fmt.Errorf("%s line %d: expected key = value", path, n)
		}
		k, v = strings.TrimSpace(k), strings.TrimSpace(v)
		// A setting given twice is a mistake one of whose values would be
		// silently lost; closure alone is a list, one a line.
		if first, ok := seen[k]; ok && k != "closure" {
			return nil, fmt.Errorf("%s line %d: %s is already set on line %d: give each setting once", path, n, k, first)
		}
		seen[k] = n
		if err := c.set(k, v); err != nil {
			return nil, fmt.Errorf("%s line %d: %s: %w", path, n, k, err)
		}
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("read %s: %w", path, err)
	}
	if err := c.checkRanges(); err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return c, nil
}

// ranges are pairs of timescales that bound a range: the first may not be
// greater than the second.
var ranges = [][2]string{
	{"school_age_from", "school_age_to"},
}

// checkRanges refuses settings that together make no sense: a range whose
// start is after its end. (Each target's green and amber are checked on
// their own line.)
func (c *Config) checkRanges() error {
	for _, r := range ranges {
		if from, to := c.Days(r[0]), c.Days(r[1]); from > to {
			return fmt.Errorf("%s = %d is greater than %s = %d: the range is empty", r[0], from, r[1], to)
		}
	}
	return nil
}

// percent reads a percentage from 0 to 100; NaN and infinities are not one.
func percent(v string) (float64, bool) {
	p, err := strconv.ParseFloat(v, 64)
	if err != nil || math.IsNaN(p) || math.IsInf(p, 0) || p < 0 || p > 100 {
		return 0, false
	}
	return p, true
}

func (c *Config) set(k, v string) error {
	switch {
	case k == "breakdown_reasons":
		var codes []string
		for _, s := range strings.Split(v, ",") {
			if s = strings.ToUpper(strings.TrimSpace(s)); s != "" {
				codes = append(codes, s)
			}
		}
		if len(codes) == 0 {
			return fmt.Errorf("expected a comma-separated list of REASON_PLACE_CHANGE codes")
		}
		c.BreakdownReasons = codes
		return nil
	case k == "closure":
		d, name, _ := strings.Cut(v, " ")
		t, err := time.Parse(time.DateOnly, d)
		if err != nil {
			return fmt.Errorf("expected yyyy-mm-dd and a name, as closure = 2024-12-24 Christmas Eve closure")
		}
		if name = strings.TrimSpace(name); name == "" {
			name = "closure"
		}
		c.Closures = append(c.Closures, calendar.Closure{Date: t, Name: name})
		return nil
	case k == "reject_threshold_percent":
		p, ok := percent(v)
		if !ok {
			return fmt.Errorf("expected a percentage from 0 to 100")
		}
		c.RejectThreshold = p / 100
		return nil
	case k == "drop_threshold_percent":
		p, ok := percent(v)
		if !ok {
			return fmt.Errorf("expected a percentage from 0 to 100")
		}
		c.DropThreshold = p / 100
		return nil
	case k == "workbook_list_rows":
		n, err := strconv.Atoi(v)
		if err != nil || n < 100 || n > 1_000_000 {
			return fmt.Errorf("expected a whole number of rows from 100 to 1000000")
		}
		c.WorkbookListRows = n
		return nil
	case k == "stale_extract_days":
		n, err := strconv.Atoi(v)
		if err != nil || n < 0 || n > 3650 {
			return fmt.Errorf("expected a whole number of days from 0 to 3650")
		}
		c.StaleExtractDays = n
		return nil
	case strings.HasPrefix(k, "target."):
		name := strings.TrimPrefix(k, "target.")
		g, a, ok := strings.Cut(v, ",")
		gv, ok1 := percent(strings.TrimSpace(g))
		av, ok2 := percent(strings.TrimSpace(a))
		if !ok || !ok1 || !ok2 || av > gv {
			return fmt.Errorf("expected green and amber percentages, as target.%s = 95, 85", name)
		}
		for i := range c.Targets {
			if c.Targets[i].Key == name {
				c.Targets[i].Green, c.Targets[i].Amber = gv/100, av/100
				return nil
			}
		}
		return fmt.Errorf("no headline figure is called %q", name)
	}
	for i := range c.Timescales {
		if c.Timescales[i].Key == k {
			n, err := strconv.Atoi(v)
			if err != nil || n < 0 || n > 3650 {
				return fmt.Errorf("expected a whole number of %s from 0 to 3650", c.Timescales[i].Unit)
			}
			c.Timescales[i].Value = n
			return nil
		}
	}
	return fmt.Errorf("unknown setting (see lacaudit.conf.example for the keys)")
}

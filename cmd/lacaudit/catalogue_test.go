package main

import (
	"os"
	"path/filepath"
	"testing"
)

// The annual report's labels state the timescales in force, read from the
// rule catalogue and the configuration, not the defaults.
func TestAnnualLabelsShowTheTimescalesInForce(t *testing.T) {
	conf := filepath.Join(t.TempDir(), "lacaudit.conf")
	if err := os.WriteFile(conf, []byte("initial_review_working_days = 15\nsecond_review_days = 90\n"+
		"disruption_meeting_days = 30\nqa_resolution_working_days = 7\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	s := annualReport(t, "--config", conf)
	for _, c := range []struct{ sheet, label string }{
		{"Timeliness", "Initial reviews (15 working days)"},
		{"Timeliness", "Second reviews (90 days)"},
		{"Timeliness", "Subsequent reviews (183 days)"},
		{"Care planning", "Placement breakdowns in the year followed by a disruption meeting within 30 days"},
		{"Escalations", "Resolved within 7 working days of being raised"},
	} {
		row(t, s[c.sheet], c.label)
	}
}

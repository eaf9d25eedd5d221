package audit

import (
	"fmt"
	"io"
	"io/fs"
	"regexp"
	"sort"
	"strings"

	"github.com/lacaudit/lacaudit/config"
)

// Family groups rules the way the workbook's exception sheets do.
type Family string

// The rule families, in workbook order.
const (
	Reviews     Family = "Reviews"
	AfterReview Family = "After-review records"
	Plans       Family = "Plans and education"
	Placements  Family = "Placements and disruption"
	HealthVisit Family = "Health and visits"
	Allocation  Family = "Allocation"
)

// Families lists the families in workbook order.
var Families = []Family{Reviews, AfterReview, Plans, Placements, HealthVisit, Allocation}

// Need is data a rule cannot be assessed without: a table, or a column of it.
type Need struct {
	Table  string
	Column string // empty: the table alone
}

func (n Need) String() string {
	if n.Column == "" {
		return n.Table
	}
	return n.Table + "." + n.Column
}

// Chain is the review chain a review-timeliness rule belongs to
// (docs/RULES.md §3); other rules belong to none.
type Chain string

// The review chains.
const (
	NoChain     Chain = ""
	LookedAfter Chain = "looked-after" // §3.1: from the start of the period of care
	Adoption    Chain = "adoption"     // §3.4: from the start of a placement for adoption
)

// Rule is one entry of the rule catalogue: everything else that names a
// rule (the rule_id type of the SQL, the rule_coverage table the reports
// select from, lacaudit rules, docs/RULES.md's table, the `-- rule:`
// headers of the SQL) is derived from it or tested against it
// (catalogue_test.go).
type Rule struct {
	ID     string
	Family Family
	// Chain is the review chain of a review-timeliness rule.
	Chain Chain
	// Snapshot rules have one row per child looked after on the as-of date
	// (docs/RULES.md §4.7).
	Snapshot bool
	// Name is what the reports call one obligation of the rule (the
	// Action list's "Review" column, the annual report's rows).
	Name    string
	Title   string // what is checked, in a manager's words
	Section string // docs/RULES.md section
	// Timescale is the key of the configured timescale the rule is due by,
	// if one is (its value and unit are TimescaleText's).
	Timescale string
	// Due says when it is due, with {key} standing for a timescale's value.
	Due   string
	Needs []Need
	// Partial are needs without which only the planning rows are produced
	// (the rule is assessed for upcoming reviews but not for held ones).
	Partial []Need
	// Switch is a configuration key that turns the rule off when 0.
	Switch string
}

// Catalogue is every rule of docs/RULES.md in report order.
var Catalogue = []Rule{
	{ID: "REV_INITIAL", Family: Reviews, Chain: LookedAfter, Section: "3.1", Name: "Initial review", Title: "Initial review held in time",
		Timescale: "initial_review_working_days", Due: "{initial_review_working_days} working days after the period of care starts"},
	{ID: "REV_SECOND", Family: Reviews, Chain: LookedAfter, Section: "3.1", Name: "Second review", Title: "Second review held in time",
		Timescale: "second_review_days", Due: "{second_review_days} days after the first review"},
	{ID: "REV_SUBSEQUENT", Family: Reviews, Chain: LookedAfter, Section: "3.1", Name: "Subsequent review", Title: "Later reviews held in time",
		Timescale: "subsequent_review_days", Due: "{subsequent_review_days} days after the previous review"},
	{ID: "REV_ADOPT_FIRST", Family: Reviews, Chain: Adoption, Section: "3.4", Name: "First adoption review", Title: "First adoption review held in time",
		Timescale: "adoption_first_review_days", Due: "{adoption_first_review_days} days after placement for adoption"},
	{ID: "REV_ADOPT_SECOND", Family: Reviews, Chain: Adoption, Section: "3.4", Name: "Second adoption review", Title: "Second adoption review held in time",
		Timescale: "adoption_second_review_days", Due: "{adoption_second_review_days} days after the first adoption review"},
	{ID: "REV_ADOPT_SUBSEQUENT", Family: Reviews, Chain: Adoption, Section: "3.4", Name: "Adoption review", Title: "Later adoption reviews held in time",
		Timescale: "adoption_subsequent_review_days", Due: "{adoption_subsequent_review_days} days after the previous review"},
	{ID: "PREP_CONSULTATION", Family: Reviews, Section: "3.5", Name: "Consultation", Title: "Child consulted about the review",
		Timescale: "consultation_working_days_before", Due: "{consultation_working_days_before} working days before the review",
		Partial: []Need{{"review_details", "CONSULTATION"}}},
	{ID: "PREP_INVITATIONS", Family: Reviews, Section: "3.5", Name: "Invitations", Title: "Invitation list sent",
		Timescale: "invitations_working_days_before", Due: "{invitations_working_days_before} working days before the review",
		Partial: []Need{{"review_details", "INVITES_SENT"}}},
	{ID: "PREP_SW_REPORT", Family: Reviews, Section: "3.5", Name: "Social worker's report", Title: "Social worker's report and care plan on record",
		Due:     "{sw_report_initial_working_days_before} working days before an initial review, {sw_report_working_days_before} before others",
		Partial: []Need{{"review_details", "SW_REPORT"}}},
	{ID: "REC_DECISIONS", Family: AfterReview, Section: "3.6", Name: "Decisions", Title: "IRO's decisions issued",
		Timescale: "decisions_working_days", Due: "{decisions_working_days} working days after the review", Needs: []Need{{"review_details", "DECISIONS_ISSUED"}}},
	{ID: "REC_CARE_PLAN", Family: AfterReview, Section: "3.6", Name: "Care plan", Title: "Care plan updated",
		Timescale: "care_plan_working_days", Due: "{care_plan_working_days} working days after the review", Needs: []Need{{"review_details", "CARE_PLAN_UPDATED"}}},
	{ID: "REC_FULL_RECORD", Family: AfterReview, Section: "3.6", Name: "Full record", Title: "Full written record completed",
		Timescale: "full_record_working_days", Due: "{full_record_working_days} working days after the review", Needs: []Need{{"review_details", "RECORD_COMPLETED"}}},
	{ID: "REC_DISTRIBUTED", Family: AfterReview, Section: "3.6", Name: "Record distributed", Title: "Record sent to all relevant parties",
		Timescale: "distribution_working_days", Due: "{distribution_working_days} working days after the review", Needs: []Need{{"review_details", "RECORD_DISTRIBUTED"}}},
	{ID: "REV_SW_PRESENT", Family: AfterReview, Section: "3.6", Name: "Social worker present", Title: "A social worker attended the review",
		Due: "at the review", Needs: []Need{{"review_details", "SW_PRESENT"}}},
	{ID: "REV_ADJOURNMENT", Family: AfterReview, Section: "3.6", Name: "Adjournment", Title: "Adjourned at most once, by at most the limit",
		Timescale: "adjournment_max_working_days", Due: "at most one adjournment, to at most {adjournment_max_working_days} working days later",
		Needs: []Need{{"review_details", "ADJOURNMENTS"}}},
	{ID: "REV_PARTICIPATION", Family: AfterReview, Section: "3.6", Name: "Participation", Title: "Child's participation recorded (PN0-PN7)",
		Due: "at the review", Needs: []Need{{"reviews", "REVIEW_CODE"}}},
	{ID: "LTF_ANNUAL_MEETING", Family: AfterReview, Snapshot: true, Section: "3.6", Name: "Long-term foster meeting", Title: "Long-term foster placement: a review meeting each year",
		Timescale: "ltf_meeting_days", Due: "{ltf_meeting_days} days after the last review meeting",
		Needs: []Need{{"review_details", "LONG_TERM_FOSTER"}, {"review_details", "MEETING_HELD"}}},
	{ID: "PEP_CURRENT", Family: Plans, Snapshot: true, Section: "4.1", Name: "PEP", Title: "School-age child has a current PEP",
		Timescale: "pep_days", Due: "{pep_days} days after the last PEP; the first {pep_initial_working_days} working days after care starts",
		Needs: []Need{{"peps", ""}}},
	{ID: "PERM_BY_SECOND", Family: Plans, Section: "4.2", Name: "Permanence plan", Title: "Permanence plan by the second review",
		Due: "by the second review", Needs: []Need{{"permanence_plans", ""}}, Switch: "permanence_by_second_review"},
	{ID: "DISRUPTION_MEETING", Family: Placements, Section: "4.3", Name: "Disruption meeting", Title: "Disruption meeting after a placement breakdown",
		Timescale: "disruption_meeting_days", Due: "{disruption_meeting_days} days after the placement ended",
		Needs: []Need{{"disruption_meetings", ""}, {"episodes", "REASON_PLACE_CHANGE"}}},
	{ID: "BREAKDOWNS_NO_DISRUPTION", Family: Placements, Section: "4.3", Name: "Breakdowns without a meeting", Title: "Alert: 2+ breakdowns, one without a disruption meeting",
		Due:   "checked on the as-of date over {breakdown_window_days} days",
		Needs: []Need{{"disruption_meetings", ""}, {"episodes", "REASON_PLACE_CHANGE"}}},
	{ID: "BREAKDOWNS_NO_SENIOR_MANAGER", Family: Placements, Section: "4.3", Name: "Breakdowns without a senior manager", Title: "Alert: 2 breakdowns close together, no senior manager",
		Due:   "breakdowns within {breakdown_pair_days} days of each other, checked over {breakdown_window_days} days",
		Needs: []Need{{"disruption_meetings", "SENIOR_MANAGER"}, {"episodes", "REASON_PLACE_CHANGE"}}},
	{ID: "HEALTH_ASSESSMENT", Family: HealthVisit, Snapshot: true, Section: "4.4", Name: "Health assessment", Title: "Health assessment in date",
		Due:   "{health_under5_days} days after the last (under 5), {health_days} days (5 and over); the first {health_initial_working_days} working days after care starts",
		Needs: []Need{{"health_assessments", ""}}},
	{ID: "VISIT_STATUTORY", Family: HealthVisit, Snapshot: true, Section: "4.5", Name: "Statutory visit", Title: "Statutory visit in the current placement",
		Timescale: "visit_days", Due: "{visit_first_days} days after the placement starts, then {visit_days} days after the last visit",
		Needs: []Need{{"visits", ""}}},
	{ID: "VISIT_BEDROOM_SEEN", Family: HealthVisit, Snapshot: true, Section: "4.5", Name: "Sleeping arrangements seen", Title: "Sleeping arrangements seen",
		Timescale: "bedroom_days", Due: "{bedroom_first_days} days after the placement starts, then {bedroom_days} days after last seen",
		Needs: []Need{{"visits", "BEDROOM_SEEN"}}},
	{ID: "NO_ALLOCATED_SW", Family: Allocation, Snapshot: true, Section: "4.6", Name: "Social worker allocated", Title: "Social worker allocated",
		Due: "on the as-of date", Needs: []Need{{"allocations", ""}}},
	{ID: "NO_ALLOCATED_IRO", Family: Allocation, Snapshot: true, Section: "4.6", Name: "IRO allocated", Title: "IRO allocated",
		Due: "on the as-of date", Needs: []Need{{"allocations", ""}}},
}

// InChain returns the rules of the chains given, in catalogue order.
func InChain(chains ...Chain) []Rule {
	var out []Rule
	for _, r := range Catalogue {
		for _, c := range chains {
			if r.Chain == c && c != NoChain {
				out = append(out, r)
			}
		}
	}
	return out
}

// Lookup returns the catalogue entry for id.
func Lookup(id string) (Rule, bool) {
	for _, r := range Catalogue {
		if r.ID == id {
			return r, true
		}
	}
	return Rule{}, false
}

// DueText is the rule's due date in words with the configuration's values.
func (r Rule) DueText(cfg *config.Config) string {
	s := r.Due
	for _, t := range cfg.Timescales {
		s = strings.ReplaceAll(s, "{"+t.Key+"}", fmt.Sprint(t.Value))
	}
	return s
}

// TimescaleText is the rule's timescale with the configuration's value and
// unit ("20 working days", "91 days"), empty for a rule that has none.
func (r Rule) TimescaleText(cfg *config.Config) string {
	for _, t := range cfg.Timescales {
		if t.Key == r.Timescale && r.Timescale != "" {
			return fmt.Sprintf("%d %s", t.Value, t.Unit)
		}
	}
	return ""
}

// Header is a `-- rule: ID` line of a rule SQL file: it heads the statement
// that adds the rule's obligations (as sqlc names its queries).
type Header struct {
	Rule string
	File string // audit/sql/NN_name.sql
	Line int
}

var (
	headerLine = regexp.MustCompile(`^-- rule: ([A-Z_]+)\s*$`)
	insertLine = regexp.MustCompile(`^INSERT INTO obligations\b`)
)

// SQLHeaders reads the `-- rule:` headers of the embedded rule SQL files.
// Each heads, directly or over further comment lines, a statement that
// begins INSERT INTO obligations, and every such statement has one; a file
// that breaks this is an error naming its line.
func SQLHeaders() ([]Header, error) {
	names, err := fs.Glob(sqlFiles, "sql/*.sql")
	if err != nil {
		return nil, err
	}
	sort.Strings(names)
	var out []Header
	for _, name := range names {
		b, err := sqlFiles.ReadFile(name)
		if err != nil {
			return nil, err
		}
		file := "audit/" + name
		var pending []Header
		for i, line := range strings.Split(string(b), "\n") {
			switch m := headerLine.FindStringSubmatch(line); {
			case m != nil:
				pending = append(pending, Header{Rule: m[1], File: file, Line: i + 1})
			case strings.HasPrefix(line, "--") && len(pending) > 0:
				// a comment between the headers and their statement
			case insertLine.MatchString(line):
				if len(pending) == 0 {
					return nil, fmt.Errorf("%s:%d: INSERT INTO obligations without a -- rule: header", file, i+1)
				}
				out, pending = append(out, pending...), nil
			case len(pending) > 0:
				return nil, fmt.Errorf("%s:%d: -- rule: %s heads no INSERT INTO obligations", file, pending[0].Line, pending[0].Rule)
			}
		}
		if len(pending) > 0 {
			return nil, fmt.Errorf("%s:%d: -- rule: %s heads no INSERT INTO obligations", file, pending[0].Line, pending[0].Rule)
		}
	}
	return out, nil
}

// sqlFileOf maps each rule id to the file whose statement adds its rows.
func sqlFileOf() map[string]string {
	hs, err := SQLHeaders()
	if err != nil {
		return nil // catalogue_test.go fails on it
	}
	out := map[string]string{}
	for _, h := range hs {
		out[h.Rule] = h.File
	}
	return out
}

// PrintCatalogue writes the catalogue with the timescales in force.
func PrintCatalogue(w io.Writer, cfg *config.Config) {
	src := "the defaults of docs/RULES.md"
	if cfg.Source != "" {
		src = cfg.Source
	}
	fmt.Fprintf(w, "lacaudit rules (timescales from %s)\n", src)
	files := sqlFileOf()
	for _, f := range Families {
		fmt.Fprintf(w, "\n%s\n", f)
		for _, r := range Catalogue {
			if r.Family != f {
				continue
			}
			fmt.Fprintf(w, "  %-29s %s\n  %-29s due: %s\n", r.ID, r.Title, "", r.DueText(cfg))
			if r.Chain != NoChain {
				fmt.Fprintf(w, "  %-29s chain: %s\n", "", r.Chain)
			}
			var needs []string
			for _, n := range r.Needs {
				needs = append(needs, n.String())
			}
			if len(needs) > 0 {
				fmt.Fprintf(w, "  %-29s needs: %s\n", "", strings.Join(needs, ", "))
			}
			fmt.Fprintf(w, "  %-29s defined: docs/RULES.md §%s; sql: %s\n", "", r.Section, files[r.ID])
		}
	}
	fmt.Fprintf(w, "\nPlacement breakdown reasons: %s\n", strings.Join(cfg.BreakdownReasons, ", "))
	if len(cfg.Closures) > 0 {
		fmt.Fprintln(w, "Extra closure days:")
		for _, c := range cfg.Closures {
			fmt.Fprintf(w, "  %s %s\n", c.Date.Format("2006-01-02"), c.Name)
		}
	}
	fmt.Fprintf(w, "Rejected rows allowed per table: %.1f %%\n", 100*cfg.RejectThreshold)
	fmt.Fprintf(w, "Fall in a table's rows or the children looked after allowed against the last successful run: %.1f %%\n", 100*cfg.DropThreshold)
	fmt.Fprintf(w, "Days the newest record may be before the as-of date before the extract is said to be out of date: %d\n", cfg.StaleExtractDays)
}

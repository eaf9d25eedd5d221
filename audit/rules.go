package audit

import (
	"fmt"
	"io"
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

// Rule is one entry of the catalogue of RULES.md.
type Rule struct {
	ID      string
	Family  Family
	Title   string // what is checked, in a manager's words
	Section string // RULES.md section
	// Due says when it is due, with {key} standing for a timescale's value.
	Due   string
	Needs []Need
	// Partial are needs without which only the planning rows are produced
	// (the rule is assessed for upcoming reviews but not for held ones).
	Partial []Need
	// Switch is a configuration key that turns the rule off when 0.
	Switch string
}

// Catalogue is every rule of RULES.md in report order.
var Catalogue = []Rule{
	{ID: "REV_INITIAL", Family: Reviews, Section: "3", Title: "Initial review held in time",
		Due: "{initial_review_working_days} working days after the period of care starts"},
	{ID: "REV_SECOND", Family: Reviews, Section: "3", Title: "Second review held in time",
		Due: "{second_review_days} days after the first review"},
	{ID: "REV_SUBSEQUENT", Family: Reviews, Section: "3", Title: "Later reviews held in time",
		Due: "{subsequent_review_days} days after the previous review"},
	{ID: "REV_ADOPT_FIRST", Family: Reviews, Section: "3.4", Title: "First adoption review held in time",
		Due: "{adoption_first_review_days} days after placement for adoption"},
	{ID: "REV_ADOPT_SECOND", Family: Reviews, Section: "3.4", Title: "Second adoption review held in time",
		Due: "{adoption_second_review_days} days after the first adoption review"},
	{ID: "REV_ADOPT_SUBSEQUENT", Family: Reviews, Section: "3.4", Title: "Later adoption reviews held in time",
		Due: "{adoption_subsequent_review_days} days after the previous review"},
	{ID: "PREP_CONSULTATION", Family: Reviews, Section: "3.5", Title: "Child consulted about the review",
		Due: "{consultation_working_days_before} working days before the review", Partial: []Need{{"review_details", "CONSULTATION"}}},
	{ID: "PREP_INVITATIONS", Family: Reviews, Section: "3.5", Title: "Invitation list sent",
		Due: "{invitations_working_days_before} working days before the review", Partial: []Need{{"review_details", "INVITES_SENT"}}},
	{ID: "PREP_SW_REPORT", Family: Reviews, Section: "3.5", Title: "Social worker's report and care plan on record",
		Due:     "{sw_report_initial_working_days_before} working days before an initial review, {sw_report_working_days_before} before others",
		Partial: []Need{{"review_details", "SW_REPORT"}}},
	{ID: "REC_DECISIONS", Family: AfterReview, Section: "3.6", Title: "IRO's decisions issued",
		Due: "{decisions_working_days} working days after the review", Needs: []Need{{"review_details", "DECISIONS_ISSUED"}}},
	{ID: "REC_CARE_PLAN", Family: AfterReview, Section: "3.6", Title: "Care plan updated",
		Due: "{care_plan_working_days} working days after the review", Needs: []Need{{"review_details", "CARE_PLAN_UPDATED"}}},
	{ID: "REC_FULL_RECORD", Family: AfterReview, Section: "3.6", Title: "Full written record completed",
		Due: "{full_record_working_days} working days after the review", Needs: []Need{{"review_details", "RECORD_COMPLETED"}}},
	{ID: "REC_DISTRIBUTED", Family: AfterReview, Section: "3.6", Title: "Record sent to all relevant parties",
		Due: "{distribution_working_days} working days after the review", Needs: []Need{{"review_details", "RECORD_DISTRIBUTED"}}},
	{ID: "REV_SW_PRESENT", Family: AfterReview, Section: "3.6", Title: "A social worker attended the review",
		Due: "at the review", Needs: []Need{{"review_details", "SW_PRESENT"}}},
	{ID: "REV_ADJOURNMENT", Family: AfterReview, Section: "3.6", Title: "Adjourned at most once, by at most the limit",
		Due: "at most one adjournment, to at most {adjournment_max_working_days} working days later", Needs: []Need{{"review_details", "ADJOURNMENTS"}}},
	{ID: "REV_PARTICIPATION", Family: AfterReview, Section: "3.6", Title: "Child's participation recorded (PN0-PN7)",
		Due: "at the review", Needs: []Need{{"reviews", "REVIEW_CODE"}}},
	{ID: "LTF_ANNUAL_MEETING", Family: AfterReview, Section: "3.6", Title: "Long-term foster placement: a review meeting each year",
		Due: "{ltf_meeting_days} days after the last review meeting", Needs: []Need{{"review_details", "LONG_TERM_FOSTER"}, {"review_details", "MEETING_HELD"}}},
	{ID: "PEP_CURRENT", Family: Plans, Section: "4", Title: "School-age child has a current PEP",
		Due: "{pep_days} days after the last PEP; the first {pep_initial_working_days} working days after care starts", Needs: []Need{{"peps", ""}}},
	{ID: "PERM_BY_SECOND", Family: Plans, Section: "4", Title: "Permanence plan by the second review",
		Due: "by the second review", Needs: []Need{{"permanence_plans", ""}}, Switch: "permanence_by_second_review"},
	{ID: "DISRUPTION_MEETING", Family: Placements, Section: "4", Title: "Disruption meeting after a placement breakdown",
		Due:   "{disruption_meeting_days} days after the placement ended",
		Needs: []Need{{"disruption_meetings", ""}, {"episodes", "REASON_PLACE_CHANGE"}}},
	{ID: "BREAKDOWNS_NO_DISRUPTION", Family: Placements, Section: "4", Title: "Alert: 2+ breakdowns, one without a disruption meeting",
		Due:   "checked on the as-of date over {breakdown_window_days} days",
		Needs: []Need{{"disruption_meetings", ""}, {"episodes", "REASON_PLACE_CHANGE"}}},
	{ID: "BREAKDOWNS_NO_SENIOR_MANAGER", Family: Placements, Section: "4", Title: "Alert: 2 breakdowns close together, no senior manager",
		Due:   "breakdowns within {breakdown_pair_days} days of each other, checked over {breakdown_window_days} days",
		Needs: []Need{{"disruption_meetings", "SENIOR_MANAGER"}, {"episodes", "REASON_PLACE_CHANGE"}}},
	{ID: "HEALTH_ASSESSMENT", Family: HealthVisit, Section: "4", Title: "Health assessment in date",
		Due:   "{health_under5_days} days after the last (under 5), {health_days} days (5 and over); the first {health_initial_working_days} working days after care starts",
		Needs: []Need{{"health_assessments", ""}}},
	{ID: "VISIT_STATUTORY", Family: HealthVisit, Section: "4", Title: "Statutory visit in the current placement",
		Due: "{visit_first_days} days after the placement starts, then {visit_days} days after the last visit", Needs: []Need{{"visits", ""}}},
	{ID: "VISIT_BEDROOM_SEEN", Family: HealthVisit, Section: "4", Title: "Sleeping arrangements seen",
		Due: "{bedroom_first_days} days after the placement starts, then {bedroom_days} days after last seen", Needs: []Need{{"visits", "BEDROOM_SEEN"}}},
	{ID: "NO_ALLOCATED_SW", Family: Allocation, Section: "4", Title: "Social worker allocated",
		Due: "on the as-of date", Needs: []Need{{"allocations", ""}}},
	{ID: "NO_ALLOCATED_IRO", Family: Allocation, Section: "4", Title: "IRO allocated",
		Due: "on the as-of date", Needs: []Need{{"allocations", ""}}},
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

// PrintCatalogue writes the catalogue with the timescales in force.
func PrintCatalogue(w io.Writer, cfg *config.Config) {
	src := "RULES.md defaults"
	if cfg.Source != "" {
		src = cfg.Source
	}
	fmt.Fprintf(w, "lacaudit rules (timescales from %s)\n", src)
	for _, f := range Families {
		fmt.Fprintf(w, "\n%s\n", f)
		for _, r := range Catalogue {
			if r.Family != f {
				continue
			}
			fmt.Fprintf(w, "  %-29s %s\n  %-29s due: %s\n", r.ID, r.Title, "", r.DueText(cfg))
			var needs []string
			for _, n := range r.Needs {
				needs = append(needs, n.String())
			}
			if len(needs) > 0 {
				fmt.Fprintf(w, "  %-29s needs: %s\n", "", strings.Join(needs, ", "))
			}
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
}

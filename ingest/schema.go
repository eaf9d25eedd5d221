package ingest

import "strings"

// Kind is how a column's text is read.
type Kind int

const (
	// Text is kept as trimmed text (identifiers, names).
	Text Kind = iota
	// Code is trimmed and upper-cased (903 codes, roles, flags of kind).
	Code
	// Date is dd/mm/yyyy, yyyy-mm-dd or an XLSX date cell.
	Date
	// Flag is Y/N, Yes/No, 1/0 or TRUE/FALSE in any case.
	Flag
	// Int is a whole number.
	Int
)

// String names the kind as it appears in messages.
func (k Kind) String() string {
	switch k {
	case Code:
		return "code"
	case Date:
		return "date"
	case Flag:
		return "flag"
	case Int:
		return "whole number"
	}
	return "text"
}

// Column is one column of an input table.
type Column struct {
	Name string // the name in the extract, upper case as the 903 spells it
	Kind Kind
	// Required columns must be present in the file's header.
	Required bool
	// NotNull values must be present on every row; an empty one rejects the row.
	NotNull bool
	// Allowed, when set, lists the only values a Code column may take.
	Allowed []string
	// Expected, when set, lists the values a Code column should take: any
	// other is a warning naming file and line, and the row is used.
	Expected []string
	// Pattern, when set, is a regular expression a Code column's whole value
	// must match (the LA column's three-digit DfE code); PatternText says it
	// in the reject's reason. Any other value rejects the row.
	Pattern, PatternText string
}

// SQLName is the column's name in the database (lower case), quoted for SQL.
func (c Column) SQLName() string { return `"` + strings.ToLower(c.Name) + `"` }

// Table is one table of the input contract (DATA.md).
type Table struct {
	Name    string
	Core    bool // one of the three SSDA903 tables every run needs
	Columns []Column
}

// Column returns the column named name (any case) and whether it exists.
func (t Table) Column(name string) (Column, bool) {
	for _, c := range t.Columns {
		if strings.EqualFold(c.Name, name) {
			return c, true
		}
	}
	return Column{}, false
}

func req(name string, k Kind) Column {
	return Column{Name: name, Kind: k, Required: true, NotNull: true}
}
func opt(name string, k Kind) Column { return Column{Name: name, Kind: k} }

// laColumn is the optional LA column every table may carry: the DfE's
// three-digit code of the local authority whose record the row is
// (DATA.md, "Several authorities").
func laColumn() Column {
	return Column{Name: "LA", Kind: Code, Pattern: "[0-9]{3}", PatternText: "not a local authority code (expected the DfE's three digits, such as 202)"}
}

// Tables is the input contract of DATA.md: the core SSDA903 tables and the
// optional extension tables, in load order.
var Tables = []Table{
	{Name: "header", Core: true, Columns: []Column{
		req("CHILD", Text), req("DOB", Date), opt("SEX", Code), opt("ETHNIC", Code),
		opt("UPN", Text), opt("MOTHER", Code), opt("MC_DOB", Date), laColumn(),
	}},
	{Name: "episodes", Core: true, Columns: []Column{
		req("CHILD", Text), req("DECOM", Date), req("RNE", Code), req("LS", Code), req("PLACE", Code),
		{Name: "DEC", Kind: Date, Required: true}, {Name: "REC", Kind: Code, Required: true},
		opt("REASON_PLACE_CHANGE", Code), opt("CIN", Code), opt("PLACE_PROVIDER", Code),
		opt("HOME_POST", Text), opt("PL_POST", Text), opt("URN", Text), laColumn(),
	}},
	{Name: "reviews", Core: true, Columns: []Column{
		req("CHILD", Text), req("REVIEW", Date),
		{Name: "REVIEW_CODE", Kind: Code, Expected: []string{"PN0", "PN1", "PN2", "PN3", "PN4", "PN5", "PN6", "PN7"}},
		opt("DOB", Date), laColumn(),
	}},
	{Name: "peps", Columns: []Column{req("CHILD", Text), req("PEP_DATE", Date), laColumn()}},
	{Name: "permanence_plans", Columns: []Column{
		req("CHILD", Text), req("PLAN_DATE", Date), opt("PLAN_TYPE", Code), laColumn(),
	}},
	{Name: "disruption_meetings", Columns: []Column{
		req("CHILD", Text), req("MEETING_DATE", Date), opt("SENIOR_MANAGER", Flag), laColumn(),
	}},
	{Name: "health_assessments", Columns: []Column{
		req("CHILD", Text), req("ASSESSMENT_DATE", Date), opt("ASSESSMENT_TYPE", Code), laColumn(),
	}},
	{Name: "visits", Columns: []Column{
		req("CHILD", Text), req("VISIT_DATE", Date), opt("CHILD_SEEN", Flag), opt("BEDROOM_SEEN", Flag), laColumn(),
	}},
	{Name: "allocations", Columns: []Column{
		req("CHILD", Text),
		{Name: "ROLE", Kind: Code, Required: true, NotNull: true, Allowed: []string{"SW", "IRO", "TEAM"}},
		req("WORKER", Text), req("START", Date), opt("END", Date), laColumn(),
	}},
	{Name: "review_details", Columns: []Column{
		req("CHILD", Text), req("REVIEW", Date), opt("MEETING_HELD", Flag), opt("SW_PRESENT", Flag),
		opt("ADJOURNMENTS", Int), opt("ADJOURNED_TO", Date), opt("CONSULTATION", Date),
		opt("INVITES_SENT", Date), opt("SW_REPORT", Date), opt("DECISIONS_ISSUED", Date),
		opt("CARE_PLAN_UPDATED", Date), opt("RECORD_COMPLETED", Date), opt("RECORD_DISTRIBUTED", Date),
		opt("LONG_TERM_FOSTER", Flag), laColumn(),
	}},
	{Name: "qa_alerts", Columns: []Column{
		req("ALERT_ID", Text), req("CHILD", Text), req("RAISED", Date), req("REASON", Text),
		opt("LEVEL", Text), opt("RESOLVED", Date), opt("ESCALATED", Flag), laColumn(),
	}},
}

// Lookup returns the contract table named name (any case).
func Lookup(name string) (Table, bool) {
	for _, t := range Tables {
		if strings.EqualFold(t.Name, name) {
			return t, true
		}
	}
	return Table{}, false
}

// DateColumns lists, per table, the columns that date a record for the
// as-of check (records dated after the as-of date are ignored and warned of).
var DateColumns = map[string]string{
	"episodes": "DECOM", "reviews": "REVIEW", "peps": "PEP_DATE", "permanence_plans": "PLAN_DATE",
	"disruption_meetings": "MEETING_DATE", "health_assessments": "ASSESSMENT_DATE", "visits": "VISIT_DATE",
	"allocations": "START", "review_details": "REVIEW", "qa_alerts": "RAISED",
}

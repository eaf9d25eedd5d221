package job

import (
	"bytes"
	"strings"
	"testing"

	"github.com/lacaudit/lacaudit/audit"
	"github.com/lacaudit/lacaudit/ingest"
)

// The line introducing the rules not assessed is printed only when there
// are some: on a complete extract it only raised a doubt.
func TestCheckNotAssessedLineOnlyWhenSome(t *testing.T) {
	const intro = "are not assessed"
	var buf bytes.Buffer
	PrintCheck(&buf, &CheckReport{Load: &ingest.Result{}})
	if strings.Contains(buf.String(), intro) {
		t.Errorf("nothing missing, yet:\n%s", buf.String())
	}
	buf.Reset()
	PrintCheck(&buf, &CheckReport{Load: &ingest.Result{}, NotAssessed: []audit.Coverage{
		{Rule: audit.Rule{ID: "PEP_CURRENT"}, Status: "not assessed", Reason: "table peps is absent"}}})
	if out := buf.String(); !strings.Contains(out, intro) || !strings.Contains(out, "not assessed PEP_CURRENT: table peps is absent") {
		t.Errorf("a rule not assessed:\n%s", out)
	}
}

// A rejected row's reason that holds no value is shown as it is (a bare
// carriage return was "(reason withheld)"), and a reject of a whole line
// names no column (it was "column :"); one that could quote a value is
// still cut to its kind.
func TestCheckPrintsRejectReasons(t *testing.T) {
	var buf bytes.Buffer
	PrintCheck(&buf, &CheckReport{Load: &ingest.Result{}, Rejects: []ingest.RejectRow{
		{Source: "reviews.csv", Line: 5, Reason: "a carriage return inside a value that is not quoted"},
		{Source: "reviews.csv", Line: 6, Reason: "wrong number of fields: expected 4, 6 found"},
		{Source: "reviews.csv", Line: 8, Column: "REVIEW_CODE", Reason: "wrong number of fields: expected 4, 3 found"},
		{Source: "header.csv", Line: 9, Column: "LA", Reason: "not a local authority code (expected the DfE's three digits, such as 202)"},
		{Source: "visits.csv", Line: 3, Column: "CHILD", Reason: "cast: could not convert 'K7001'"},
	}})
	for _, want := range []string{
		"  reviews.csv line 5: a carriage return inside a value that is not quoted\n",
		"  reviews.csv line 6: wrong number of fields: expected 4, 6 found\n",
		"  reviews.csv line 8 column REVIEW_CODE: wrong number of fields: expected 4, 3 found\n",
		"  header.csv line 9 column LA: not a local authority code (expected the DfE's three digits, such as 202)\n",
		"  visits.csv line 3 column CHILD: cast (details withheld)\n",
	} {
		if !strings.Contains(buf.String(), want) {
			t.Errorf("check prints\n%s\nwithout %q", buf.String(), want)
		}
	}
}

// check names the authorities as codes, each with its "LA", so that the
// count is not read as a code of its own ("2, 101, 102").
func TestCheckPrintsAuthoritiesUnambiguously(t *testing.T) {
	for _, c := range []struct {
		codes []string
		want  string
	}{
		{nil, ""},
		{[]string{"101"}, "authority: LA 101\n"},
		{[]string{"101", "102"}, "2 authorities: LA 101, LA 102; a child is the pair (LA, CHILD)\n"},
	} {
		var buf bytes.Buffer
		PrintCheck(&buf, &CheckReport{Load: &ingest.Result{}, Authorities: c.codes})
		got := buf.String()
		if i := strings.Index(got, "\n"); i >= 0 {
			got = got[i+1:] // the table's heading
		}
		if got != c.want {
			t.Errorf("%v: %q, want %q", c.codes, got, c.want)
		}
	}
}

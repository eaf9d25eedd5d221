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

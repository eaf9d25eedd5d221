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

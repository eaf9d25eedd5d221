package pseudonym

import (
	"regexp"
	"strings"

	"github.com/lacaudit/lacaudit/ingest"
)

// The reasons ingest gives for a rejected row that are written by lacaudit
// itself and never quote the input.
var (
	fixedReasons = map[string]bool{
		"required value is empty":                              true,
		"not a date (expected dd/mm/yyyy or yyyy-mm-dd)":       true,
		"not a flag (expected Y/N, Yes/No, 1/0 or TRUE/FALSE)": true,
		"not a whole number":                                   true,
		"a quote character inside a value that is not quoted":  true,
		"a quoted value is never closed":                       true,
		"not valid UTF-8 text":                                 true,
		"line longer than the maximum line size":               true,
		"a carriage return inside a value that is not quoted":  true,
	}
	safeReason = regexp.MustCompile(`^(wrong number of fields: expected [0-9]+, [0-9]+ found|not one of [A-Z0-9_]+(, [A-Z0-9_]+)*)$`)
	reasonKind = regexp.MustCompile(`^[a-z][a-z ]{0,40}$`)
)

// Reason is a rejected row's reason with anything that could quote the
// input withheld: the reasons lacaudit writes itself are kept, and any other
// (a database error passed on, which can carry the value it failed on) is
// cut to the kind of error before its first colon. It is what pseudonymised
// runs store and what logs and the terminal show.
func Reason(r string) string {
	if fixedReasons[r] || patternText(r) || safeReason.MatchString(r) {
		return r
	}
	if kind, _, ok := strings.Cut(r, ":"); ok && reasonKind.MatchString(kind) {
		return kind + " (details withheld)"
	}
	return "(reason withheld)"
}

// patternText says whether r is the reason ingest gives for a value that
// does not match its column's pattern (an LA code that is not three
// digits): lacaudit's own text, which quotes nothing.
func patternText(r string) bool {
	for _, t := range ingest.Tables {
		for _, c := range t.Columns {
			if c.PatternText != "" && c.PatternText == r {
				return true
			}
		}
	}
	return false
}

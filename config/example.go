package config

import (
	"fmt"
	"strconv"
	"strings"
)

// Example renders a commented configuration file with every setting at its
// default: lacaudit.conf.example in the repository is this text (a test
// keeps the two the same).
func Example() string {
	d := Default()
	var b strings.Builder
	b.WriteString(`# lacaudit configuration (pass it with --config FILE).
#
# Every line is "key = value"; lines starting with # are comments. Each
# setting below is shown at its default, which is RULES.md's; remove the #
# to change one. The workbook's Method sheet and "lacaudit rules" show the
# values a run used.

# Timescales
`)
	for _, t := range d.Timescales {
		fmt.Fprintf(&b, "# %s (%s)\n#%s = %d\n", t.Meaning, t.Unit, t.Key, t.Value)
	}
	b.WriteString(`
# REASON_PLACE_CHANGE codes that count as a placement breakdown.
#breakdown_reasons = ` + strings.Join(d.BreakdownReasons, ", ") + `

# Days the authority is closed besides weekends and England and Wales bank
# holidays: one line per day, the date and a name.
#closure = 2026-12-24 Christmas Eve closure
#closure = 2026-12-31 New Year's Eve closure

# Share of a table's rows that may be rejected before the run stops (exit 3).
#reject_threshold_percent = 5

# Fall in a table's rows, or in the children looked after, against the last
# successful run that stops the run as a partial export (exit 3); a run
# with --accept-drop accepts it once.
#drop_threshold_percent = 10

# Most rows each list of the workbook shows (exceptions, action list, rejected
# rows, warnings), most urgent first; the note above a longer list says how
# many more there are and where (findings.csv, rejects.csv, the database).
#workbook_list_rows = ` + strconv.Itoa(d.WorkbookListRows) + `
# Days the newest record of the extract may be older than the as-of date
# before the run warns that the export may have stopped refreshing (in the
# log and at the top of the Summary; the run goes on); 0 never warns.
#stale_extract_days = ` + fmt.Sprint(d.StaleExtractDays) + `

# Workbook targets: green at or above the first percentage, amber at or
# above the second, red below.
`)
	for _, t := range d.Targets {
		fmt.Fprintf(&b, "# %s\n#target.%s = %g, %g\n", t.Meaning, t.Key, 100*t.Green, 100*t.Amber)
	}
	return b.String()
}

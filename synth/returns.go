package synth

import (
	"encoding/csv"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"time"
)

// returnRule says how one table is cut into a collection year's return: a
// row belongs to the year when its record starts (key, a column) on or
// before the year's last day and ends (end, or the last of its other
// dates) on or after its first; an empty end is a record still open.
type returnRule struct {
	key string
	end string // the column that ends a record, empty while it is open ("" when none)
}

var returnRules = map[string]returnRule{
	"episodes":            {key: "DECOM", end: "DEC"},
	"reviews":             {key: "REVIEW"},
	"review_details":      {key: "REVIEW"},
	"peps":                {key: "PEP_DATE"},
	"permanence_plans":    {key: "PLAN_DATE"},
	"disruption_meetings": {key: "MEETING_DATE"},
	"health_assessments":  {key: "ASSESSMENT_DATE"},
	"visits":              {key: "VISIT_DATE"},
	"allocations":         {key: "START", end: "END"},
	"qa_alerts":           {key: "RAISED", end: "RESOLVED"},
}

// laterState are columns that describe how a record ended: blank in a
// return whose year ends before the record does.
var laterState = map[string][]string{"episodes": {"REC"}}

// YearFolder is the folder of the collection year that starts on 1 April
// of start in a sample of returns: "2023-24".
func YearFolder(start int) string { return fmt.Sprintf("%d-%02d", start, (start+1)%100) }

var yearFolderName = regexp.MustCompile(`^[0-9]{4}-[0-9]{2}$`)

// removeYearFolders removes an earlier sample's folders of returns from
// dir (claim has checked it holds a sample), so that a new sample, of
// returns or not, is never read with them.
func removeYearFolders(dir string) error {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return fmt.Errorf("read %s: %w", dir, err)
	}
	for _, e := range entries {
		if e.IsDir() && yearFolderName.MatchString(e.Name()) {
			if err := os.RemoveAll(filepath.Join(dir, e.Name())); err != nil {
				return fmt.Errorf("remove the earlier sample's %s: %w", e.Name(), err)
			}
		}
	}
	return nil
}

// generateReturns writes the history Generate would write, cut into
// o.Returns folders of returns (CutReturns), into dir.
func generateReturns(dir string, o Options) error {
	if o.Format == "xlsx" || len(o.XLSXTables) > 0 {
		return errors.New("a sample of returns is written as CSV files: --returns takes no --format xlsx or --xlsx-tables")
	}
	if err := claim(dir); err != nil {
		return err
	}
	full := filepath.Join(dir, ".full-history")
	if err := os.RemoveAll(full); err != nil {
		return err
	}
	defer os.RemoveAll(full)
	whole := o
	whole.Returns = 0
	if err := Generate(full, whole); err != nil {
		return err
	}
	return CutReturns(full, dir, o.Returns, o.Extract)
}

// CutReturns cuts the extract in full (CSV files, as Generate writes them)
// into n returns in out, one folder per collection year (YearFolder), the
// last the year extract falls in, to the extract date, as the DfE cuts the
// SSDA903: each year's return holds the episodes open at any time in the
// year (with their original start and RNE; an end after the year is left
// blank, with its reason), the header rows of the children with an episode
// in it, and the reviews held in it. The extension tables are cut the same
// way: a record is in every year from its date (DateColumns) to its last
// date, an allocation or alert still open in every year from its start,
// and a date after the year is blank (a record completed on 3 April is in
// that year's return complete, and in the year before's without it),
// except a planned date such as ADJOURNED_TO, which is part of the record.
// Children are told apart by LA and CHILD when the tables have an LA column.
func CutReturns(full, out string, n int, extract time.Time) error {
	if n < 1 {
		return fmt.Errorf("returns must be at least 1, not %d", n)
	}
	ex := fromTime(extract)
	last := extract.Year()
	if extract.Month() < time.April {
		last--
	}
	tables := map[string][][]string{}
	var names []string
	for _, tc := range tableColumns {
		rows, err := readCSVFile(filepath.Join(full, tc.name+".csv"))
		if errors.Is(err, fs.ErrNotExist) {
			continue
		}
		if err != nil {
			return err
		}
		tables[tc.name] = rows
		names = append(names, tc.name)
	}
	for start := last - n + 1; start <= last; start++ {
		from := fromTime(time.Date(start, time.April, 1, 0, 0, 0, 0, time.UTC))
		to := min(fromTime(time.Date(start+1, time.March, 31, 0, 0, 0, 0, time.UTC)), ex)
		folder := filepath.Join(out, YearFolder(start))
		if err := os.MkdirAll(folder, 0o755); err != nil {
			return fmt.Errorf("create %s: %w", folder, err)
		}
		children := map[string]bool{}
		cut := map[string][][]string{}
		for _, name := range names {
			if name == "header" {
				continue
			}
			rows, err := cutTable(name, tables[name], from, to)
			if err != nil {
				return err
			}
			cut[name] = rows
			if name == "episodes" {
				for _, r := range rows[1:] {
					children[childKey(rows[0], r)] = true
				}
			}
		}
		if h := tables["header"]; h != nil {
			rows := [][]string{h[0]}
			for _, r := range h[1:] {
				if children[childKey(h[0], r)] {
					rows = append(rows, r)
				}
			}
			cut["header"] = rows
		}
		for _, name := range names {
			if err := writeCSVFile(filepath.Join(folder, name+".csv"), cut[name]); err != nil {
				return err
			}
		}
	}
	return nil
}

// cutTable returns the header and the rows of one table that belong to the
// year from..to, with dates after it blank.
func cutTable(name string, rows [][]string, from, to day) ([][]string, error) {
	rule, ok := returnRules[name]
	if !ok || len(rows) == 0 {
		return rows, nil
	}
	head := rows[0]
	col := map[string]int{}
	for i, h := range head {
		col[strings.ToUpper(h)] = i
	}
	keyAt, ok := col[rule.key]
	if !ok {
		return nil, fmt.Errorf("%s has no %s column", name, rule.key)
	}
	endAt, hasEnd := col[rule.end]
	out := [][]string{head}
	for _, r := range rows[1:] {
		k, ok := parseDay(r[keyAt])
		if !ok || k > to {
			continue
		}
		// The record's last day: its end, or the last of its dates.
		lastDay := k
		open := false
		for i, v := range r {
			if d, ok := parseDay(v); ok && d > lastDay && !isBirth(head[i]) && !planned[name][strings.ToUpper(head[i])] {
				lastDay = d
			}
		}
		if rule.end != "" && hasEnd && strings.TrimSpace(r[endAt]) == "" {
			open = true
		}
		if !open && lastDay < from {
			continue
		}
		c := append([]string(nil), r...)
		blanked := false
		for i, v := range c {
			if d, ok := parseDay(v); ok && d > to && !isBirth(head[i]) && !planned[name][strings.ToUpper(head[i])] {
				c[i] = ""
				blanked = blanked || (hasEnd && i == endAt)
			}
		}
		if blanked {
			for _, s := range laterState[name] {
				if i, ok := col[s]; ok {
					c[i] = ""
				}
			}
		}
		out = append(out, c)
	}
	return out, nil
}

// planned are the columns of a table that hold a date planned when the
// record was made (a review adjourned to a later day): part of the record
// from its first day, as a real return carries them, so neither blank in
// a year before that date nor a day the record lasts to.
var planned = map[string]map[string]bool{"review_details": {"ADJOURNED_TO": true}}

func isBirth(column string) bool { return strings.HasSuffix(strings.ToUpper(column), "DOB") }

// childKey is a row's child: LA and CHILD when the table has an LA column.
func childKey(head, r []string) string {
	var k []string
	for i, h := range head {
		if u := strings.ToUpper(h); u == "LA" || u == "CHILD" {
			k = append(k, r[i])
		}
	}
	return strings.Join(k, "\x00")
}

// parseDay reads a date as the generator writes it: dd/mm/yyyy or yyyy-mm-dd.
func parseDay(s string) (day, bool) {
	for _, layout := range []string{"02/01/2006", "2006-01-02"} {
		if len(s) == len(layout) {
			if t, err := time.Parse(layout, s); err == nil {
				return fromTime(t), true
			}
		}
	}
	return 0, false
}

func readCSVFile(path string) ([][]string, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	rows, err := csv.NewReader(f).ReadAll()
	if err != nil {
		return nil, fmt.Errorf("read %s: %w", path, err)
	}
	return rows, nil
}

func writeCSVFile(path string, rows [][]string) error {
	f, err := os.OpenFile(path, os.O_CREATE|os.O_WRONLY|os.O_TRUNC, 0o644)
	if err != nil {
		return fmt.Errorf("create %s: %w", path, err)
	}
	w := csv.NewWriter(f)
	w.UseCRLF = true
	if err := w.WriteAll(rows); err != nil {
		f.Close()
		return fmt.Errorf("write %s: %w", path, err)
	}
	return f.Close()
}

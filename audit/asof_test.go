package audit_test

import (
	"encoding/csv"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/lacaudit/lacaudit/ingest"
	"github.com/lacaudit/lacaudit/synth"
)

// keptAfterCut are the date columns that are not a record's date nor the
// date something was done, so cutting an extract at a day keeps them: a
// birth date, and the day a review was adjourned to (known when it was
// adjourned).
var keptAfterCut = map[string]bool{"header.DOB": true, "header.MC_DOB": true, "reviews.DOB": true,
	"review_details.ADJOURNED_TO": true}

// cutAt writes into dst the extract of src as it stood at the end of day d
// (docs/RULES.md §1.4): a record dated after d is removed (ingest.DateColumns
// says which column dates a record), and any other date after d (an episode's
// end, with its reason; an allocation's end; a completion date) is blanked.
func cutAt(t *testing.T, src, dst string, d time.Time) {
	t.Helper()
	names, err := filepath.Glob(filepath.Join(src, "*.csv"))
	if err != nil || len(names) == 0 {
		t.Fatalf("no CSV files in %s: %v", src, err)
	}
	parse := func(s string) (time.Time, bool) {
		for _, layout := range []string{"02/01/2006", time.DateOnly} {
			if x, err := time.Parse(layout, s); err == nil {
				return x, true
			}
		}
		return time.Time{}, false
	}
	for _, name := range names {
		table := strings.TrimSuffix(filepath.Base(name), ".csv")
		f, err := os.Open(name)
		if err != nil {
			t.Fatal(err)
		}
		rows, err := csv.NewReader(f).ReadAll()
		f.Close()
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		head := rows[0]
		col := map[string]int{}
		for i, h := range head {
			col[h] = i
		}
		out := [][]string{head}
		for _, r := range rows[1:] {
			if i, ok := col[ingest.DateColumns[table]]; ok {
				if x, ok := parse(r[i]); ok && x.After(d) {
					continue // a record made after d
				}
			}
			for i, h := range head {
				if keptAfterCut[table+"."+h] {
					continue
				}
				if x, ok := parse(r[i]); ok && x.After(d) {
					r[i] = ""
					if table == "episodes" && h == "DEC" {
						r[col["REC"]] = "" // not known to have ended, nor how
					}
				}
			}
			out = append(out, r)
		}
		w, err := os.Create(filepath.Join(dst, table+".csv"))
		if err != nil {
			t.Fatal(err)
		}
		cw := csv.NewWriter(w)
		if err := cw.WriteAll(out); err != nil {
			t.Fatal(err)
		}
		if err := w.Close(); err != nil {
			t.Fatal(err)
		}
	}
}

// The audit of an extract as of a day D is the audit of the same extract
// cut at D: whatever was recorded after D (a review, a plan, a meeting, the
// date decisions were issued or an episode ended) does not count as of D
// (docs/RULES.md §1.4).
func TestAuditAsOfADayEqualsTheExtractCutAtIt(t *testing.T) {
	if testing.Short() {
		t.Skip("audits a generated extract eight times")
	}
	src := t.TempDir()
	if err := synth.Generate(src, synth.Options{Children: 400, Seed: 17, Extract: time.Date(2025, 9, 30, 0, 0, 0, 0, time.UTC), Years: 6}); err != nil {
		t.Fatal(err)
	}
	for _, day := range []string{"2021-03-31", "2023-02-14", "2024-03-31", "2025-06-27"} {
		d, _ := time.Parse(time.DateOnly, day)
		cut := t.TempDir()
		cutAt(t, src, cut, d)
		whole, _, _ := auditedDir(t, src, day)
		part, _, _ := auditedDir(t, cut, day)
		if len(whole) < 1000 {
			t.Fatalf("as of %s: only %d findings; the extract tests too little", day, len(whole))
		}
		a, b := lines(whole), lines(part)
		if diff := setDiff(a, b); len(diff) > 0 {
			t.Errorf("as of %s, %d findings of the whole extract (of %d) are not those of the extract cut at that day; the first:\n%s",
				day, len(diff), len(a), strings.Join(diff[:min(len(diff), 12)], "\n"))
		}
	}
}

func lines(fs []finding) []string {
	out := make([]string, len(fs))
	for i, f := range fs {
		out[i] = fmt.Sprintf("%+v", f)
	}
	sort.Strings(out)
	return out
}

// setDiff lists the lines only in a ("-") or only in b ("+"), both sorted.
func setDiff(a, b []string) []string {
	var out []string
	i, j := 0, 0
	for i < len(a) || j < len(b) {
		switch {
		case j == len(b) || (i < len(a) && a[i] < b[j]):
			out = append(out, "- "+a[i])
			i++
		case i == len(a) || b[j] < a[i]:
			out = append(out, "+ "+b[j])
			j++
		default:
			i++
			j++
		}
	}
	return out
}

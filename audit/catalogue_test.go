package audit_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"sort"
	"strings"
	"testing"

	"github.com/lacaudit/lacaudit/audit"
	"github.com/lacaudit/lacaudit/config"
)

// catalogueRow is the row of docs/RULES.md §8's table that the catalogue
// entry r, whose statement is in file, must have.
func catalogueRow(r audit.Rule, file string) string {
	var needs []string
	for _, n := range r.Needs {
		needs = append(needs, n.String())
	}
	for _, n := range r.Partial {
		needs = append(needs, n.String()+" (held reviews)")
	}
	if len(needs) == 0 {
		needs = []string{"the core tables"}
	}
	chain, snapshot := string(r.Chain), "-"
	if chain == "" {
		chain = "-"
	}
	if r.Snapshot {
		snapshot = "yes"
	}
	return fmt.Sprintf("| `%s` | %s | %s | %s | %s | [%s](../%s) | %s |", r.ID, r.Family, chain, snapshot, r.Section,
		strings.TrimPrefix(file, "audit/sql/"), file, strings.Join(needs, ", "))
}

func readRulesDoc(t *testing.T) string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("..", "docs", "RULES.md"))
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// The catalogue, the `-- rule:` headers of the SQL, the rule_id type and the
// table of docs/RULES.md name the same rules, each once, with the same file,
// family, chain, section and data.
func TestCatalogueSQLHeadersAndDocsAgree(t *testing.T) {
	var ids []string
	seen := map[string]bool{}
	for _, r := range audit.Catalogue {
		if seen[r.ID] {
			t.Errorf("%s is in the catalogue twice", r.ID)
		}
		seen[r.ID] = true
		ids = append(ids, r.ID)
		if !slices.Contains(audit.Families, r.Family) {
			t.Errorf("%s: family %q is not one of the workbook's", r.ID, r.Family)
		}
	}
	// Each rule's rows come from one statement headed `-- rule: ID`.
	hs, err := audit.SQLHeaders()
	if err != nil {
		t.Fatal(err)
	}
	file := map[string]string{}
	for _, h := range hs {
		if !seen[h.Rule] {
			t.Errorf("%s:%d: -- rule: %s is not in the catalogue", h.File, h.Line, h.Rule)
		}
		if f, ok := file[h.Rule]; ok {
			t.Errorf("%s:%d: -- rule: %s heads a second statement (the first is in %s)", h.File, h.Line, h.Rule, f)
		}
		file[h.Rule] = h.File
	}
	for _, id := range ids {
		if file[id] == "" {
			t.Errorf("%s has no -- rule: header in audit/sql", id)
		}
	}
	// The rule_id type is the catalogue, in alphabetical order.
	_, _, db := audited(t, extract{ // a core table may not be empty
		"header":   {hHeader, "A,01/01/2015"},
		"episodes": {hEpisodes, "A,01/06/2023,S,C2,U3,,,"},
		"reviews":  {hReviews, "A,01/07/2023,PN1"},
	}, "2024-01-01")
	var enum []string
	rows, err := db.QueryContext(context.Background(), "SELECT unnest(enum_range(NULL::rule_id))")
	if err != nil {
		t.Fatal(err)
	}
	for rows.Next() {
		var s string
		if err := rows.Scan(&s); err != nil {
			t.Fatal(err)
		}
		enum = append(enum, s)
	}
	rows.Close()
	sorted := slices.Clone(ids)
	sort.Strings(sorted)
	if !slices.Equal(enum, sorted) {
		t.Errorf("rule_id is %v, want the catalogue's ids sorted: %v", enum, sorted)
	}
	// docs/RULES.md §8 has one row per rule, saying what the catalogue says.
	doc := readRulesDoc(t)
	docRows := map[string]string{}
	_, sec8, ok := strings.Cut(doc, "\n## 8. ")
	if !ok {
		t.Fatal("docs/RULES.md has no section 8")
	}
	sec8, _, _ = strings.Cut(sec8, "\n## ")
	for _, line := range strings.Split(sec8, "\n") {
		if m := regexp.MustCompile("^\\| `([A-Z_]+)` \\|").FindStringSubmatch(line); m != nil {
			if _, dup := docRows[m[1]]; dup {
				t.Errorf("docs/RULES.md: %s has two rows", m[1])
			}
			docRows[m[1]] = strings.TrimSpace(line)
		}
	}
	var want []string
	for _, r := range audit.Catalogue {
		row := catalogueRow(r, file[r.ID])
		want = append(want, row)
		if docRows[r.ID] != row {
			t.Errorf("docs/RULES.md's row for %s is\n  %s\nwant\n  %s", r.ID, docRows[r.ID], row)
		}
		delete(docRows, r.ID)
	}
	for id := range docRows {
		t.Errorf("docs/RULES.md has a row for %s, which is not in the catalogue", id)
	}
	if t.Failed() {
		t.Logf("the catalogue's table:\n%s", strings.Join(want, "\n"))
	}
}

// Every section the code cites ("RULES.md §3.5") and every catalogue entry's
// section is a heading of docs/RULES.md, and every timescale a rule names is
// one the configuration has.
func TestCitedSectionsAndTimescalesExist(t *testing.T) {
	doc := readRulesDoc(t)
	heading := map[string]bool{}
	for _, m := range regexp.MustCompile(`(?m)^#{2,3} ([0-9]+(?:\.[0-9]+)?)\.? `).FindAllStringSubmatch(doc, -1) {
		heading[m[1]] = true
	}
	cites := regexp.MustCompile(`RULES\.md (?:§|section )([0-9]+(?:\.[0-9]+)?)(?:-([0-9]+))?`)
	err := filepath.WalkDir("..", func(path string, d os.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() && strings.HasPrefix(d.Name(), ".") && path != ".." {
			return filepath.SkipDir
		}
		if ext := filepath.Ext(path); d.IsDir() || (ext != ".go" && ext != ".sql" && ext != ".md") {
			return nil
		}
		b, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		for _, m := range cites.FindAllStringSubmatch(string(b), -1) {
			for _, s := range []string{m[1], m[2]} {
				if s != "" && !heading[s] {
					t.Errorf("%s cites RULES.md §%s, which docs/RULES.md has no heading for", path, s)
				}
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	cfg := config.Default()
	known := map[string]bool{}
	for _, ts := range cfg.Timescales {
		known[ts.Key] = true
	}
	keys := regexp.MustCompile(`\{([a-z0-9_]+)\}`)
	for _, r := range audit.Catalogue {
		if !heading[r.Section] {
			t.Errorf("%s: section %s is not a heading of docs/RULES.md", r.ID, r.Section)
		}
		for _, k := range append(keys.FindAllStringSubmatch(r.Due, -1), []string{"", r.Timescale}, []string{"", r.Switch}) {
			if k[1] != "" && !known[k[1]] {
				t.Errorf("%s names timescale %q, which the configuration does not have", r.ID, k[1])
			}
		}
		if strings.Contains(r.DueText(cfg), "{") {
			t.Errorf("%s: due %q", r.ID, r.DueText(cfg))
		}
	}
}

// lacaudit rules prints each rule with the timescales in force, its chain,
// its section and the SQL file of its statement.
func TestPrintCatalogue(t *testing.T) {
	cfg := config.Default()
	for i := range cfg.Timescales {
		if cfg.Timescales[i].Key == "invitations_working_days_before" {
			cfg.Timescales[i].Value = 12
		}
	}
	var b strings.Builder
	audit.PrintCatalogue(&b, cfg)
	out := b.String()
	for _, want := range []string{
		"PREP_INVITATIONS", "due: 12 working days before the review", "defined: docs/RULES.md §3.5; sql: audit/sql/20_preparation.sql",
		"chain: adoption", "defined: docs/RULES.md §4.2; sql: audit/sql/40_plans.sql",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("lacaudit rules does not print %q:\n%s", want, out)
		}
	}
	if got := len(audit.InChain(audit.LookedAfter)); got != 3 {
		t.Errorf("the looked-after chain has %d rules, want 3", got)
	}
	if got := audit.Catalogue[1].TimescaleText(cfg); got != "91 days" {
		t.Errorf("REV_SECOND's timescale is %q, want 91 days", got)
	}
}

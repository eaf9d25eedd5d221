package audit_test

import (
	"context"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/lacaudit/lacaudit/audit"
)

// workingTable is an a_ name: the audit's working tables and views.
var workingTable = regexp.MustCompile(`(?:^|[^A-Za-z0-9_])(a_[a-z_]+)\b`)

// Reports and job read of the audit only what it publishes: the source of
// both packages (the SQL they embed in Go, and any .sql file) names no a_
// working table.
func TestReportsAndJobReadOnlyWhatTheAuditPublishes(t *testing.T) {
	for _, dir := range []string{"../reports", "../job"} {
		files, err := os.ReadDir(dir)
		if err != nil {
			t.Fatal(err)
		}
		for _, f := range files {
			n := f.Name()
			if strings.HasSuffix(n, "_test.go") || !(strings.HasSuffix(n, ".go") || strings.HasSuffix(n, ".sql")) {
				continue
			}
			b, err := os.ReadFile(filepath.Join(dir, n))
			if err != nil {
				t.Fatal(err)
			}
			for i, line := range strings.Split(string(b), "\n") {
				for _, m := range workingTable.FindAllStringSubmatch(line, -1) {
					t.Errorf("%s:%d reads the audit's working table %s: read a view of audit.Published (audit/sql/write/published.sql) instead", filepath.Join(dir, n), i+1, m[1])
				}
			}
		}
	}
}

// The published views are one list: each name of audit.Published is
// created once in published.sql, which creates no other, and doc.go
// describes each; and each can be read after an audit.
func TestPublishedViewsAreDeclaredDocumentedAndThere(t *testing.T) {
	sqlText, err := os.ReadFile("sql/write/published.sql")
	if err != nil {
		t.Fatal(err)
	}
	var created []string
	for _, m := range regexp.MustCompile(`(?m)^CREATE OR REPLACE TEMP VIEW ([a-z_]+) AS`).FindAllStringSubmatch(string(sqlText), -1) {
		created = append(created, m[1])
	}
	want := slices.Clone(audit.Published)
	slices.Sort(want)
	slices.Sort(created)
	if !slices.Equal(created, want) {
		t.Errorf("published.sql creates %v, audit.Published lists %v", created, want)
	}
	doc, err := os.ReadFile("doc.go")
	if err != nil {
		t.Fatal(err)
	}
	for _, v := range audit.Published {
		if !strings.Contains(string(doc), "//   - "+v+": ") {
			t.Errorf("doc.go does not describe the published view %s", v)
		}
	}
	_, _, db := audited(t, extract{
		"header":   {hHeader, "A,01/01/2015"},
		"episodes": {hEpisodes, "A,01/03/2024,S,C2,U3,,,"},
		"reviews":  {hReviews, "A,20/03/2024,PN1"},
	}, "2024-04-01")
	for _, v := range audit.Published {
		if _, err := db.ExecContext(context.Background(), "SELECT * FROM "+v+" LIMIT 1"); err != nil {
			t.Errorf("published view %s cannot be read after an audit: %v", v, err)
		}
	}
}

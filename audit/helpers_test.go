package audit_test

import (
	"context"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/lacaudit/lacaudit/audit"
	"github.com/lacaudit/lacaudit/config"
	"github.com/lacaudit/lacaudit/ingest"
	"github.com/lacaudit/lacaudit/store"
)

// finding is one row of the findings table, dates as yyyy-mm-dd.
type finding struct {
	Rule, Child, PeriodStart, Due, Done, Status string
	DaysLate                                    int
	Team, SW, IRO                               string
}

// extract is a small hand-built extract: table name to CSV lines, the
// header line first.
type extract map[string][]string

// audited loads ex, audits it as of asOf and returns the findings, the
// coverage and the database (closed by the test's cleanup).
func audited(t *testing.T, ex extract, asOf string) ([]finding, *audit.Result, *store.DB) {
	t.Helper()
	dir := t.TempDir()
	for name, lines := range ex {
		if err := os.WriteFile(filepath.Join(dir, name+".csv"), []byte(strings.Join(lines, "\n")+"\n"), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	return auditedDir(t, dir, asOf)
}

// auditedDir is audited for a folder of extracts.
func auditedDir(t *testing.T, dir, asOf string) ([]finding, *audit.Result, *store.DB) {
	t.Helper()
	ctx := context.Background()
	db, err := store.Open(ctx, "", store.Options{Threads: 1})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	loaded, err := ingest.Load(ctx, db, ingest.Options{Dir: dir, RejectThreshold: 0.5})
	if err != nil {
		t.Fatalf("load: %v", err)
	}
	if _, err := ingest.ResolveAuthorities(ctx, db); err != nil {
		t.Fatalf("authorities: %v", err)
	}
	day, err := time.Parse(time.DateOnly, asOf)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := ingest.Checks(ctx, db, day); err != nil {
		t.Fatalf("checks: %v", err)
	}
	res, err := audit.Run(ctx, db, config.Default(), day, loaded.KnownFrom())
	if err != nil {
		t.Fatalf("audit: %v", err)
	}
	rows, err := db.QueryContext(ctx, `SELECT rule, child, strftime(period_start, '%Y-%m-%d'), coalesce(strftime(due, '%Y-%m-%d'), ''),
		coalesce(strftime(done, '%Y-%m-%d'), ''), status, days_late, coalesce(team, ''), coalesce(social_worker, ''), coalesce(iro, '')
		FROM findings`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var out []finding
	for rows.Next() {
		var f finding
		if err := rows.Scan(&f.Rule, &f.Child, &f.PeriodStart, &f.Due, &f.Done, &f.Status, &f.DaysLate, &f.Team, &f.SW, &f.IRO); err != nil {
			t.Fatal(err)
		}
		out = append(out, f)
	}
	return out, res, db
}

// chain names the review-timeliness rules of both chains (RULES.md §3).
const chain = "chain"

var chainRules = func() map[string]bool {
	out := map[string]bool{}
	for _, r := range audit.InChain(audit.LookedAfter, audit.Adoption) {
		out[r.ID] = true
	}
	return out
}()

// of returns the findings for one rule (or every chain rule) and child, in due order.
func of(fs []finding, rule, child string) []finding {
	var out []finding
	for _, f := range fs {
		if (f.Rule == rule || (rule == chain && chainRules[f.Rule])) && f.Child == child {
			out = append(out, f)
		}
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].Due < out[j].Due })
	return out
}

// want is an expected obligation: rule, due, done, status, days late.
type want struct {
	rule, due, done, status string
	late                    int
}

func expect(t *testing.T, fs []finding, rule, child string, ws ...want) {
	t.Helper()
	got := of(fs, rule, child)
	if len(got) != len(ws) {
		t.Errorf("%s %s: got %d rows %v, want %d %v", rule, child, len(got), got, len(ws), ws)
		return
	}
	for i, w := range ws {
		g := got[i]
		if g.Rule != w.rule || g.Due != w.due || g.Done != w.done || g.Status != w.status || g.DaysLate != w.late {
			t.Errorf("%s %s row %d: got {%s due %s done %q %s late %d}, want {%s due %s done %q %s late %d}",
				rule, child, i+1, g.Rule, g.Due, g.Done, g.Status, g.DaysLate, w.rule, w.due, w.done, w.status, w.late)
		}
	}
}

// Column headers of the tables the tests use.
const (
	hHeader   = "CHILD,DOB"
	hEpisodes = "CHILD,DECOM,RNE,LS,PLACE,DEC,REC,REASON_PLACE_CHANGE"
	hReviews  = "CHILD,REVIEW,REVIEW_CODE"
)

func status(res *audit.Result, rule string) string {
	for _, c := range res.Coverage {
		if c.Rule.ID == rule {
			return c.Status
		}
	}
	return "missing from coverage"
}

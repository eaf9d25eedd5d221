package reports

import (
	"context"
	"fmt"

	"github.com/lacaudit/lacaudit/audit"
	"github.com/lacaudit/lacaudit/ingest"
	"github.com/lacaudit/lacaudit/store"
)

// sharesNote says what the By team and By IRO shares count (counted), and
// whose they are (RULES.md, "Team, social worker and IRO").
const sharesNote = "Per rule family, the share met in timescale of the obligations due in the 12 months to the as-of date (met, late, missed or overdue)," +
	" as the Summary counts them (one met early whose due date is still ahead is not counted yet, one overdue since before the 12 months is on the exception sheets); for PEPs, health, visits and the long-term foster meeting," +
	" each child looked after now whose first one is due or done. Each obligation is the team's or IRO's allocated on its day: the day a review, plan or" +
	" meeting was done (the due date of a missed one), the review's day for what prepares or follows a held review, else the as-of date."

// familyShares is obligations and the share in timescale per group and
// family, as counted says.
func familyShares(ctx context.Context, db *store.DB, group string) (map[string]map[string][2]int64, []string, error) {
	q := fmt.Sprintf(`SELECT coalesce(%s, '(none recorded)') AS g, c.family,
	           count(*) FILTER (WHERE f.status = 'met'), count(*)
	    FROM wf f JOIN rule_coverage c USING (rule)
	    WHERE %s
	    GROUP BY ALL ORDER BY g`, group, counted("f."))
	rows, err := scanAll(ctx, db, q)
	if err != nil {
		return nil, nil, fmt.Errorf("shares by %s: %w", group, err)
	}
	out := map[string]map[string][2]int64{}
	var order []string
	for _, r := range rows {
		g, fam := r[0].(string), r[1].(string)
		if out[g] == nil {
			out[g] = map[string][2]int64{}
			order = append(order, g)
		}
		out[g][fam] = [2]int64{r[2].(int64), r[3].(int64)}
	}
	return out, order, nil
}

func shareRows(groups map[string]map[string][2]int64, order []string, extra map[string][]any) [][]any {
	var rows [][]any
	for _, g := range order {
		row := []any{g}
		row = append(row, extra[g]...)
		for _, fam := range audit.Families {
			v := groups[g][string(fam)]
			if v[1] == 0 {
				row = append(row, nil)
			} else {
				row = append(row, float64(v[0])/float64(v[1]))
			}
			row = append(row, v[1])
		}
		rows = append(rows, row)
	}
	return rows
}

func shareCols(first []col) []col {
	cols := append([]col(nil), first...)
	short := map[audit.Family]string{audit.Reviews: "Reviews and preparation", audit.AfterReview: "After review", audit.Plans: "Plans",
		audit.Placements: "Placements", audit.HealthVisit: "Health & visits", audit.Allocation: "Allocation"}
	for _, fam := range audit.Families {
		cols = append(cols, col{short[fam] + " in timescale", 13, kPct}, col{short[fam] + " obligations", 12, kInt})
	}
	return cols
}

func teamSheet(ctx context.Context, db *store.DB, b *book, in Input, asOf string) error {
	cols := shareCols([]col{{"Team", 26, kText}, {"Children now", 11, kInt}})
	s, err := b.newSheet(SheetByTeam, "By team", "As of "+asOf+". "+sharesNote+" Children looked after now by the team allocated now.", widths(cols), 4)
	if err != nil {
		return err
	}
	a, err := b.authorities(ctx, db)
	if err != nil {
		return err
	}
	shares, order, err := familyShares(ctx, db, perAuthority(a, "f.child", "f.team"))
	if err != nil {
		return err
	}
	caseload, err := childrenNow(ctx, db, a, "TEAM")
	if err != nil {
		return err
	}
	g := &groups{shares: shares, order: order, extra: map[string][]any{}, width: 1}
	g.add(0, caseload)
	if err := s.table("ByTeam", cols, g.rows()); err != nil {
		return err
	}
	if err := s.heading("Social workers' caseloads now"); err != nil {
		return err
	}
	rows, err := scanAll(ctx, db, `SELECT `+perAuthority(a, "c.child", "a.worker")+`, coalesce(arg_max(t.worker, t.start), ''), count(DISTINCT c.child)
		FROM looked_after_now c
		JOIN allocations_now a ON a.child = c.child AND a.role = 'SW' AND a.start <= as_of() AND (a."end" IS NULL OR a."end" >= as_of())
		LEFT JOIN allocations_now t ON t.child = c.child AND t.role = 'TEAM' AND t.start <= as_of() AND (t."end" IS NULL OR t."end" >= as_of())
		WHERE NOT c.short_breaks
		GROUP BY 1 ORDER BY 3 DESC, 1`)
	if err != nil {
		return err
	}
	if err := s.table("Caseloads", []col{{"Social worker", 26, kText}, {"Team", 11, kText}, {"Children allocated", 13, kInt}}, rows); err != nil {
		return err
	}
	return s.flush()
}

func iroSheet(ctx context.Context, db *store.DB, b *book, in Input, asOf string) error {
	cols := shareCols([]col{{"IRO", 26, kText}, {"Children now", 11, kInt}, {"Reviews chaired, 12 months", 13, kInt}})
	s, err := b.newSheet(SheetByIRO, "By IRO", "As of "+asOf+": children allocated now, reviews of both chains held in the last 12 months with the IRO allocated on the day. "+sharesNote, widths(cols), 4)
	if err != nil {
		return err
	}
	a, err := b.authorities(ctx, db)
	if err != nil {
		return err
	}
	shares, order, err := familyShares(ctx, db, perAuthority(a, "f.child", "f.iro"))
	if err != nil {
		return err
	}
	caseload, err := childrenNow(ctx, db, a, "IRO")
	if err != nil {
		return err
	}
	chaired, err := scanAll(ctx, db, `SELECT coalesce(`+perAuthority(a, "child", "iro")+`, '(none recorded)'), count(*) FROM wf
		WHERE rule IN `+chainRules+` AND done IS NOT NULL AND `+inLastYear("done")+` GROUP BY ALL`)
	if err != nil {
		return err
	}
	g := &groups{shares: shares, order: order, extra: map[string][]any{}, width: 2}
	g.add(0, caseload)
	g.add(1, chaired)
	if err := s.table("ByIRO", cols, g.rows()); err != nil {
		return err
	}
	return s.flush()
}

// childrenNow counts the children looked after now by the worker (or team)
// of role allocated on the as-of date.
func childrenNow(ctx context.Context, db *store.DB, a ingest.Authorities, role string) ([][]any, error) {
	return scanAll(ctx, db, `SELECT coalesce(`+perAuthority(a, "c.child", "a.worker")+`, '(none recorded)'), count(DISTINCT c.child)
		FROM looked_after_now c LEFT JOIN allocations_now a ON a.child = c.child AND a.role = ?
		     AND a.start <= as_of() AND (a."end" IS NULL OR a."end" >= as_of())
		WHERE NOT c.short_breaks GROUP BY ALL`, role)
}

// groups are rows of a By team or By IRO table: shares per rule family and
// extra counts (caseloads), for every group that has either.
type groups struct {
	shares map[string]map[string][2]int64
	order  []string
	extra  map[string][]any
	width  int // extra counts per group
}

func (g *groups) ensure(name string) {
	if g.extra[name] == nil {
		g.extra[name] = make([]any, g.width)
		for i := range g.extra[name] {
			g.extra[name][i] = int64(0)
		}
	}
	if g.shares[name] == nil {
		g.shares[name] = map[string][2]int64{}
		g.order = append(g.order, name)
	}
}

// add sets extra count pos from rows of (group, count).
func (g *groups) add(pos int, rows [][]any) {
	for _, r := range rows {
		name := r[0].(string)
		g.ensure(name)
		g.extra[name][pos] = r[1]
	}
}

func (g *groups) rows() [][]any {
	for _, name := range g.order {
		g.ensure(name)
	}
	return shareRows(g.shares, g.order, g.extra)
}

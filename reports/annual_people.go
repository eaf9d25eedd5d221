package reports

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/lacaudit/lacaudit/store"
)

func annualParticipation(ctx context.Context, db *store.DB, b *book, in AnnualInput, sub string) error {
	// The Meaning column fits the longest meaning (PN4's); the chart is
	// beside the tables, in F, and the notes wrap within A to D, so that
	// none runs under it.
	cols := []col{{"Code", 8, kText}, {"Meaning", 104, kText}, {"Reviews", 12, kInt}, {"% of reviews not coded PN0", 16, kPct}}
	s, err := b.newSheet(SheetParticipation, "Children's participation in their reviews", sub, append(widths(cols), 4, 12), 5)
	if err != nil {
		return err
	}
	s.noteCols = len(cols)
	counts := map[string]int64{}
	rows, err := scanAll(ctx, db, "SELECT coalesce(code, 'none'), count(*) FROM held_reviews WHERE "+yearCond("review", in.Year.Year)+" GROUP BY ALL")
	if err != nil {
		return err
	}
	var over4 int64
	for _, r := range rows {
		counts[r[0].(string)] = r[1].(int64)
		if r[0].(string) != "PN0" {
			over4 += r[1].(int64)
		}
	}
	if err := s.heading("Reviews held in the year, by participation code"); err != nil {
		return err
	}
	var out [][]any
	for _, p := range participation[1:] {
		out = append(out, []any{p.code, p.meaning, in.count(counts[p.code]), pctCell{in.pct(ratio{counts[p.code], over4})}})
	}
	out = append(out, []any{"(none)", "No valid participation code recorded", in.count(counts["none"]), pctCell{in.pct(ratio{counts["none"], over4})}})
	if err := s.annualTable("Participation", cols, out); err != nil {
		return err
	}
	first := s.row - len(out) + 1 // the first data row
	if err := s.note("Percentages are of the reviews not coded PN0 (PN0 is the code for a child under 4 at the review): children \"4 and over\" as the codes record them, whatever the child's recorded age; reviews with no valid code are among them."); err != nil {
		return err
	}
	if err := s.heading("Shown apart"); err != nil {
		return err
	}
	if err := s.annualTable("UnderFour", []col{{"Code", 8, kText}, {"Meaning", 104, kText}, {"Reviews", 12, kInt}}, [][]any{{"PN0", participation[0].meaning, in.count(counts["PN0"])}}); err != nil {
		return err
	}
	zero := 0.0
	s.beforeFlush = append(s.beforeFlush, func() error {
		return b.f.AddChart(SheetParticipation, "F5", barChart("Participation (reviews not coded PN0)",
			fmt.Sprintf("'%s'!$A$%d:$A$%d", SheetParticipation, first, first+len(out)-1),
			fmt.Sprintf("'%s'!$D$%d:$D$%d", SheetParticipation, first, first+len(out)-1), &zero, nil, "0%"))
	})
	return s.flush()
}

// Groupings of the SSDA903 codes for the equalities tables.
const (
	ageBand = `CASE WHEN age_on(h.dob, %[1]s) < 1 THEN '1: under 1' WHEN age_on(h.dob, %[1]s) < 5 THEN '2: 1 to 4'
		WHEN age_on(h.dob, %[1]s) < 10 THEN '3: 5 to 9' WHEN age_on(h.dob, %[1]s) < 16 THEN '4: 10 to 15' ELSE '5: 16 and over' END`
	sexGroup    = `CASE WHEN h.sex IN ('1', 'M') THEN 'Male' WHEN h.sex IN ('2', 'F') THEN 'Female' ELSE 'Not recorded or other' END`
	ethnicGroup = `CASE WHEN h.ethnic IN ('WBRI','WIRI','WIRT','WOTH','WROM') THEN 'White'
		WHEN h.ethnic IN ('MWBC','MWBA','MWAS','MOTH') THEN 'Mixed or multiple ethnic groups'
		WHEN h.ethnic IN ('AIND','APKN','ABAN','AOTH') THEN 'Asian or Asian British'
		WHEN h.ethnic IN ('BCRB','BAFR','BOTH') THEN 'Black, Black British, Caribbean or African'
		WHEN h.ethnic IN ('CHNE','OOTH') THEN 'Other ethnic group'
		WHEN h.ethnic IN ('REFU','NOBT') THEN 'Refused or not yet obtained' ELSE 'Not recorded' END`
	legalGroup = `CASE WHEN e.ls IN ('C1','C2') THEN 'Care order (interim or full)' WHEN e.ls = 'V2' THEN 'Accommodated (section 20)'
		WHEN e.ls IN ('E1','D1') THEN 'Placement order or freeing order' WHEN e.ls LIKE 'J%' THEN 'Youth justice legal status'
		WHEN e.ls LIKE 'L%' THEN 'Emergency orders or police protection' ELSE 'Other or not recorded' END`
	placeGroup = `CASE WHEN e.place LIKE 'A%' THEN 'Placed for adoption' WHEN e.place LIKE 'U%' THEN 'Foster placement'
		WHEN e.place = 'P1' THEN 'Placed with parents' WHEN e.place LIKE 'K%' OR e.place LIKE 'R%' OR e.place LIKE 'S%' OR e.place LIKE 'H%'
		THEN 'Children''s homes, secure and other residential' ELSE 'Other placements' END`
)

func annualEqualities(ctx context.Context, db *store.DB, b *book, in AnnualInput, sub string) error {
	cols := []col{{"Group", 46, kText}, {"Reviews due", 12, kInt}, {"% in timescale", 13, kPct}, {"Reviews held (not PN0)", 14, kInt}, {"% participated (PN1-PN6)", 14, kPct}}
	s, err := b.newSheet(SheetEqualities, "Equalities: timeliness and participation by group", sub+
		" Age is at 31 March; legal status and placement are those of the episode on the day a review was held, or on its due date for one not held. Timeliness counts the looked-after chain's reviews due in the year, as the Timeliness sheet does; participation, the reviews held in the year not coded PN0.", widths(cols), 0)
	if err != nil {
		return err
	}
	yEnd := "DATE '" + in.Year.Year.End.Format(time.DateOnly) + "'"
	for _, g := range []struct{ title, expr string }{
		{"Age band at 31 March", fmt.Sprintf(ageBand, yEnd)},
		{"Sex", sexGroup},
		{"Ethnicity (DfE groups)", ethnicGroup},
		{"Legal status", legalGroup},
		{"Placement type", placeGroup},
	} {
		q := fmt.Sprintf(`
			WITH t AS (
			    -- a held review belongs to the day it was held, one not held to
			    -- its due date: the episode that began last on or before that
			    -- day (a review held on the day the child left care included)
			    SELECT %[1]s AS g, count(*) FILTER (WHERE f.status = 'met') AS met, count(*) AS due
			    FROM (SELECT *, coalesce(done, due) AS on_day FROM wf WHERE rule IN %[4]s AND %[2]s) f
			    LEFT JOIN (SELECT DISTINCT ON (child) * FROM header ORDER BY child, dob) h ON h.child = f.child
			    ASOF LEFT JOIN known_episodes e ON e.child = f.child AND f.on_day >= e.decom
			    GROUP BY ALL
			), p AS (
			    SELECT %[1]s AS g, count(*) FILTER (WHERE r.code IN ('PN1','PN2','PN3','PN4','PN5','PN6')) AS took_part, count(*) AS held
			    FROM (SELECT * FROM held_reviews WHERE coalesce(code, '') <> 'PN0' AND %[3]s) r
			    LEFT JOIN (SELECT DISTINCT ON (child) * FROM header ORDER BY child, dob) h ON h.child = r.child
			    ASOF LEFT JOIN known_episodes e ON e.child = r.child AND r.review >= e.decom
			    GROUP BY ALL
			)
			SELECT coalesce(t.g, p.g), coalesce(t.met, 0), coalesce(t.due, 0), coalesce(p.took_part, 0), coalesce(p.held, 0)
			FROM t FULL JOIN p ON t.g = p.g ORDER BY 1`, g.expr, dueIn("", in.Year.Year, in.Year.Year), yearCond("review", in.Year.Year), laChain)
		rows, err := scanAll(ctx, db, q)
		if err != nil {
			return fmt.Errorf("equalities by %s: %w", g.title, err)
		}
		var out [][]any
		for _, r := range rows {
			label := r[0].(string)
			if i := strings.Index(label, ": "); i == 1 {
				label = label[3:]
			}
			met, due, took, held := r[1].(int64), r[2].(int64), r[3].(int64), r[4].(int64)
			out = append(out, []any{label, in.count(due), pctCell{in.pct(ratio{met, due})}, in.count(held), pctCell{in.pct(ratio{took, held})}})
		}
		if err := s.heading(g.title); err != nil {
			return err
		}
		if err := s.annualTable("Equalities", cols, out); err != nil {
			return err
		}
	}
	return s.flush()
}

func annualIROs(ctx context.Context, db *store.DB, b *book, in AnnualInput, sub string) error {
	cols := []col{{"IRO", 30, kText}, {"Children " + in.at(), 14, kInt}, {"Children on average over the year", 16, kNum},
		{"Reviews chaired", 12, kInt}, {"% of reviews in timescale", 14, kPct}, {"% of adoption reviews in timescale", 14, kPct}}
	s, err := b.newSheet(SheetIROs, "IRO caseloads", sub+" Children "+in.at()+" are the children looked after that day (short breaks apart) with the IRO allocated that day;"+
		" the average caseload counts each child for the days of the year it was both looked after (the day it left care not counted) and allocated to the IRO."+
		" Reviews chaired are the reviews held in the year, as the Overview counts them, with the IRO allocated on the day; timeliness is of the reviews due in the year, as on the Timeliness sheet, the adoption chain apart.",
		widths(cols), 5)
	if err != nil {
		return err
	}
	y := in.Year.Year
	days := y.End.Sub(y.Start).Hours()/24 + 1
	a, err := b.authorities(ctx, db)
	if err != nil {
		return err
	}
	q := fmt.Sprintf(`
		WITH al AS (
		    SELECT %[8]s AS worker, a.child,
		           greatest(a.start, p.start, DATE '%[1]s') AS s,
		           least(coalesce(a."end", DATE '%[2]s'), coalesce(p.period_end - 1, DATE '%[2]s'), DATE '%[2]s') AS e
		    FROM allocations a  -- as the audit reads them (audit/sql/05_allocations.sql)
		    JOIN periods p ON p.child = a.child AND NOT p.short_breaks
		    WHERE a.start <= as_of() AND (a."end" IS NULL OR a."end" >= a.start)
		      AND a.role = 'IRO' AND a.start <= DATE '%[2]s' AND (a."end" IS NULL OR a."end" >= DATE '%[1]s')
		), caseload AS (
		    SELECT worker, sum(e - s + 1) FILTER (WHERE e >= s) / %[3]f AS average
		    FROM al GROUP BY worker
		), at_end AS (
		    SELECT %[8]s AS worker, count(DISTINCT c.child) AS n
		    FROM looked_after_now c JOIN allocations_now a ON a.child = c.child AND a.role = 'IRO'
		         AND a.start <= as_of() AND (a."end" IS NULL OR a."end" >= as_of())
		    WHERE NOT c.short_breaks GROUP BY 1
		), chaired AS (
		    -- every review held in the year, as the Overview counts them (the
		    -- first of a child in care before the extract included), with the
		    -- IRO allocated on the day: of several, the one that started last,
		    -- as the audit names a finding's IRO (audit/sql/05_allocations.sql)
		    SELECT worker, count(*) AS held FROM (
		        SELECT r.child, r.review, arg_max(%[8]s, a.start) AS worker
		        FROM held_reviews r
		        JOIN allocations a ON a.child = r.child AND a.role = 'IRO' AND a.start <= r.review
		             AND (a."end" IS NULL OR a."end" >= r.review) AND a.start <= as_of()
		        WHERE %[4]s
		        GROUP BY r.child, r.review)
		    GROUP BY worker
		), timely AS (
		    SELECT %[9]s AS worker,
		           count(*) FILTER (WHERE rule IN %[6]s AND status = 'met' AND %[5]s) AS met,
		           count(*) FILTER (WHERE rule IN %[6]s AND %[5]s) AS due,
		           count(*) FILTER (WHERE rule IN %[7]s AND status = 'met' AND %[5]s) AS adopt_met,
		           count(*) FILTER (WHERE rule IN %[7]s AND %[5]s) AS adopt_due
		    FROM wf WHERE (rule IN %[6]s OR rule IN %[7]s) AND iro IS NOT NULL
		    GROUP BY 1
		), workers AS (
		    SELECT worker FROM caseload WHERE average > 0 UNION SELECT worker FROM at_end UNION SELECT worker FROM chaired
		    UNION SELECT worker FROM timely WHERE due + adopt_due > 0
		)
		SELECT w.worker, coalesce(n.n, 0), coalesce(c.average, 0), coalesce(h.held, 0), coalesce(m.met, 0), coalesce(m.due, 0),
		       coalesce(m.adopt_met, 0), coalesce(m.adopt_due, 0)
		FROM workers w LEFT JOIN caseload c USING (worker) LEFT JOIN at_end n USING (worker) LEFT JOIN chaired h USING (worker)
		     LEFT JOIN timely m USING (worker)
		ORDER BY 1`,
		y.Start.Format(time.DateOnly), y.End.Format(time.DateOnly), days, yearCond("r.review", y), dueIn("", y, y), laChain, adoptChain,
		perAuthority(a, "a.child", "a.worker"), perAuthority(a, "child", "iro"))
	rows, err := scanAll(ctx, db, q)
	if err != nil {
		return fmt.Errorf("IRO caseloads: %w", err)
	}
	var out [][]any
	for _, r := range rows {
		avg := r[2].(float64)
		var avgCell any = avg
		if in.SuppressBelow > 0 && avg > 0 && avg < float64(in.SuppressBelow) {
			avgCell = "[c]"
		}
		out = append(out, []any{r[0], in.count(r[1].(int64)), avgCell, in.count(r[3].(int64)),
			pctCell{in.pct(ratio{r[4].(int64), r[5].(int64)})}, pctCell{in.pct(ratio{r[6].(int64), r[7].(int64)})}})
	}
	if err := s.annualTable("IROs", cols, out); err != nil {
		return err
	}
	return s.flush()
}

// Participation codes of the SSDA903 and their meanings.
var participation = []struct{ code, meaning string }{
	{"PN0", "Child aged under 4 at the time of the review"},
	{"PN1", "Child physically attends and speaks for themselves"},
	{"PN2", "Child physically attends and an advocate speaks for them"},
	{"PN3", "Child attends and conveys their view symbolically (non-verbally)"},
	{"PN4", "Child physically attends but does not speak, convey their view or ask an advocate to speak for them"},
	{"PN5", "Child does not attend but briefs an advocate to speak for them"},
	{"PN6", "Child does not attend but conveys their feelings by a facilitative medium"},
	{"PN7", "Child does not attend nor are their views conveyed"},
}

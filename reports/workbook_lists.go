package reports

import (
	"context"
	"strings"

	"github.com/lacaudit/lacaudit/audit"
	"github.com/lacaudit/lacaudit/store"
)

func actionSheet(ctx context.Context, db *store.DB, b *book, in Input, asOf string) error {
	a, err := b.authorities(ctx, db)
	if err != nil {
		return err
	}
	cols := withLA(a, []col{
		{"Child", 12, kText}, {"Review", 30, kText}, {"Due", 12, kDate}, {"Days left", 10, kInt}, {"Status", 10, kText},
		{"Consult child by", 14, kDate}, {"Invitations by", 14, kDate}, {"SW report by", 14, kDate},
		{"Team", 20, kText}, {"Social worker", 20, kText}, {"IRO", 20, kText},
	})
	s, err := b.newSheet(SheetActions, "Action list: reviews overdue and due soon",
		"As of "+asOf+": every review overdue now (negative days left) or due in the next 20 working days, most urgent first. "+
			"Preparation deadlines are counted back from the due date in working days.", widths(cols), 5)
	if err != nil {
		return err
	}
	q := `SELECT ` + childSQL(a, "f.child") + `,
	             c.name,
	             f.due,
	             CASE WHEN f.status = 'overdue' THEN -f.days_late ELSE f.due - as_of() END,
	             f.status::VARCHAR,
	             CASE WHEN f.status = 'upcoming' THEN prep_owed('PREP_CONSULTATION', f.due, f.rule = 'REV_INITIAL', f.period_start) END,
	             CASE WHEN f.status = 'upcoming' THEN prep_owed('PREP_INVITATIONS', f.due, f.rule = 'REV_INITIAL', f.period_start) END,
	             CASE WHEN f.status = 'upcoming' THEN prep_owed('PREP_SW_REPORT', f.due, f.rule = 'REV_INITIAL', f.period_start) END,
	             f.team::VARCHAR, f.social_worker::VARCHAR, f.iro::VARCHAR
	      FROM wf f JOIN rule_coverage c USING (rule)
	      WHERE f.rule IN ` + chainRules + `
	        AND (f.status = 'overdue' OR (f.status = 'upcoming' AND f.due <= wd_after(as_of(), 20)))
	      ORDER BY f.due, f.child`
	if _, _, err := s.cappedTable(ctx, db, "Actions", cols, capOf(in, findingsFiles(in), "most urgent first"), q); err != nil {
		return err
	}
	return s.flush()
}

func widths(cols []col) []float64 {
	out := make([]float64, len(cols))
	for i, c := range cols {
		out[i] = c.width
	}
	return out
}

// exceptionOrder is the exception sheets' order (on wx, where a status is
// written with a space): overdue first, then not met, missed and late, each
// by days late, most first; rows equal on all of it are the same row.
const exceptionOrder = `CASE status WHEN 'overdue' THEN 1 WHEN 'not met' THEN 2 WHEN 'missed' THEN 3 ELSE 4 END,
		         days_late DESC, due, child, title, done, period_start`

func exceptionSheets(ctx context.Context, db *store.DB, b *book, in Input, asOf string) error {
	a, err := b.authorities(ctx, db)
	if err != nil {
		return err
	}
	cols := withLA(a, []col{
		{"Obligation", 40, kText}, {"Child", 12, kText}, {"Period start", 12, kDate}, {"Due", 12, kDate}, {"Done", 12, kDate},
		{"Status", 10, kText}, {"Days late", 10, kInt}, {"Team", 20, kText}, {"Social worker", 20, kText}, {"IRO", 20, kText},
	})
	for _, fam := range audit.Families {
		s, err := b.newSheet(string(fam), string(fam)+": exceptions",
			"As of "+asOf+": obligations late, overdue, missed or not met, due in the 12 months to the as-of date, and everything overdue now; overdue first, then by days late.",
			widths(cols), 5)
		if err != nil {
			return err
		}
		// Ordered by wx's child, the key (with several authorities, the
		// authority's code and the child), as findings.csv is.
		q := `SELECT title, ` + childSQL(a, "child") + `, period_start, due, done, status, days_late, team, social_worker, iro
		      FROM wx WHERE family = ? ORDER BY ` + exceptionOrder
		name := strings.NewReplacer(" ", "", "-", "").Replace(string(fam))
		if _, _, err := s.cappedTable(ctx, db, name, cols, capOf(in, findingsFiles(in), "most urgent first"), q, string(fam)); err != nil {
			return err
		}
		if err := s.flush(); err != nil {
			return err
		}
	}
	return nil
}

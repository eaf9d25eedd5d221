package reports

import (
	"context"
	"fmt"

	"github.com/lacaudit/lacaudit/store"
)

func annualCarePlanning(ctx context.Context, db *store.DB, b *book, in AnnualInput, sub string) error {
	cols := []col{{"Measure", 58, kText}, {"Count", 12, kInt}, {"Of", 12, kInt}, {"%", 12, kPct}}
	s, err := b.newSheet(SheetCarePlanning, "Care planning", sub, widths(cols), 5)
	if err != nil {
		return err
	}
	y := in.Year
	row := func(label string, r ratio) []any {
		return []any{label, in.part(r), in.count(r.d), pctCell{in.pct(r)}}
	}
	if err := s.heading("Plans, health and placement stability"); err != nil {
		return err
	}
	if err := s.annualTable("CarePlanning", cols, [][]any{
		row("Permanence plan recorded by the second review (second reviews due in the year)", y.Permanence),
		row("School-age children with a current PEP "+in.at(), y.PEP),
		{"   school-age children whose first PEP is not yet due (left out)", in.count(y.PEPNotYetDue), nil, nil},
		row("Children with an in-date health assessment "+in.at(), y.Health),
		{"   children whose first health assessment is not yet due (left out)", in.count(y.HealthNotYetDue), nil, nil},
		row(fmt.Sprintf("Placement breakdowns in the year followed by a disruption meeting within %d days", in.Config.Days("disruption_meeting_days")), y.Breakdowns),
	}); err != nil {
		return err
	}
	if err := s.note("A PEP or health assessment is in date when the latest one in the current period of care is within its timescale; the share is of the children whose first one is due or done at 31 March. A child with none whose first is not yet due is not counted as in date, nor against: it is shown apart."); err != nil {
		return err
	}
	return s.flush()
}

func annualEscalations(ctx context.Context, db *store.DB, b *book, in AnnualInput, sub string) error {
	resolution := in.Config.Days("qa_resolution_working_days")
	cols := []col{{"Reason", 58, kText}, {"Level", 10, kText}, {"Raised", 12, kInt}, {fmt.Sprintf("Resolved in %d working days", resolution), 14, kInt}, {"Escalated", 12, kInt}}
	s, err := b.newSheet(SheetEscalations, "Escalations: quality assurance alerts", sub, widths(cols), 0)
	if err != nil {
		return err
	}
	if !in.Year.AlertsAssessed {
		if err := s.heading("Not assessed"); err != nil {
			return err
		}
		if err := s.note("The extract has no qa_alerts table: escalations cannot be counted. Absent data is not counted as none."); err != nil {
			return err
		}
		return s.flush()
	}
	y := in.Year
	if err := s.heading("The year"); err != nil {
		return err
	}
	if err := s.annualTable("AlertTotals", []col{{"Measure", 58, kText}, {"Count", 10, kInt}, {"%", 12, kPct}}, [][]any{
		{"Alerts raised", in.count(y.AlertsRaised), nil},
		{fmt.Sprintf("Resolved within %d working days of being raised", resolution), in.count(y.AlertsResolved10), pctCell{in.pct(ratio{y.AlertsResolved10, y.AlertsRaised})}},
		{"Escalated", in.count(y.AlertsEscalated), pctCell{in.pct(ratio{y.AlertsEscalated, y.AlertsRaised})}},
	}); err != nil {
		return err
	}
	rows, err := scanAll(ctx, db, `SELECT reason, coalesce(level, ''), count(*),
		count(*) FILTER (WHERE resolved IS NOT NULL AND resolved <= wd_after(raised, days('qa_resolution_working_days'))),
		count(*) FILTER (WHERE escalated)
		FROM qa_alerts WHERE `+yearCond("raised", y.Year)+` GROUP BY ALL ORDER BY 1, 2`)
	if err != nil {
		return err
	}
	var out [][]any
	for _, r := range rows {
		out = append(out, []any{r[0], r[1], in.count(r[2].(int64)), in.count(r[3].(int64)), in.count(r[4].(int64))})
	}
	if err := s.heading("By reason and level"); err != nil {
		return err
	}
	if err := s.annualTable("Alerts", cols, out); err != nil {
		return err
	}
	return s.flush()
}

func annualMethod(ctx context.Context, db *store.DB, b *book, in AnnualInput, sub string) error {
	s, err := b.newSheet(SheetMethod, "Method", "How these figures were made.", methodWidths, 0)
	if err != nil {
		return err
	}
	y := in.Year.Year
	defs := [][]any{
		{"Financial year", fmt.Sprintf("1 April %d to 31 March %d; the previous year for comparison is %s.", y.Start.Year(), y.End.Year(), in.Previous.Year.Label())},
		{"Snapshot date", "Figures \"at 31 March\" are the audit as of " + in.AsOf.Format("2 January 2006") + " (the year's end, or the extract's date while the year is not over)."},
		{"Obligations in the year", "A review (or plan) obligation belongs to the year in which it fell due: one due on 31 March to this year, one due on 1 April to the next. Each is judged with what the extract records by its due date: one due on 31 March and not held that day counts against the year (held in April it is late), never as upcoming."},
		{"In timescale", "Held on or before its due date, out of every obligation due in the year: late, missed and overdue count against. While the year is not over, one due after the snapshot date is not counted yet."},
		{"Looked-after and adoption reviews", "Review timeliness is the looked-after chain's (initial, second, subsequent) on every sheet, IRO caseloads included; the adoption chain's reviews are reported apart."},
		{"Looked after during the year", "A period of care (short breaks excluded) that started on or before 31 March and had not ended by 1 April."},
		{"Started and ceased", "Children, not periods of care, as the DfE's looked-after statistics count them: a child who started (or ceased) to be looked after twice in the year counts once. Children in care before the extract begins are not counted as starting."},
		{"Participation", "Reviews held in the year, by the 903 participation code. PN0 (a child under 4 at the review) is shown apart; \"4 and over\" means the reviews not coded PN0, whatever the child's recorded age, and percentages are of them (reviews with no valid code included)."},
		{"Equalities groups", "Ethnicity grouped as the DfE groups the 903 codes; age bands at 31 March; legal status and placement of the episode covering the day a review was held, or its due date for one not held."},
		{"IRO caseloads", "At 31 March: children looked after that day with the IRO allocated that day (a child who has left care is not counted, even if the allocation was not closed). On average: each child counted for the days of the year it was looked after and allocated to the IRO, divided by the days of the year."},
		{"PEPs and health assessments", "In date at 31 March: the latest in the current period of care is within its timescale. The share is of the children whose first one is due or done; a child with none whose first is not yet due is counted apart, neither in date nor against."},
		{"Escalations", fmt.Sprintf("Quality assurance alerts raised in the year; resolved within %d working days of being raised (England and Wales working days).", in.Config.Days("qa_resolution_working_days"))},
		{"Program", "lacaudit " + in.Version + "; input " + in.InputLabel + "; written " + in.Started.Format("02/01/2006 15:04")},
	}
	if in.SuppressBelow > 0 {
		defs = append(defs, []any{"Small numbers", fmt.Sprintf("Counts from 1 to %d, and percentages whose count, complement or base is that small, are shown as [c].", in.SuppressBelow-1)})
	}
	if err := s.heading("Definitions"); err != nil {
		return err
	}
	if err := s.table("Definitions", []col{{"Term", 34, kText}, {"Meaning", 90, kText}}, defs); err != nil {
		return err
	}
	if err := rulesTable(s, in.Coverage, in.Config); err != nil {
		return err
	}
	if err := inputsTable(s, in.Tables); err != nil {
		return err
	}
	if err := returnsTable(s, in.Returns); err != nil {
		return err
	}
	return s.flush()
}

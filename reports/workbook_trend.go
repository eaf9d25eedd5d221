package reports

import (
	"context"
	"fmt"
	"time"

	"github.com/xuri/excelize/v2"

	"github.com/lacaudit/lacaudit/store"
)

func trendSheet(ctx context.Context, db *store.DB, b *book, in Input, asOf string) error {
	cols := []col{{"Month", 14, kDate}, {"Reviews held", 13, kInt}, {"In timescale", 13, kInt}, {"% in timescale", 13, kPct}}
	s, err := b.newSheet(SheetTrend, "Trend", "Reviews held month by month over the "+fmt.Sprint(trendMonths)+" months to "+asOf+", and the share held in timescale; below, the reviews overdue on each past night's run.", []float64{14, 13, 13, 13, 4, 14, 14}, 4)
	if err != nil {
		return err
	}
	rows, err := scanAll(ctx, db, `
		WITH months AS (
		    SELECT date_trunc('month', as_of() - INTERVAL (m) MONTH)::DATE AS month FROM range(`+fmt.Sprint(trendMonths-1)+`, -1, -1) t(m)
		)
		SELECT m.month, count(f.rule), count(f.rule) FILTER (WHERE f.status = 'met'),
		       CASE WHEN count(f.rule) > 0 THEN (count(f.rule) FILTER (WHERE f.status = 'met'))::DOUBLE / count(f.rule) END
		FROM months m
		LEFT JOIN wf f ON f.rule IN `+chainRules+` AND f.done IS NOT NULL
		     AND date_trunc('month', f.done) = m.month AND f.done <= as_of()
		GROUP BY m.month ORDER BY m.month`)
	if err != nil {
		return fmt.Errorf("trend: %w", err)
	}
	if err := s.header(cols); err != nil {
		return err
	}
	first := s.row
	for _, r := range rows {
		if err := s.put([]any{cell(r[0], b.st.month), cell(r[1], b.st.integer), cell(r[2], b.st.integer), s.value(cols[3], r[3])}); err != nil {
			return err
		}
	}
	last := s.row
	if err := s.finishTable("Trend", cols, first); err != nil {
		return err
	}
	if err := s.heading("Reviews overdue on each night's run"); err != nil {
		return err
	}
	hist, err := scanAll(ctx, db, `SELECT as_of, max(run_at), arg_max(reviews_overdue, run_at), arg_max(overdue, run_at)
		FROM run_history GROUP BY as_of ORDER BY as_of DESC LIMIT 400`)
	if err != nil {
		return fmt.Errorf("run history: %w", err)
	}
	hcols := []col{{"As of", 14, kDate}, {"Run at", 13, kText}, {"Reviews overdue", 13, kInt}, {"All obligations overdue", 13, kInt}}
	for _, h := range hist {
		if t, ok := h[1].(time.Time); ok {
			h[1] = t.Format("02/01/2006 15:04")
		}
	}
	if len(hist) == 0 {
		if err := s.note("This is the first run recorded in this database: the history starts tonight."); err != nil {
			return err
		}
	}
	if err := s.table("History", hcols, hist); err != nil {
		return err
	}
	zero, one := 0.0, 1.0
	s.beforeFlush = append(s.beforeFlush, func() error {
		c := chart(excelize.Line, "Reviews held in timescale, by month",
			fmt.Sprintf("'%s'!$A$%d:$A$%d", SheetTrend, first+1, last),
			fmt.Sprintf("'%s'!$D$%d:$D$%d", SheetTrend, first+1, last), &zero, &one, "0%")
		c.XAxis = excelize.ChartAxis{NumFmt: excelize.ChartNumFmt{CustomNumFmt: "mmm yy"}}
		c.Dimension = excelize.ChartDimension{Width: 720, Height: 360}
		return b.f.AddChart(SheetTrend, "F4", c)
	})
	return s.flush()
}

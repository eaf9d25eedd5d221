package job

import (
	"context"
	"fmt"
	"log/slog"
	"strings"
	"time"

	"github.com/lacaudit/lacaudit/ingest"
	"github.com/lacaudit/lacaudit/store"
)

// newestRecord is the latest date recorded anywhere in the loaded extract
// (episode starts and ends, reviews, plans, visits, allocations, alerts: every
// date column but dates of birth) that is not after asOf; ok is false when
// there is none.
func newestRecord(ctx context.Context, db *store.DB, asOf time.Time) (newest time.Time, ok bool, err error) {
	var parts []string
	for _, t := range ingest.Tables {
		for _, c := range t.Columns {
			if c.Kind != ingest.Date || strings.HasSuffix(c.Name, "DOB") {
				continue
			}
			parts = append(parts, fmt.Sprintf("SELECT max(%[1]s) AS d FROM %[2]s WHERE %[1]s <= $1::DATE", c.SQLName(), store.Ident(t.Name)))
		}
	}
	var d *time.Time
	q := "SELECT max(d) FROM (" + strings.Join(parts, "\nUNION ALL ") + ")"
	if err := db.QueryRowContext(ctx, q, asOf.Format(time.DateOnly)).Scan(&d); err != nil {
		return time.Time{}, false, fmt.Errorf("find the newest record of the extract: %w", err)
	}
	if d == nil {
		return time.Time{}, false, nil
	}
	return *d, true, nil
}

// staleExtract says, in a line for the top of the Summary, when the newest
// record of the extract is more than s.Config.StaleExtractDays days before
// the as-of date (an export that stopped refreshing the folder makes every
// review since look overdue), and logs it as a warning; "" otherwise. The
// run goes on: the figures are right for the extract, which may be old.
func staleExtract(ctx context.Context, db *store.DB, s Settings, log *slog.Logger) (string, error) {
	if s.Config.StaleExtractDays <= 0 {
		return "", nil
	}
	newest, ok, err := newestRecord(ctx, db, s.AsOf)
	if err != nil || !ok {
		return "", err
	}
	days := int(s.AsOf.Sub(newest).Hours()/24 + 0.5)
	if days <= s.Config.StaleExtractDays {
		return "", nil
	}
	log.Warn("the extract looks out of date: check the export is up to date",
		"newest_record", newest.Format(time.DateOnly), "days_before_as_of", days, "stale_extract_days", s.Config.StaleExtractDays)
	return fmt.Sprintf("The newest record in the extract is dated %s, %d days before the as-of date: check the export is up to date",
		newest.Format("2 January 2006"), days), nil
}

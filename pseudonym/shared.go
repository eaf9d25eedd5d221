package pseudonym

import (
	"context"
	"fmt"
	"strings"

	"github.com/lacaudit/lacaudit/store"
)

// A column's treatment in the shared database.
type treatment int

const (
	keep      treatment = iota + 1
	monthOnly           // a date of birth: the first day of its month
)

// all keeps every column of a table that the run computes from pseudonymised
// data, or that holds no personal data.
var all = map[string]treatment{"*": keep}

// Shared is the allow-list of the database a pseudonymised run writes: per
// table, the columns a benchmarking group needs. A table or column not listed
// is left out; DATA.md's tables are listed column by column, so that a new
// column of the extract stays out until someone decides otherwise. Left out:
// header.UPN and MC_DOB (a pupil number, and the date of birth of the
// child's own child), episodes.HOME_POST, PL_POST and URN (postcodes and an
// Ofsted provider number locate the child), qa_alerts.REASON (free text).
// Dates of birth keep their month and year: ages and age bands come out
// the same to within a month. qa_alerts.ALERT_ID, the case system's own key,
// is a keyed hash (A-...) by then, like CHILD (C-...) and the workers (W-...).
var Shared = map[string]map[string]treatment{
	"header":              {"child": keep, "dob": monthOnly, "sex": keep, "ethnic": keep, "mother": keep, "la": keep},
	"episodes":            cols("child decom rne ls place dec rec reason_place_change cin place_provider la"),
	"reviews":             {"child": keep, "review": keep, "review_code": keep, "dob": monthOnly, "la": keep},
	"peps":                cols("child pep_date la"),
	"permanence_plans":    cols("child plan_date plan_type la"),
	"disruption_meetings": cols("child meeting_date senior_manager la"),
	"health_assessments":  cols("child assessment_date assessment_type la"),
	"visits":              cols("child visit_date child_seen bedroom_seen la"),
	"allocations":         cols("child role worker start end la"),
	"review_details": cols("child review meeting_held sw_present adjournments adjourned_to consultation invites_sent " +
		"sw_report decisions_issued care_plan_updated record_completed record_distributed long_term_foster la"),
	"qa_alerts":   cols("alert_id child raised level resolved escalated la"),
	"dq_warnings": cols("table_name check_name message child record_date detail"),
	"rejects":     cols("source table_name line column_name value reason"),
	// Computed by the run from the tables above, or reference data.
	"findings": all, "rule_coverage": all, "run_history": all, "input_tables": all,
	"input_columns": all, "ignored_sources": all, "calendar": all, "working_days": all,
	"authorities": all, // the LA codes of an extract of several authorities
}

func cols(names string) map[string]treatment {
	m := map[string]treatment{}
	for _, n := range strings.Fields(names) {
		m[n] = keep
	}
	return m
}

// sharedAlias is the name the shared database file is attached under.
const sharedAlias = "lac_shared"

// Attach creates the file the shared database is written to, empty, and
// attaches it to db, so that Export can write it once db is locked down.
func Attach(ctx context.Context, db *store.DB, path string) error {
	if _, err := db.ExecContext(ctx, "ATTACH "+store.Quote(path)+" AS "+sharedAlias); err != nil {
		return fmt.Errorf("create the shared database: %w", err)
	}
	return nil
}

// Export writes the tables and columns of Shared from db's main schema into
// the database Attach attached, and detaches it.
func Export(ctx context.Context, db *store.DB) error {
	rows, err := db.QueryContext(ctx, `SELECT table_name, column_name FROM duckdb_columns()
		WHERE database_name = current_database() AND schema_name = 'main' AND NOT internal
		  AND table_name IN (SELECT table_name FROM duckdb_tables()
		                     WHERE database_name = current_database() AND schema_name = 'main' AND NOT temporary)
		ORDER BY table_name, column_index`)
	if err != nil {
		return fmt.Errorf("write the shared database: %w", err)
	}
	var order []string
	selects := map[string][]string{}
	for rows.Next() {
		var t, c string
		if err := rows.Scan(&t, &c); err != nil {
			rows.Close()
			return err
		}
		allowed, ok := Shared[t]
		if !ok {
			continue
		}
		tr := allowed[c]
		if tr == 0 {
			tr = allowed["*"]
		}
		var expr string
		switch tr {
		case keep:
			expr = store.Ident(c)
		case monthOnly:
			expr = fmt.Sprintf("date_trunc('month', %[1]s)::DATE AS %[1]s", store.Ident(c))
		default:
			continue
		}
		if _, seen := selects[t]; !seen {
			order = append(order, t)
		}
		selects[t] = append(selects[t], expr)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return err
	}
	var script strings.Builder
	for _, t := range order {
		fmt.Fprintf(&script, "CREATE TABLE %s.main.%s AS SELECT %s FROM main.%s;\n",
			sharedAlias, store.Ident(t), strings.Join(selects[t], ", "), store.Ident(t))
	}
	script.WriteString("DETACH " + sharedAlias + ";\n")
	return db.Exec(ctx, "write the shared database", script.String())
}

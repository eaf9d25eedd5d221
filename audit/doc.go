// Package audit is the compliance audit of docs/RULES.md. Each rule family is a
// SQL file in sql/, run in name order against the tables the ingest package
// loaded: 00_base.sql derives periods of care, placements and review-chain
// segments as they stood on the as-of date; 05_allocations.sql the
// allocations in force and the spans of days in which they do not change;
// each later file adds its rules' obligations. The obligations are written
// to the findings table, each with the team, social worker and IRO of its
// span (sql/write/findings.sql), whenever they pass 4 million rows and
// after the last file, so that ten years of a national extract are never
// held in memory at once. Rules whose data is absent leave no rows and are
// listed in rule_coverage, so that absent data never reads as compliance.
//
// Working-day deadlines use the calendar package's table through the SQL
// macros wd_after and wd_before; every timescale is a SQL variable set from
// the configuration, read with days('key').
//
// # What the audit leaves for others
//
// Besides the tables findings (RULES.md §7) and rule_coverage (the
// catalogue, what could be assessed, and each rule's chain), the audit
// publishes these views, as of the as-of date (sql/write/published.sql;
// the list is Published). Reports and job read these and nothing else of
// the audit: its a_ working tables may be reshaped or dropped by any rule
// file.
//
//   - periods: every period of care (child, period_no, start, period_end,
//     NULL while looked after, short_breaks, anchored: came into care before
//     the extract).
//   - looked_after_now: the children looked after on the as-of date, one
//     row each, with their current placement (child, period_no,
//     period_start, short_breaks, dob, placement_start, place).
//   - known_episodes: the episodes as known on the as-of date with their
//     period (the episodes columns, seq, prev_rec, period_no).
//   - allocations_now: the allocations in force on the as-of date (child,
//     role, worker, start, end).
//   - held_reviews: the reviews held, outside short breaks, one per child
//     and day (child, period_no, period_start, review, code, initial).
//   - breakdowns: each placement breakdown with its disruption meeting's
//     due date, date done and status.
//
// A new reader that needs more publishes another view there, names it in
// Published and here; a test holds the four to one another.
package audit

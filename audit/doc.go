// Package audit is the compliance audit of docs/RULES.md. Each rule family is a
// SQL file in sql/, run in name order against the tables the ingest package
// loaded: 00_base.sql derives periods of care, placements and review-chain
// segments as they stood on the as-of date; 05_allocations.sql the
// allocations in force and the spans of days in which they do not change;
// each later file adds its rules' obligations. The obligations are written
// to the findings table, each with the team, social worker and IRO of its
// span (sql/write/findings.sql), whenever they pass 8 million rows and
// after the last file, so that ten years of a national extract are never
// held in memory at once. Rules whose data is absent leave no rows and are
// listed in rule_coverage, so that absent data never reads as compliance.
//
// Working-day deadlines use the calendar package's table through the SQL
// macros wd_after and wd_before; every timescale is a SQL variable set from
// the configuration, read with days('key').
package audit

// Package audit is the compliance audit of RULES.md. Each rule family is a
// SQL file in sql/, run in name order against the tables the ingest package
// loaded: 00_base.sql derives periods of care, placements and review-chain
// segments as they stood on the as-of date; each later file adds its rules'
// obligations; 90_findings.sql names the team, social worker and IRO of
// each. Rules whose data is absent are removed and listed in rule_coverage,
// so that absent data never reads as compliance.
//
// Working-day deadlines use the calendar package's table through the SQL
// macros wd_after and wd_before; every timescale is a SQL variable set from
// the configuration, read with days('key').
package audit

// Lacaudit audits the statutory reviews and care plans of children looked
// after by an English local authority, from the authority's SSDA903 and
// case-management extracts, and writes the workbooks managers use.
//
// Usage:
//
//	lacaudit <command> [flags]
//
// The commands are:
//
//	run      the nightly job: read the extracts, audit, write the workbook and findings
//	annual   the IRO service's annual report for a financial year (--year 2025: April 2025 to March 2026)
//	check    read and validate the extracts only: rows read, rejected, warnings, rules not assessed
//	sample   write a synthetic extract (seeded, deterministic); --returns N cuts it into yearly returns
//	bench    measure time and memory per stage on generated samples of several sizes
//	rules    print the rule catalogue with the timescales in force and each rule's SQL file
//	version  print the program version
//
// Every command has --help with an example; "lacaudit help run" is
// "lacaudit run --help".
//
// # Flags of run, annual and check
//
//	--input DIR          folder of extracts, or of yearly returns (2023-24/, episodes_2023-24.csv) (default: the bundled sample data)
//	--as-of YYYY-MM-DD   audit the data as it stood on this date (default: today)
//	--config FILE        configuration file (see lacaudit.conf.example)
//	--log-format FORMAT  text or json; with json a failure, too, is one JSON object
//	--threads N          DuckDB worker threads (default 0: one for an extract under 16 MB, else one a core)
//	--memory-limit SIZE  such as 2GB; auto: the extract's size, at least 512MB, at most half the machine's memory
//
// run and annual also take --out DIR (default out, a folder of outputs that
// git ignores), --file-mode 0600 or 0640 and --template FILE; run also
// takes --db FILE (default: lacaudit.duckdb in the output folder),
// --findings auto|csv|parquet|both, --accept-drop, --pseudonymise and
// --pseudonymise-key-file FILE (default: $LACAUDIT_PSEUDONYMISE_KEY).
// annual takes --year (required) and --suppress-small N.
//
// # What run writes
//
// Into the output folder, all or nothing (an earlier night's outputs stay
// until a run succeeds): lacaudit-YYYY-MM-DD.xlsx and latest.xlsx (the
// performance workbook), findings.csv (findings.parquet instead above
// 1,048,575 findings, more than an Excel sheet holds; --findings both for
// both), rejects.csv and lacaudit.duckdb.
//
// # Exit status
//
//	0  done (late reviews never change the exit status: they are the report's content)
//	2  usage error: one line naming the flag, then the command's usage hint
//	3  the extracts cannot be used (a missing core table or required column,
//	   too many rejected rows, a partial export), or annual asked for a year
//	   the extracts do not cover
//	4  another run holds the lock on the output folder or the database
//	1  anything else, such as running out of memory or a full disk
//
// Every command returns its error to one place (exit, in main.go), which
// prints it as one line, and a hint, and chooses the status.
//
// # Environment
//
//	LACAUDIT_PSEUDONYMISE_KEY  the pseudonymisation key of run --pseudonymise
//	LACAUDIT_DEBUG             log at debug level (each rule file's time)
//	LACAUDIT_CPUPROFILE=FILE   write a Go CPU profile, for performance work
//
// README.md says more of each command, and docs/ of the rules, the input
// contract, performance and security.
package main

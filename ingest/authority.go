package ingest

import (
	"context"
	"fmt"
	"sort"
	"strings"

	"github.com/lacaudit/lacaudit/store"
)

// Authorities is what the LA columns of an extract say (DATA.md, "Several
// authorities"). With more than one authority, a child is the pair (LA,
// child): ResolveAuthorities then keys every loaded table's child as
// "LA:CHILD", so that every join of the audit keeps the two authorities'
// children apart unchanged, and the outputs split the key back into their
// la and child columns with LA and Child.
type Authorities struct {
	// Codes are the authorities' three-digit DfE codes in order; empty
	// when no row of the extract names one.
	Codes []string
}

// Several says whether the extract holds more than one authority: the
// child keys are then "LA:CHILD".
func (a Authorities) Several() bool { return len(a.Codes) > 1 }

// Recorded says whether the extract names its authority at all: the
// outputs then carry an la column.
func (a Authorities) Recorded() bool { return len(a.Codes) > 0 }

// LA is the SQL for the authority code of the child key in col: the code
// before the colon with several authorities, the one code with one, NULL
// when the extract names none.
func (a Authorities) LA(col string) string {
	switch {
	case a.Several():
		return "substr(" + col + ", 1, 3)"
	case a.Recorded():
		return store.Quote(a.Codes[0])
	}
	return "NULL::VARCHAR"
}

// Child is the SQL for the child identifier of the child key in col, the
// authority's code left out.
func (a Authorities) Child(col string) string {
	if a.Several() {
		return "substr(" + col + ", 5)"
	}
	return col
}

// KeySeparator joins an authority's code to a child identifier in the
// child key of an extract of several authorities.
const KeySeparator = ":"

// ResolveAuthorities reads the LA columns of the loaded tables, records the
// authorities in the table authorities, and with more than one of them
// keys every table's child as "LA:CHILD" (and the load's warnings the
// same). Several authorities need every table with rows to say whose each
// row is: a table without an LA column, or with an empty LA value, is an
// *InputError naming the file and the column (its rows could belong to
// either authority). With one authority, tables without the column and
// empty values are that authority's.
func ResolveAuthorities(ctx context.Context, db *store.DB) (Authorities, error) {
	type tableLA struct {
		name, source string
		rows, empty  int64
		hasLA        bool
	}
	// Two statements, not two a table: each table's source and LA column,
	// then one scan of each present table for the rows of each code, and
	// of none.
	info := map[string]tableLA{}
	present := map[string]bool{}
	rows, err := db.QueryContext(ctx, `SELECT table_name, coalesce(source, ''), present,
		    EXISTS (SELECT 1 FROM input_columns c WHERE c.table_name = t.table_name AND c.column_name = 'LA' AND c.known)
		FROM input_tables t`)
	if err != nil {
		return Authorities{}, fmt.Errorf("read the LA columns: %w", err)
	}
	for rows.Next() {
		var tl tableLA
		var p bool
		if err := rows.Scan(&tl.name, &tl.source, &p, &tl.hasLA); err != nil {
			rows.Close()
			return Authorities{}, fmt.Errorf("read the LA columns: %w", err)
		}
		info[tl.name], present[tl.name] = tl, p
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return Authorities{}, fmt.Errorf("read the LA columns: %w", err)
	}
	var scans []string
	for _, t := range Tables {
		if present[t.Name] {
			scans = append(scans, fmt.Sprintf("SELECT %s, la, count(*) FROM %s GROUP BY la", store.Quote(t.Name), store.Ident(t.Name)))
		}
	}
	seen := map[string]bool{}
	if len(scans) > 0 {
		rows, err := db.QueryContext(ctx, strings.Join(scans, "\nUNION ALL\n"))
		if err != nil {
			return Authorities{}, fmt.Errorf("read the LA column of each table: %w", err)
		}
		for rows.Next() {
			var name string
			var c *string
			var n int64
			if err := rows.Scan(&name, &c, &n); err != nil {
				rows.Close()
				return Authorities{}, fmt.Errorf("read the LA column of %s: %w", name, err)
			}
			tl := info[name]
			tl.rows += n
			if c == nil {
				tl.empty += n
			} else {
				seen[*c] = true
			}
			info[name] = tl
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return Authorities{}, fmt.Errorf("read the LA column of each table: %w", err)
		}
	}
	var tables []tableLA
	for _, t := range Tables {
		if present[t.Name] {
			tl := info[t.Name]
			tl.name = t.Name
			tables = append(tables, tl)
		}
	}
	var a Authorities
	for c := range seen {
		a.Codes = append(a.Codes, c)
	}
	sort.Strings(a.Codes)
	var codeRows [][]any
	for _, c := range a.Codes {
		codeRows = append(codeRows, []any{c})
	}
	if _, err := db.ExecContext(ctx, "CREATE OR REPLACE TABLE authorities (la VARCHAR)"); err != nil {
		return a, fmt.Errorf("record the authorities: %w", err)
	}
	if err := db.InsertRows(ctx, "authorities", codeRows); err != nil {
		return a, err
	}
	if !a.Several() {
		// The load's warnings carry the row's code before the child (see
		// unexpectedValues): with one authority the child is the child.
		_, err := db.ExecContext(ctx, `UPDATE input_warnings SET child = substr(child, 5)
			WHERE regexp_full_match(substr(child, 1, 4), '[0-9]{3}' || chr(31));
			UPDATE load_warnings SET child = substr(child, 5)
			WHERE regexp_full_match(substr(child, 1, 4), '[0-9]{3}' || chr(31))`)
		if err != nil {
			return a, fmt.Errorf("key the warnings: %w", err)
		}
		return a, nil
	}
	several := fmt.Sprintf("while the extract names %d local authorities (%s)", len(a.Codes), strings.Join(a.Codes, ", "))
	for _, tl := range tables {
		if tl.rows == 0 {
			continue
		}
		// A folder of returns: name the returns' files at fault, not every
		// year's file of the table.
		if msg, err := returnFilesWithoutLA(ctx, db, tl.name, several); err != nil {
			return a, err
		} else if msg != "" {
			return a, inputErrorf("%s", msg)
		}
		switch {
		case !tl.hasLA:
			return a, inputErrorf("%s has no LA column, %s: with several authorities every table must say whose each row is", tl.source, several)
		case tl.empty > 0:
			return a, inputErrorf("%s: column LA is empty on %d of %d rows, %s: each row must name its authority", tl.source, tl.empty, tl.rows, several)
		}
	}
	var script strings.Builder
	for _, tl := range tables {
		fmt.Fprintf(&script, "UPDATE %s SET child = la || '%s' || child;\n", store.Ident(tl.name), KeySeparator)
	}
	fmt.Fprintf(&script, "UPDATE input_warnings SET child = replace(child, chr(31), '%s');\n", KeySeparator)
	fmt.Fprintf(&script, "UPDATE load_warnings SET child = replace(child, chr(31), '%s');\n", KeySeparator)
	if err := db.Exec(ctx, "key children by authority", script.String()); err != nil {
		return a, err
	}
	return a, nil
}

// returnFilesWithoutLA says, for table of a folder of returns, which of
// its returns' files have no LA column or rows with an empty LA value
// (several names that, ""); empty when the input is a plain folder or no
// file of the table is at fault.
func returnFilesWithoutLA(ctx context.Context, db *store.DB, table, several string) (string, error) {
	var files int
	if err := db.QueryRowContext(ctx, "SELECT count(*) FROM input_returns WHERE table_name = ?", table).Scan(&files); err != nil {
		return "", fmt.Errorf("read the returns' %s: %w", table, err)
	}
	if files == 0 {
		return "", nil // a plain folder
	}
	rows, err := db.QueryContext(ctx, fmt.Sprintf(`SELECT r.source, r.has_la, count(a.source), count(a.source) FILTER (WHERE a.la IS NULL)
		FROM input_returns r LEFT JOIN %s a ON a.source = r.source
		WHERE r.table_name = ? GROUP BY ALL ORDER BY r.source`, store.Ident(table+"_all")), table)
	if err != nil {
		return "", fmt.Errorf("read the LA column of the returns' %s: %w", table, err)
	}
	defer rows.Close()
	var noColumn, empty []string
	for rows.Next() {
		var source string
		var hasLA bool
		var n, blank int64
		if err := rows.Scan(&source, &hasLA, &n, &blank); err != nil {
			return "", err
		}
		switch {
		case n == 0:
		case !hasLA:
			noColumn = append(noColumn, source)
		case blank > 0:
			empty = append(empty, fmt.Sprintf("%s: column LA is empty on %d of %d rows", source, blank, n))
		}
	}
	if err := rows.Err(); err != nil {
		return "", err
	}
	switch {
	case len(noColumn) == 1:
		return fmt.Sprintf("%s has no LA column, %s: with several authorities every table must say whose each row is", noColumn[0], several), nil
	case len(noColumn) > 1:
		return fmt.Sprintf("%s have no LA column, %s: with several authorities every table must say whose each row is", strings.Join(noColumn, ", "), several), nil
	case len(empty) > 0:
		return fmt.Sprintf("%s, %s: each row must name its authority", strings.Join(empty, "; "), several), nil
	}
	return "", nil
}

// ReadAuthorities reads the authorities ResolveAuthorities recorded in db;
// none in a database that has no such table.
func ReadAuthorities(ctx context.Context, db *store.DB) (Authorities, error) {
	var n int
	if err := db.QueryRowContext(ctx, "SELECT count(*) FROM duckdb_tables() WHERE table_name = 'authorities' AND schema_name = 'main' AND database_name = current_database()").Scan(&n); err != nil {
		return Authorities{}, fmt.Errorf("read the authorities: %w", err)
	}
	if n == 0 {
		return Authorities{}, nil
	}
	rows, err := db.QueryContext(ctx, "SELECT la FROM authorities ORDER BY la")
	if err != nil {
		return Authorities{}, fmt.Errorf("read the authorities: %w", err)
	}
	defer rows.Close()
	var a Authorities
	for rows.Next() {
		var c string
		if err := rows.Scan(&c); err != nil {
			return a, err
		}
		a.Codes = append(a.Codes, c)
	}
	return a, rows.Err()
}

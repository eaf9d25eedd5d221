// Package pseudonym replaces child identifiers and the names of social
// workers and IROs in a run's loaded tables with keyed hashes, so that every
// output of the run (findings, workbook, database) can be shared with a
// regional benchmarking group. The same key gives the same pseudonyms, so
// runs can be compared; without the key they cannot be reversed.
package pseudonym

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"database/sql/driver"
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"strings"

	duckdb "github.com/duckdb/duckdb-go/v2"

	"github.com/lacaudit/lacaudit/ingest"
	"github.com/lacaudit/lacaudit/store"
)

// EnvKey is the environment variable a key may come from.
const EnvKey = "LACAUDIT_PSEUDONYMISE_KEY"

// MinKeyLength is the shortest key accepted, in bytes.
const MinKeyLength = 16

// Key reads the key from a file (its content, surrounding white space
// trimmed) or, with no file, from the environment.
func Key(file string) ([]byte, error) {
	var k string
	if file != "" {
		b, err := os.ReadFile(file)
		if err != nil {
			return nil, fmt.Errorf("read pseudonymisation key: %w", err)
		}
		k = strings.TrimSpace(string(b))
	} else {
		k = os.Getenv(EnvKey)
	}
	if k == "" {
		return nil, errors.New("--pseudonymise needs a key: --pseudonymise-key-file FILE or the environment variable " + EnvKey)
	}
	if len(k) < MinKeyLength {
		return nil, fmt.Errorf("the pseudonymisation key must be at least %d characters", MinKeyLength)
	}
	return []byte(k), nil
}

// Of is the pseudonym of value under key, with a prefix saying what it stands for.
func Of(key []byte, prefix, value string) string {
	m := hmac.New(sha256.New, key)
	m.Write([]byte(prefix))
	m.Write([]byte{0})
	m.Write([]byte(value))
	return prefix + "-" + hex.EncodeToString(m.Sum(nil))[:16]
}

// Apply pseudonymises the loaded tables in db: CHILD in every table, the
// WORKER of SW and IRO allocations, the child of each data-quality warning.
// UPNs are dropped and the values of rejected rows withheld, since a raw
// line names its child.
func Apply(ctx context.Context, db *store.DB, key []byte) error {
	var childTables []string
	for _, t := range ingest.Tables {
		if _, ok := t.Column("CHILD"); ok {
			childTables = append(childTables, t.Name)
		}
	}
	union := make([]string, 0, len(childTables)+1)
	for _, t := range childTables {
		union = append(union, "SELECT child FROM "+t)
	}
	union = append(union, "SELECT child FROM dq_warnings")
	if err := mapping(ctx, db, key, "pmap_child", "C", "SELECT DISTINCT child FROM ("+strings.Join(union, " UNION ALL ")+") WHERE child IS NOT NULL"); err != nil {
		return err
	}
	if err := mapping(ctx, db, key, "pmap_worker", "W", "SELECT DISTINCT worker FROM allocations WHERE role IN ('SW', 'IRO') AND worker IS NOT NULL"); err != nil {
		return err
	}
	var script strings.Builder
	for _, t := range append(childTables, "dq_warnings") {
		fmt.Fprintf(&script, "UPDATE %[1]s SET child = m.pseudonym FROM pmap_child m WHERE %[1]s.child = m.value;\n", t)
	}
	script.WriteString(`UPDATE allocations SET worker = m.pseudonym FROM pmap_worker m
    WHERE allocations.role IN ('SW', 'IRO') AND allocations.worker = m.value;
UPDATE header SET upn = NULL;
UPDATE rejects SET value = '(withheld: pseudonymised run)';
DROP TABLE pmap_child;
DROP TABLE pmap_worker;
`)
	return db.Exec(ctx, "pseudonymise", script.String())
}

// mapping fills a temporary table (value, pseudonym) for the distinct values
// a query returns: one keyed hash per distinct value, never per row.
func mapping(ctx context.Context, db *store.DB, key []byte, table, prefix, query string) error {
	if _, err := db.ExecContext(ctx, fmt.Sprintf("CREATE OR REPLACE TEMP TABLE %s (value VARCHAR, pseudonym VARCHAR)", table)); err != nil {
		return fmt.Errorf("pseudonymise: %w", err)
	}
	rows, err := db.QueryContext(ctx, query)
	if err != nil {
		return fmt.Errorf("pseudonymise: %w", err)
	}
	var values []string
	for rows.Next() {
		var v string
		if err := rows.Scan(&v); err != nil {
			rows.Close()
			return err
		}
		values = append(values, v)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return err
	}
	return db.WithConn(ctx, func(c driver.Conn) error {
		a, err := duckdb.NewAppender(c, "temp", "main", table)
		if err != nil {
			return fmt.Errorf("pseudonymise: %w", err)
		}
		for _, v := range values {
			if err := a.AppendRow(v, Of(key, prefix, v)); err != nil {
				_ = a.Close()
				return fmt.Errorf("pseudonymise: %w", err)
			}
		}
		return a.Close()
	})
}

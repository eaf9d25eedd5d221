// Package pseudonym replaces child identifiers and the names of social
// workers and IROs in a run's loaded tables with keyed hashes, so that every
// output of the run (findings, workbook, database) can be shared with a
// regional benchmarking group. The same key gives the same pseudonyms, so
// runs can be compared; without the key they cannot be reversed.
//
// A pseudonymised run loads the extract into memory, never into a file:
// Apply replaces the identifiers there, Export writes the columns a
// benchmarking group needs (shared.go) as Parquet files, and Build has a
// process that never held the raw extract write the shared database
// afresh from them. A database file that held the raw extract would keep
// it in its freed blocks, and one written by a process that held it can
// carry it in the padding of its blocks.
package pseudonym

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"database/sql/driver"
	"encoding/base64"
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

// MinKeyBytes is the fewest random bytes a key must hold: a key is their
// base64 encoding.
const MinKeyBytes = 32

// KeyHowTo says how to make a key, for the messages that refuse one.
const KeyHowTo = "make one from 32 bytes of the system's random source, base64-encoded: " +
	"(umask 077; head -c 32 /dev/urandom | base64 > /etc/lacaudit/key)"

// Key reads the key from a file (its content, surrounding white space
// trimmed) or, with no file, from the environment. The key must be the
// base64 encoding of at least MinKeyBytes random bytes, and a key file must
// be a regular file that neither group nor others can read or write. The
// keyed hashes use the key's text, as they always have.
func Key(file string) ([]byte, error) {
	var k string
	if file != "" {
		st, err := os.Stat(file)
		if err != nil {
			return nil, fmt.Errorf("read pseudonymisation key: %w", err)
		}
		if !st.Mode().IsRegular() {
			return nil, fmt.Errorf("pseudonymisation key file %s is not a regular file", file)
		}
		if st.Mode().Perm()&0o077 != 0 {
			return nil, fmt.Errorf("pseudonymisation key file %s has permissions %04o: only its owner may read it (chmod 600 %s)", file, st.Mode().Perm(), file)
		}
		b, err := os.ReadFile(file)
		if err != nil {
			return nil, fmt.Errorf("read pseudonymisation key: %w", err)
		}
		k = strings.TrimSpace(string(b))
	} else {
		k = strings.TrimSpace(os.Getenv(EnvKey))
	}
	if k == "" {
		return nil, errors.New("--pseudonymise needs a key: --pseudonymise-key-file FILE or the environment variable " + EnvKey + "; " + KeyHowTo)
	}
	if err := CheckKey(k); err != nil {
		return nil, err
	}
	return []byte(k), nil
}

// CheckKey says whether k is a key Key accepts: the base64 encoding (standard
// or URL alphabet, padded or not) of at least MinKeyBytes bytes that look
// random. A passphrase is refused: it has far less entropy than its length.
func CheckKey(k string) error {
	var raw []byte
	for _, enc := range []*base64.Encoding{base64.StdEncoding, base64.RawStdEncoding, base64.URLEncoding, base64.RawURLEncoding} {
		if b, err := enc.DecodeString(k); err == nil {
			raw = b
			break
		}
	}
	if raw == nil {
		return errors.New("the pseudonymisation key is not base64 (a passphrase is not a key); " + KeyHowTo)
	}
	if len(raw) < MinKeyBytes {
		return fmt.Errorf("the pseudonymisation key holds %d bytes, fewer than %d; %s", len(raw), MinKeyBytes, KeyHowTo)
	}
	// 32 random bytes have about 30 distinct values (fewer than 20 happens
	// about once in 10^9); a repeated or typed-in pattern has far fewer. A
	// key in letters only (about once in 10^4 for a random one) is a word.
	seen := map[byte]bool{}
	for _, b := range raw {
		seen[b] = true
	}
	letters := strings.IndexFunc(k, func(r rune) bool {
		return !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r == '=')
	}) < 0
	if len(seen) < 20 || letters {
		return errors.New("the pseudonymisation key does not look random; " + KeyHowTo)
	}
	return nil
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
// WORKER of SW and IRO allocations, the child of each data-quality warning,
// and the case system's own key of each quality assurance alert (A-...).
// The LA column and an extract of several authorities' LA codes are kept.
// UPNs are dropped and the values of rejected rows withheld, since a raw
// line names its child; a reason that could quote a value is cut to its
// kind (Reason).
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
	hash := func(prefix string) func(string) string {
		return func(v string) string { return Of(key, prefix, v) }
	}
	child := hash("C")
	// Several authorities: the child key is LA:CHILD, and the authority's
	// code is kept (a benchmarking group compares authorities).
	a, err := ingest.ReadAuthorities(ctx, db)
	if err != nil {
		return err
	}
	if a.Several() {
		child = func(v string) string {
			if len(v) > 4 && v[3:4] == ingest.KeySeparator {
				return v[:4] + Of(key, "C", v[4:])
			}
			return Of(key, "C", v)
		}
	}
	if err := mapping(ctx, db, "pmap_child", child, "SELECT DISTINCT child FROM ("+strings.Join(union, " UNION ALL ")+") WHERE child IS NOT NULL"); err != nil {
		return err
	}
	if err := mapping(ctx, db, "pmap_worker", hash("W"), "SELECT DISTINCT worker FROM allocations WHERE role IN ('SW', 'IRO') AND worker IS NOT NULL"); err != nil {
		return err
	}
	if err := mapping(ctx, db, "pmap_alert", hash("A"), "SELECT DISTINCT alert_id FROM qa_alerts WHERE alert_id IS NOT NULL"); err != nil {
		return err
	}
	if err := mapping(ctx, db, "pmap_reason", Reason, "SELECT DISTINCT reason FROM rejects WHERE reason IS NOT NULL"); err != nil {
		return err
	}
	var script strings.Builder
	for _, t := range append(childTables, "dq_warnings") {
		fmt.Fprintf(&script, "UPDATE %[1]s SET child = m.pseudonym FROM pmap_child m WHERE %[1]s.child = m.value;\n", t)
	}
	script.WriteString(`UPDATE allocations SET worker = m.pseudonym FROM pmap_worker m
    WHERE allocations.role IN ('SW', 'IRO') AND allocations.worker = m.value;
UPDATE qa_alerts SET alert_id = m.pseudonym FROM pmap_alert m WHERE qa_alerts.alert_id = m.value;
UPDATE header SET upn = NULL;
UPDATE rejects SET value = '(withheld: pseudonymised run)';
UPDATE rejects SET reason = m.pseudonym FROM pmap_reason m WHERE rejects.reason = m.value;
DROP TABLE pmap_child;
DROP TABLE pmap_worker;
DROP TABLE pmap_alert;
DROP TABLE pmap_reason;
`)
	return db.Exec(ctx, "pseudonymise", script.String())
}

// mapping fills a temporary table (value, pseudonym) for the distinct values
// a query returns: one keyed hash per distinct value, never per row.
func mapping(ctx context.Context, db *store.DB, table string, of func(string) string, query string) error {
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
			if err := a.AppendRow(v, of(v)); err != nil {
				_ = a.Close()
				return fmt.Errorf("pseudonymise: %w", err)
			}
		}
		return a.Close()
	})
}

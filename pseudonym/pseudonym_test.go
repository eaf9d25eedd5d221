package pseudonym

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/base64"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/lacaudit/lacaudit/ingest"
	"github.com/lacaudit/lacaudit/store"
)

func randomKey(t *testing.T, n int) string {
	t.Helper()
	b := make([]byte, n)
	if _, err := rand.Read(b); err != nil {
		t.Fatal(err)
	}
	return base64.StdEncoding.EncodeToString(b)
}

// A key is the base64 encoding of at least 32 random bytes; anything
// shorter or typed in is refused with the way to make one.
func TestKeyMustBe32RandomBytes(t *testing.T) {
	for _, c := range []struct {
		name, key string
		ok        bool
	}{
		{"32 random bytes", randomKey(t, 32), true},
		{"64 random bytes", randomKey(t, 64), true},
		{"32 random bytes, URL alphabet unpadded", base64.RawURLEncoding.EncodeToString([]byte(mustDecode(t, randomKey(t, 32)))), true},
		{"a passphrase", "a benchmarking group secret", false},
		{"16 random bytes", randomKey(t, 16), false},
		{"24 random bytes", randomKey(t, 24), false},
		{"a repeated pattern", strings.Repeat("abcd", 11), false},
		{"base64 of a repeated word", base64.StdEncoding.EncodeToString([]byte(strings.Repeat("password", 5))), false},
		{"letters only", "ThisIsTheCouncilsBenchmarkingKeyForLacauditRuns", false},
	} {
		err := CheckKey(c.key)
		if (err == nil) != c.ok {
			t.Errorf("%s (%q): %v", c.name, c.key, err)
		}
		if err != nil && !strings.Contains(err.Error(), "head -c 32 /dev/urandom | base64") {
			t.Errorf("%s: the message does not say how to make a key: %v", c.name, err)
		}
	}
}

func mustDecode(t *testing.T, s string) string {
	b, err := base64.StdEncoding.DecodeString(s)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// A key file that group or others can read is refused; the owner's own is
// read, and its text is the key.
func TestKeyFileReadableByOthersIsRefused(t *testing.T) {
	k := randomKey(t, 32)
	path := filepath.Join(t.TempDir(), "key")
	if err := os.WriteFile(path, []byte(k+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	for _, mode := range []os.FileMode{0o640, 0o604, 0o644, 0o660} {
		if err := os.Chmod(path, mode); err != nil {
			t.Fatal(err)
		}
		if _, err := Key(path); err == nil || !strings.Contains(err.Error(), "chmod 600") {
			t.Errorf("mode %04o: %v", mode, err)
		}
	}
	if err := os.Chmod(path, 0o400); err != nil {
		t.Fatal(err)
	}
	got, err := Key(path)
	if err != nil || string(got) != k {
		t.Errorf("mode 0400: %q, %v", got, err)
	}
	t.Setenv(EnvKey, "short")
	if _, err := Key(""); err == nil {
		t.Error("a short key from the environment was accepted")
	}
}

// The reasons lacaudit writes itself are kept; a database error passed on
// into a reason, which can quote the value, is cut to its kind.
func TestReasonWithholdsQuotedValues(t *testing.T) {
	for _, c := range []struct{ in, want string }{
		{"not a date (expected dd/mm/yyyy or yyyy-mm-dd)", "not a date (expected dd/mm/yyyy or yyyy-mm-dd)"},
		{"required value is empty", "required value is empty"},
		{"not one of SW, IRO, TEAM", "not one of SW, IRO, TEAM"},
		{"wrong number of fields: expected 5, 6 found", "wrong number of fields: expected 5, 6 found"},
		{"cast: Could not convert string 'Jane Smith' to INT64", "cast (details withheld)"},
		{"not one of SW, IRO, TEAM: 'Jane Smith'", "(reason withheld)"},
		{"Error in line 4: Jane Smith, 104729", "(reason withheld)"},
		{"wrong number of fields: expected 5, 104729,Jane Smith found", "wrong number of fields (details withheld)"},
	} {
		if got := Reason(c.in); got != c.want {
			t.Errorf("Reason(%q) = %q, want %q", c.in, got, c.want)
		}
	}
}

// The shared database a pseudonymised run writes holds only the allowed
// columns: no postcode, URN, pupil number, free text or full date of
// birth; the case system's alert ids are keyed hashes, and a reject's
// reason that quoted a value is withheld. The file's bytes hold none of
// the withheld values.
func TestExportKeepsOnlyTheAllowList(t *testing.T) {
	ctx := context.Background()
	in := t.TempDir()
	files := map[string]string{
		"header.csv":      "CHILD,DOB,SEX,ETHNIC,UPN,MOTHER,MC_DOB\nK7001,17/05/2012,1,WBRI,X12345678901Q,1,03/02/2028\n",
		"episodes.csv":    "CHILD,DECOM,RNE,LS,PLACE,DEC,REC,HOME_POST,PL_POST,URN\nK7001,01/01/2024,S,C2,U1,,,ZZ9 9QX,ZY8 8QW,SC998877\n",
		"reviews.csv":     "CHILD,REVIEW,DOB\nK7001,20/01/2024,17/05/2012\n",
		"qa_alerts.csv":   "ALERT_ID,CHILD,RAISED,REASON,LEVEL\nQAX4455,K7001,01/02/2024,Quentin Quayle raised it,2\n",
		"allocations.csv": "CHILD,ROLE,WORKER,START\nK7001,SW,Philippa Pseudonymous,01/01/2024\nK7001,TEAM,Team North,01/01/2024\n",
	}
	for name, text := range files {
		if err := os.WriteFile(filepath.Join(in, name), []byte(text), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	db, err := store.Open(ctx, "", store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if _, err := ingest.Load(ctx, db, ingest.Options{Dir: in, RejectThreshold: 0.05}); err != nil {
		t.Fatal(err)
	}
	if _, err := ingest.Checks(ctx, db, time.Date(2024, 6, 1, 0, 0, 0, 0, time.UTC)); err != nil {
		t.Fatal(err)
	}
	if _, err := db.ExecContext(ctx, `INSERT INTO rejects VALUES ('visits.csv', 'visits', 3, 'CHILD', 'K7001', 'cast: could not convert ''K7001''')`); err != nil {
		t.Fatal(err)
	}
	key := []byte(randomKey(t, 32))
	if err := Apply(ctx, db, key); err != nil {
		t.Fatal(err)
	}
	shared := filepath.Join(t.TempDir(), "shared.duckdb")
	parquet := t.TempDir()
	if err := os.Chmod(parquet, 0o700); err != nil {
		t.Fatal(err)
	}
	if err := Export(ctx, db, parquet); err != nil {
		t.Fatal(err)
	}
	// The run's child process does this (Build); the file must be new.
	if err := WriteShared(ctx, parquet, shared, store.Options{}); err != nil {
		t.Fatal(err)
	}
	if err := WriteShared(ctx, parquet, shared, store.Options{}); err == nil || !strings.Contains(err.Error(), "exists already") {
		t.Errorf("a second WriteShared over the same file: %v", err)
	}
	out, err := store.Open(ctx, shared, store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	var columns string
	if err := out.QueryRow(`SELECT string_agg(table_name || '.' || column_name, ' ' ORDER BY table_name, column_index)
		FROM duckdb_columns() WHERE table_name IN ('header', 'episodes', 'reviews', 'qa_alerts')`).Scan(&columns); err != nil {
		t.Fatal(err)
	}
	want := "episodes.child episodes.decom episodes.rne episodes.ls episodes.place episodes.dec episodes.rec " +
		"episodes.reason_place_change episodes.cin episodes.place_provider episodes.la " +
		"header.child header.dob header.sex header.ethnic header.mother header.la " +
		"qa_alerts.alert_id qa_alerts.child qa_alerts.raised qa_alerts.level qa_alerts.resolved qa_alerts.escalated qa_alerts.la " +
		"reviews.child reviews.review reviews.review_code reviews.dob reviews.la"
	if columns != want {
		t.Errorf("columns\n got %s\nwant %s", columns, want)
	}
	var dob, reviewDOB time.Time
	var alert, worker, reason, value string
	if err := out.QueryRow(`SELECT h.dob, r.dob, q.alert_id, a.worker, j.reason, j.value
		FROM header h, reviews r, qa_alerts q, allocations a, rejects j WHERE a.role = 'SW'`).Scan(&dob, &reviewDOB, &alert, &worker, &reason, &value); err != nil {
		t.Fatal(err)
	}
	if d := dob.Format(time.DateOnly); d != "2012-05-01" || reviewDOB.Format(time.DateOnly) != d {
		t.Errorf("dates of birth %s and %s, want their month: 2012-05-01", d, reviewDOB.Format(time.DateOnly))
	}
	if alert != Of(key, "A", "QAX4455") || worker != Of(key, "W", "Philippa Pseudonymous") {
		t.Errorf("alert %q, worker %q: not keyed hashes", alert, worker)
	}
	if reason != "cast (details withheld)" || strings.Contains(value, "K7001") {
		t.Errorf("reject reason %q, value %q", reason, value)
	}
	var teams int
	if err := out.QueryRow("SELECT count(*) FROM allocations WHERE worker = 'Team North'").Scan(&teams); err != nil || teams != 1 {
		t.Errorf("team names are kept: %d (%v)", teams, err)
	}
	out.Close()
	b, err := os.ReadFile(shared)
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range []string{"K7001", "X12345678901Q", "ZZ9 9QX", "ZY8 8QW", "SC998877", "QAX4455", "Quentin Quayle", "Philippa Pseudonymous"} {
		if bytes.Contains(b, []byte(s)) {
			t.Errorf("the shared database's bytes hold %q", s)
		}
	}
}

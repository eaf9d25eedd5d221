package ingest

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/lacaudit/lacaudit/store"
)

// The LA column of an extract, table by table: what ResolveAuthorities
// decides, the child keys it leaves and the refusals, each naming the file
// and the column.
func TestResolveAuthorities(t *testing.T) {
	two := map[string]string{
		"header.csv":   "LA,CHILD,DOB\n201,C1,01/02/2015\n202,C1,03/04/2016\n",
		"episodes.csv": "LA,CHILD,DECOM,RNE,LS,PLACE,DEC,REC\n201,C1,01/03/2024,S,C2,U3,,\n202,C1,05/06/2024,S,C2,U3,,\n",
		"reviews.csv":  "LA,CHILD,REVIEW,REVIEW_CODE\n201,C1,20/03/2024,PN1\n202,C1,20/06/2024,PN9\n",
	}
	with := func(name, content string) map[string]string {
		m := map[string]string{}
		for k, v := range two {
			m[k] = v
		}
		m[name] = content
		return m
	}
	tests := []struct {
		name     string
		files    map[string]string
		codes    []string
		children []string // header's child keys, in order
		warned   []string // the children of the load's warnings (REVIEW_CODE)
		loadWarn []string // the children of the load's own warnings (one episode ended and open)
		refused  []string // the message's parts; none: no refusal
	}{
		{name: "no LA column: one authority, no code",
			files:    map[string]string{"header.csv": header, "episodes.csv": episodes, "reviews.csv": reviews},
			children: []string{"00123", "123"}},
		{name: "two authorities, the same child id: two children",
			files: two, codes: []string{"201", "202"}, children: []string{"201:C1", "202:C1"}, warned: []string{"202:C1"}},
		{name: "two authorities, one episode recorded ended and open: the warning's child is the authority's",
			files: with("episodes.csv", "LA,CHILD,DECOM,RNE,LS,PLACE,DEC,REC\n201,C1,01/03/2024,S,C2,U3,,\n202,C1,05/06/2024,S,C2,U3,,\n202,C1,05/06/2024,S,C2,U3,01/07/2024,E11\n"),
			codes: []string{"201", "202"}, children: []string{"201:C1", "202:C1"}, warned: []string{"202:C1"}, loadWarn: []string{"202:C1"}},
		{name: "one authority, one episode recorded ended and open",
			files: map[string]string{
				"header.csv":   "LA,CHILD,DOB\n201,C1,01/02/2015\n",
				"episodes.csv": "LA,CHILD,DECOM,RNE,LS,PLACE,DEC,REC\n201,C1,01/03/2024,S,C2,U3,,\n201,C1,01/03/2024,S,C2,U3,01/07/2024,E11\n",
				"reviews.csv":  "LA,CHILD,REVIEW,REVIEW_CODE\n201,C1,20/03/2024,PN1\n",
			},
			codes: []string{"201"}, children: []string{"C1"}, loadWarn: []string{"C1"}},
		{name: "one authority named in one table only: the others are its",
			files: map[string]string{
				"header.csv":   "LA,CHILD,DOB\n201,C1,01/02/2015\n,C2,01/02/2015\n",
				"episodes.csv": "CHILD,DECOM,RNE,LS,PLACE,DEC,REC\nC1,01/03/2024,S,C2,U3,,\n",
				"reviews.csv":  "LA,CHILD,REVIEW,REVIEW_CODE\n201,C1,20/03/2024,PN9\n",
			},
			codes: []string{"201"}, children: []string{"C1", "C2"}, warned: []string{"C1"}},
		{name: "an LA column with no value: no code, read as a single authority's",
			files: map[string]string{
				"header.csv":   "LA,CHILD,DOB\n,C1,01/02/2015\n,C2,01/02/2015\n",
				"episodes.csv": "LA,CHILD,DECOM,RNE,LS,PLACE,DEC,REC\n,C1,01/03/2024,S,C2,U3,,\n",
				"reviews.csv":  "CHILD,REVIEW,REVIEW_CODE\nC1,20/03/2024,PN9\n",
			},
			children: []string{"C1", "C2"}, warned: []string{"C1"}},
		{name: "two authorities, a table without the column",
			files:   with("reviews.csv", "CHILD,REVIEW\nC1,20/03/2024\n"),
			refused: []string{"reviews.csv has no LA column", "2 local authorities (201, 202)"}},
		{name: "two authorities, an empty LA value",
			files:   with("episodes.csv", "LA,CHILD,DECOM,RNE,LS,PLACE,DEC,REC\n201,C1,01/03/2024,S,C2,U3,,\n,C1,05/06/2024,S,C2,U3,,\n"),
			refused: []string{"episodes.csv: column LA is empty on 1 of 2 rows", "(201, 202)"}},
		{name: "an optional table without the column, with rows",
			files:   with("peps.csv", "CHILD,PEP_DATE\nC1,01/04/2024\n"),
			refused: []string{"peps.csv has no LA column"}},
		{name: "an optional table without the column, no rows: nothing to attribute",
			files: with("peps.csv", "CHILD,PEP_DATE\n"), codes: []string{"201", "202"}, children: []string{"201:C1", "202:C1"}, warned: []string{"202:C1"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			for n, c := range tc.files {
				write(t, dir, n, c)
			}
			_, db, err := load(t, dir, 0.05)
			if err != nil {
				t.Fatal(err)
			}
			ctx := context.Background()
			a, err := ResolveAuthorities(ctx, db)
			if len(tc.refused) > 0 {
				var ie *InputError
				if !errors.As(err, &ie) {
					t.Fatalf("got %v, want an input error", err)
				}
				for _, p := range tc.refused {
					if !strings.Contains(err.Error(), p) {
						t.Errorf("message %q does not say %q", err, p)
					}
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if !slices.Equal(a.Codes, tc.codes) {
				t.Errorf("codes %v, want %v", a.Codes, tc.codes)
			}
			if got := strings.Join(column(t, db, "SELECT child FROM header ORDER BY child"), " "); got != strings.Join(tc.children, " ") {
				t.Errorf("header's children %q, want %q", got, strings.Join(tc.children, " "))
			}
			if got := strings.Join(column(t, db, "SELECT child FROM input_warnings ORDER BY child"), " "); got != strings.Join(tc.warned, " ") {
				t.Errorf("warnings' children %q, want %q", got, strings.Join(tc.warned, " "))
			}
			if got := strings.Join(column(t, db, "SELECT child FROM load_warnings ORDER BY child"), " "); got != strings.Join(tc.loadWarn, " ") {
				t.Errorf("the load's own warnings' children %q, want %q", got, strings.Join(tc.loadWarn, " "))
			}
			back, err := ReadAuthorities(ctx, db)
			if err != nil || !slices.Equal(back.Codes, tc.codes) {
				t.Errorf("read back %v, %v; want %v", back.Codes, err, tc.codes)
			}
		})
	}
}

// An LA code is the DfE's three digits: anything else rejects the row,
// naming the column, as a code outside its list does.
func TestLACodeValidated(t *testing.T) {
	dir := coreDir(t)
	write(t, dir, "header.csv", "CHILD,DOB,LA\nC1,01/02/2015,201\nC2,01/02/2015,2O1\nC3,01/02/2015,Camden\nC4,01/02/2015, 202 \n")
	_, db, err := load(t, dir, 1)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, r := range rejects(t, db) {
		got = append(got, r.Column+" "+r.Value+": "+r.Reason)
	}
	want := []string{
		"LA 2O1: not a local authority code (expected the DfE's three digits, such as 202)",
		"LA Camden: not a local authority code (expected the DfE's three digits, such as 202)",
	}
	if !slices.Equal(got, want) {
		t.Errorf("rejects %q, want %q", got, want)
	}
	if got := strings.Join(column(t, db, "SELECT la FROM header ORDER BY child"), " "); got != "201 202" {
		t.Errorf("codes read %q, want 201 202", got)
	}
}

// ReadAuthorities of a database no load wrote: no authority.
func TestReadAuthoritiesWithoutTable(t *testing.T) {
	a, err := ReadAuthorities(context.Background(), memDB(t))
	if err != nil || a.Recorded() || a.Several() {
		t.Fatalf("got %v, %v; want none", a, err)
	}
	if a.LA("child") != "NULL::VARCHAR" || a.Child("child") != "child" {
		t.Errorf("expressions %s, %s", a.LA("child"), a.Child("child"))
	}
}

// column is the first column of q's rows, as text.
func column(t *testing.T, db *store.DB, q string) []string {
	t.Helper()
	rows, err := db.QueryContext(context.Background(), q)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var s string
		if err := rows.Scan(&s); err != nil {
			t.Fatal(err)
		}
		out = append(out, s)
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	return out
}

// Several authorities in a folder of returns: the refusal names the
// return's file at fault (the one without the LA column, the one with an
// empty value), not every year's file of the table.
func TestAuthorityRefusalNamesTheReturnsFileAtFault(t *testing.T) {
	two := map[string]string{
		"header.csv":   "LA,CHILD,DOB\n201,C1,01/02/2015\n202,C1,03/04/2016\n",
		"episodes.csv": "LA,CHILD,DECOM,RNE,LS,PLACE,DEC,REC\n201,C1,01/03/2024,S,C2,U3,,\n202,C1,05/06/2024,S,C2,U3,,\n",
		"reviews.csv":  "LA,CHILD,REVIEW\n201,C1,20/03/2024\n202,C1,20/06/2024\n",
	}
	for _, c := range []struct {
		name      string
		year, f   string // the file changed
		content   string
		says, not string
	}{
		{"no LA column in one return", "2023-24", "header.csv", "CHILD,DOB\nC1,01/02/2015\nC2,03/04/2016\n",
			"2023-24/header.csv has no LA column, while the extract names 2 local authorities (201, 202)", "2024-25/header.csv"},
		{"an empty LA value in one return", "2024-25", "reviews.csv", "LA,CHILD,REVIEW\n201,C1,20/03/2024\n,C1,20/06/2024\n",
			"2024-25/reviews.csv: column LA is empty on 1 of 2 rows, while the extract names 2 local authorities", "2023-24/reviews.csv"},
	} {
		t.Run(c.name, func(t *testing.T) {
			dir := t.TempDir()
			for _, y := range []string{"2023-24", "2024-25"} {
				if err := os.Mkdir(filepath.Join(dir, y), 0o700); err != nil {
					t.Fatal(err)
				}
				for n, content := range two {
					if y == c.year && n == c.f {
						content = c.content
					}
					write(t, filepath.Join(dir, y), n, content)
				}
			}
			_, db, err := load(t, dir, 0.05)
			if err != nil {
				t.Fatal(err)
			}
			_, err = ResolveAuthorities(context.Background(), db)
			var ie *InputError
			if !errors.As(err, &ie) {
				t.Fatalf("got %v, want an input error", err)
			}
			if !strings.Contains(err.Error(), c.says) || strings.Contains(err.Error(), c.not) {
				t.Errorf("message %q: want %q, and not %q", err, c.says, c.not)
			}
		})
	}
}

package synth

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// CutReturns cuts a hand-made history as the DfE cuts returns. Child 1's
// episode runs from 10/02/2024 to 05/06/2024 (RNE S), then a placement
// move (RNE P) to date; child 2 left care on 20/03/2024; child 3 came in on
// 01/04/2025. Reviews fall in the year they were held; a review of
// 25/03/2025 whose record was completed on 02/04/2025 is in 2024-25 without
// the completion, and in 2025-26 with it (the newer return wins when
// merged). A planned date is part of the record, as a real return carries
// it: adjourned to 15/04/2025 stays in 2024-25, and a review adjourned to
// 20/11/2025, after the extract date, keeps that date in 2025-26.
func TestCutReturns(t *testing.T) {
	full, out := t.TempDir(), t.TempDir()
	files := map[string]string{
		"header.csv": "CHILD,SEX,DOB\r\n1,1,01/01/2010\r\n2,2,02/02/2011\r\n3,1,03/03/2012\r\n",
		"episodes.csv": "CHILD,DECOM,RNE,LS,PLACE,DEC,REC\r\n" +
			"1,10/02/2024,S,C2,U1,05/06/2024,P1\r\n1,05/06/2024,P,C2,U3,,\r\n" +
			"2,01/01/2023,S,V2,U1,20/03/2024,E11\r\n3,01/04/2025,S,C2,U1,,\r\n",
		"reviews.csv":        "CHILD,DOB,REVIEW\r\n1,01/01/2010,09/03/2024\r\n1,01/01/2010,25/03/2025\r\n3,03/03/2012,29/04/2025\r\n",
		"review_details.csv": "CHILD,REVIEW,ADJOURNED_TO,RECORD_COMPLETED\r\n1,2025-03-25,2025-04-15,2025-04-02\r\n3,2025-04-29,2025-11-20,\r\n",
	}
	for name, body := range files {
		if err := os.WriteFile(filepath.Join(full, name), []byte(body), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	if err := CutReturns(full, out, 3, time.Date(2025, time.October, 30, 0, 0, 0, 0, time.UTC)); err != nil {
		t.Fatal(err)
	}
	want := map[string]string{
		"2023-24/header.csv": "CHILD,SEX,DOB\n1,1,01/01/2010\n2,2,02/02/2011\n",
		"2023-24/episodes.csv": "CHILD,DECOM,RNE,LS,PLACE,DEC,REC\n" +
			"1,10/02/2024,S,C2,U1,,\n2,01/01/2023,S,V2,U1,20/03/2024,E11\n",
		"2023-24/reviews.csv":        "CHILD,DOB,REVIEW\n1,01/01/2010,09/03/2024\n",
		"2023-24/review_details.csv": "CHILD,REVIEW,ADJOURNED_TO,RECORD_COMPLETED\n",
		"2024-25/header.csv":         "CHILD,SEX,DOB\n1,1,01/01/2010\n",
		"2024-25/episodes.csv": "CHILD,DECOM,RNE,LS,PLACE,DEC,REC\n" +
			"1,10/02/2024,S,C2,U1,05/06/2024,P1\n1,05/06/2024,P,C2,U3,,\n",
		"2024-25/reviews.csv":        "CHILD,DOB,REVIEW\n1,01/01/2010,25/03/2025\n",
		"2024-25/review_details.csv": "CHILD,REVIEW,ADJOURNED_TO,RECORD_COMPLETED\n1,2025-03-25,2025-04-15,\n",
		"2025-26/header.csv":         "CHILD,SEX,DOB\n1,1,01/01/2010\n3,1,03/03/2012\n",
		"2025-26/episodes.csv":       "CHILD,DECOM,RNE,LS,PLACE,DEC,REC\n1,05/06/2024,P,C2,U3,,\n3,01/04/2025,S,C2,U1,,\n",
		"2025-26/reviews.csv":        "CHILD,DOB,REVIEW\n3,03/03/2012,29/04/2025\n",
		"2025-26/review_details.csv": "CHILD,REVIEW,ADJOURNED_TO,RECORD_COMPLETED\n1,2025-03-25,2025-04-15,2025-04-02\n3,2025-04-29,2025-11-20,\n",
	}
	for name, w := range want {
		b, err := os.ReadFile(filepath.Join(out, name))
		if err != nil {
			t.Fatal(err)
		}
		if got := strings.ReplaceAll(string(b), "\r\n", "\n"); got != w {
			t.Errorf("%s:\n%s\nwant\n%s", name, got, w)
		}
	}
	entries, _ := os.ReadDir(out)
	if len(entries) != 3 {
		t.Errorf("%d folders, want 3 (2023-24, 2024-25, 2025-26)", len(entries))
	}
}

// A sample written over an earlier sample of returns leaves none of its
// year folders, and a sample of returns none of an earlier sample's files.
func TestSampleOverAnEarlierSampleOfReturns(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "s")
	o := Options{Children: 20, Seed: 1, Extract: time.Date(2026, 10, 30, 0, 0, 0, 0, time.UTC), Years: 3, Returns: 2}
	if err := Generate(dir, o); err != nil {
		t.Fatal(err)
	}
	o.Returns = 0
	if err := Generate(dir, o); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(dir, "2025-26")); err == nil {
		t.Errorf("the earlier sample's 2025-26 folder is still there")
	}
	o.Returns = 2
	if err := Generate(dir, o); err != nil {
		t.Fatal(err)
	}
	entries, _ := os.ReadDir(dir)
	var names []string
	for _, e := range entries {
		names = append(names, e.Name())
	}
	if strings.Join(names, " ") != ".lacaudit-sample 2025-26 2026-27" {
		t.Errorf("folder holds %v", names)
	}
}

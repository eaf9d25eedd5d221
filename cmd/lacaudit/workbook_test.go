package main

import (
	"bytes"
	"encoding/csv"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"
)

// findingsRows reads findings.csv into maps by column name.
func findingsRows(t *testing.T, path string) []map[string]string {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	recs, err := csv.NewReader(f).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	// lacaudit's CSV files start with a UTF-8 byte order mark, for Excel.
	recs[0][0] = strings.TrimPrefix(recs[0][0], "\uFEFF")
	var out []map[string]string
	for _, r := range recs[1:] {
		m := map[string]string{}
		for i, h := range recs[0] {
			m[h] = r[i]
		}
		out = append(out, m)
	}
	return out
}

var chain = map[string]bool{"REV_INITIAL": true, "REV_SECOND": true, "REV_SUBSEQUENT": true,
	"REV_ADOPT_FIRST": true, "REV_ADOPT_SECOND": true, "REV_ADOPT_SUBSEQUENT": true}

// The workbook the binary writes on the bundled sample has every sheet with
// its headers, and its Summary figures and Action list agree with
// findings.csv, worked out here independently.
func TestWorkbookAgreesWithFindings(t *testing.T) {
	out := t.TempDir()
	if r := lacaudit(t, "run", "--as-of", goldenAsOf, "--out", out); r.code != 0 {
		t.Fatal(r.stderr)
	}
	name := "lacaudit-" + goldenAsOf + ".xlsx"
	if sum(t, filepath.Join(out, name)) != sum(t, filepath.Join(out, "latest.xlsx")) {
		t.Error("latest.xlsx is not the night's workbook")
	}
	wb, err := excelize.OpenFile(filepath.Join(out, name))
	if err != nil {
		t.Fatal(err)
	}
	defer wb.Close()
	wantSheets := []string{"Summary", "Action list", "Reviews", "After-review records", "Plans and education",
		"Placements and disruption", "Health and visits", "Allocation", "By team", "By IRO", "Trend", "Data quality", "Warnings", "Method"}
	if got := wb.GetSheetList(); strings.Join(got, "|") != strings.Join(wantSheets, "|") {
		t.Fatalf("sheets %v, want %v", got, wantSheets)
	}
	headers := map[string]string{
		"Action list":  "Child|Review|Due|Days left|Status|Consult child by|Invitations by|SW report by|Team|Social worker|IRO",
		"Reviews":      "Obligation|Child|Period start|Due|Done|Status|Days late|Team|Social worker|IRO",
		"Allocation":   "Obligation|Child|Period start|Due|Done|Status|Days late|Team|Social worker|IRO",
		"Data quality": "Table|Rows read|Source|Rejected|Columns ignored",
		"Summary":      "Figure|Value|Of|Green from|Amber from|Detail",
		"Trend":        "Month|Reviews held|In timescale|% in timescale",
	}
	for sheet, want := range headers {
		rows, err := wb.GetRows(sheet)
		if err != nil {
			t.Fatal(err)
		}
		found := false
		for _, r := range rows {
			if strings.Join(r, "|") == want {
				found = true
				break
			}
		}
		if !found {
			t.Errorf("sheet %s has no header row %q", sheet, want)
		}
	}
	for _, sheet := range wantSheets {
		if panes, err := wb.GetPanes(sheet); err != nil || !panes.Freeze {
			t.Errorf("sheet %s: header rows not frozen (%v)", sheet, err)
		}
	}

	fs := findingsRows(t, filepath.Join(out, "findings.csv"))
	asOf, _ := time.Parse(time.DateOnly, goldenAsOf)
	yearAgo := asOf.AddDate(-1, 0, 0)
	var held, due, dueMet, overdue, sw, swMet int
	var actions []string
	for _, f := range fs {
		if chain[f["rule"]] {
			if f["done"] != "" {
				d, _ := time.Parse(time.DateOnly, f["done"])
				if d.After(yearAgo) && !d.After(asOf) {
					held++
				}
			}
			// the looked-after chain's reviews due in the window
			dd, _ := time.Parse(time.DateOnly, f["due"])
			if !strings.HasPrefix(f["rule"], "REV_ADOPT") && f["status"] != "upcoming" && dd.After(yearAgo) && !dd.After(asOf) {
				due++
				if f["status"] == "met" {
					dueMet++
				}
			}
			if f["status"] == "overdue" {
				overdue++
				actions = append(actions, f["child"]+" "+f["due"])
			}
			if f["status"] == "upcoming" {
				actions = append(actions, f["child"]+" "+f["due"]) // filtered by 20 working days below
			}
		}
		if f["rule"] == "NO_ALLOCATED_SW" {
			sw++
			if f["status"] == "met" {
				swMet++
			}
		}
	}
	summary := map[string][]string{}
	rows, _ := wb.GetRows("Summary", excelize.Options{RawCellValue: true})
	for _, r := range rows {
		if len(r) > 1 {
			summary[strings.TrimSpace(r[0])] = r
		}
	}
	checkNum := func(label string, want float64) {
		t.Helper()
		r, ok := summary[label]
		if !ok {
			t.Errorf("Summary has no %q", label)
			return
		}
		got, err := strconv.ParseFloat(r[1], 64)
		if err != nil || fmt.Sprintf("%.6f", got) != fmt.Sprintf("%.6f", want) {
			t.Errorf("Summary %q = %q, want %v", label, r[1], want)
		}
	}
	checkNum("Reviews held in the last 12 months", float64(held))
	checkNum("Reviews held in timescale, of those due in the last 12 months", float64(dueMet)/float64(due))
	checkNum("Reviews overdue now", float64(overdue))
	checkNum("Children with an allocated social worker", float64(swMet)/float64(sw))
	if r := summary["Reviews held in timescale, of those due in the last 12 months"]; len(r) < 3 || r[2] != fmt.Sprintf("%d of %d", dueMet, due) {
		t.Errorf("Summary 'of' column %v", r)
	}

	// Every overdue review is on the Action list; every row there is an
	// overdue or upcoming review of findings.csv.
	al, _ := wb.GetRows("Action list", excelize.Options{RawCellValue: true})
	onList := map[string]bool{}
	for _, r := range al {
		if len(r) > 4 && (r[4] == "overdue" || r[4] == "upcoming") {
			serial, err := strconv.ParseFloat(r[2], 64)
			if err != nil {
				t.Fatalf("Action list due %q is not a real date", r[2])
			}
			d, _ := excelize.ExcelDateToTime(serial, false)
			onList[r[0]+" "+d.Format(time.DateOnly)] = true
		}
	}
	inFindings := map[string]bool{}
	for _, a := range actions {
		inFindings[a] = true
	}
	for k := range onList {
		if !inFindings[k] {
			t.Errorf("Action list row %s is not an overdue or upcoming review in findings.csv", k)
		}
	}
	for _, f := range fs {
		if chain[f["rule"]] && f["status"] == "overdue" && !onList[f["child"]+" "+f["due"]] {
			t.Errorf("overdue review %s %s missing from the Action list", f["child"], f["due"])
		}
	}
}

// A worker named like a formula stays text in the workbook.
func TestFormulaLikeTextStaysText(t *testing.T) {
	in := t.TempDir()
	if r := lacaudit(t, "sample", "--children", "30", "--extract-date", goldenAsOf, "--out", in); r.code != 0 {
		t.Fatal(r.stderr)
	}
	path := filepath.Join(in, "allocations.csv")
	b, _ := os.ReadFile(path)
	evil := `"=HYPERLINK(""http://example.invalid"",""click"")"`
	lines := strings.Split(string(b), "\r\n")
	for i, l := range lines {
		if strings.Contains(l, ",SW,") {
			parts := strings.SplitN(l, ",", 4) // CHILD, SW, WORKER, "START,END"
			lines[i] = parts[0] + ",SW," + evil + "," + parts[3]
		}
	}
	// Teams and IROs that start with the other characters a spreadsheet
	// reads as a formula, and a rejected date that does.
	starts := []string{"@SUM(1+1)", "+1+1", "-1+1", "\t=1+1", "＝1+1", "＠SUM(1)"}
	n := 0
	for i, l := range lines {
		if strings.Contains(l, ",TEAM,") || strings.Contains(l, ",IRO,") {
			parts := strings.SplitN(l, ",", 4)
			lines[i] = parts[0] + "," + parts[1] + ",\"" + starts[n%len(starts)] + "\"," + parts[3]
			n++
		}
	}
	os.WriteFile(path, []byte(strings.Join(lines, "\r\n")), 0o600)
	visits, _ := os.ReadFile(filepath.Join(in, "visits.csv"))
	child := strings.SplitN(strings.Split(string(visits), "\n")[1], ",", 2)[0]
	os.WriteFile(filepath.Join(in, "visits.csv"), append(visits, []byte(child+",=1+2,Y,Y\r\n")...), 0o600)
	out := t.TempDir()
	if r := lacaudit(t, "run", "--input", in, "--as-of", goldenAsOf, "--out", out); r.code != 0 {
		t.Fatal(r.stderr)
	}
	// In the CSV files, every such text field starts with an apostrophe
	// (OWASP's mitigation), and each file with a UTF-8 byte order mark.
	guarded := 0
	for _, f := range []string{"findings.csv", "rejects.csv"} {
		b, err := os.ReadFile(filepath.Join(out, f))
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.HasPrefix(b, []byte("\uFEFF")) {
			t.Errorf("%s does not start with a UTF-8 byte order mark", f)
		}
		for _, r := range findingsRows(t, filepath.Join(out, f)) {
			for col, v := range r {
				if v == "" {
					continue
				}
				if strings.ContainsRune("=+-@\t\r＝＋－＠", []rune(v)[0]) {
					t.Errorf("%s: %s %q is not guarded", f, col, v)
					break
				}
				if strings.HasPrefix(v, "'") {
					guarded++
				}
			}
		}
	}
	if guarded < 3 {
		t.Errorf("only %d guarded fields: the formula-like values did not reach the CSV files", guarded)
	}
	wb, err := excelize.OpenFile(filepath.Join(out, "latest.xlsx"))
	if err != nil {
		t.Fatal(err)
	}
	defer wb.Close()
	seen := 0
	for _, sheet := range wb.GetSheetList() {
		rows, _ := wb.GetRows(sheet)
		for i, r := range rows {
			for j, v := range r {
				if !strings.HasPrefix(v, "=HYPERLINK") {
					continue
				}
				seen++
				ref, _ := excelize.CoordinatesToCellName(j+1, i+1)
				if f, _ := wb.GetCellFormula(sheet, ref); f != "" {
					t.Errorf("%s!%s holds the formula %q", sheet, ref, f)
				}
			}
		}
	}
	if seen == 0 {
		t.Fatal("the formula-like worker name appears nowhere in the workbook")
	}
}

// LibreOffice, a real spreadsheet program, opens the workbook and every
// sheet converts to CSV. .ci/run installs LibreOffice; elsewhere the test is
// skipped unless LACAUDIT_REQUIRE_SOFFICE is set.
func TestWorkbookOpensInLibreOffice(t *testing.T) {
	requireSoffice(t)
	out := t.TempDir()
	if r := lacaudit(t, "run", "--as-of", goldenAsOf, "--out", out); r.code != 0 {
		t.Fatal(r.stderr)
	}
	conv := t.TempDir()
	wb, _ := excelize.OpenFile(filepath.Join(out, "latest.xlsx"))
	sheets := wb.GetSheetList()
	wb.Close()
	if err := sofficeCSV(filepath.Join(out, "latest.xlsx"), conv); err != nil {
		t.Fatal(err)
	}
	for _, sheet := range sheets {
		b, err := os.ReadFile(filepath.Join(conv, "latest-"+sheet+".csv"))
		if err != nil {
			t.Errorf("LibreOffice wrote no CSV for sheet %s: %v", sheet, err)
			continue
		}
		if !strings.Contains(string(b), "Example Borough Council") {
			t.Errorf("sheet %s as converted by LibreOffice lacks its heading", sheet)
		}
	}
}

// requireSoffice skips the test where LibreOffice is not installed, unless
// LACAUDIT_REQUIRE_SOFFICE is set (as .ci/run sets it): then it fails.
func requireSoffice(t *testing.T) {
	t.Helper()
	if _, err := exec.LookPath("soffice"); err != nil {
		if os.Getenv("LACAUDIT_REQUIRE_SOFFICE") != "" {
			t.Fatal("LibreOffice (soffice) is required but not installed")
		}
		t.Skip("LibreOffice not installed")
	}
}

// sofficeCSV converts every sheet of a workbook to CSV files in dir with
// LibreOffice (the CSV filter's sheet option -1 writes each sheet apart).
func sofficeCSV(path, dir string) error {
	cmd := exec.Command("soffice", "--headless", "-env:UserInstallation=file://"+filepath.Join(dir, "profile"),
		"--convert-to", `csv:Text - txt - csv (StarCalc):44,34,76,1,,0,false,true,false,false,false,-1`,
		"--outdir", dir, path)
	if b, err := cmd.CombinedOutput(); err != nil {
		return fmt.Errorf("soffice: %v\n%s", err, b)
	}
	return nil
}

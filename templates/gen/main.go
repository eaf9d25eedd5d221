// Command gen writes templates/house-style.xlsx, the bundled house style:
// run `go run ./templates/gen` from the repository root. An authority does
// not need this: it edits a copy of the file in a spreadsheet program.
package main

import (
	"fmt"
	"os"

	"github.com/xuri/excelize/v2"

	"github.com/lacaudit/lacaudit/templates"
)

const (
	navy  = "1F3864"
	slate = "44546A"
	font  = "Arial"
)

func main() {
	if err := write("templates/house-style.xlsx"); err != nil {
		fmt.Fprintln(os.Stderr, "gen:", err)
		os.Exit(1)
	}
}

func write(path string) error {
	f := excelize.NewFile()
	defer f.Close()
	if err := f.SetSheetName("Sheet1", templates.Sheet); err != nil {
		return err
	}
	thin := []excelize.Border{{Type: "bottom", Color: "BFBFBF", Style: 1}}
	styles := map[string]*excelize.Style{
		"authority": {Font: &excelize.Font{Family: font, Size: 10, Bold: true, Color: slate}},
		"title":     {Font: &excelize.Font{Family: font, Size: 16, Bold: true, Color: navy}},
		"subtitle":  {Font: &excelize.Font{Family: font, Size: 10, Italic: true, Color: "595959"}},
		"heading":   {Font: &excelize.Font{Family: font, Size: 12, Bold: true, Color: navy}, Border: []excelize.Border{{Type: "bottom", Color: navy, Style: 2}}},
		"header": {Font: &excelize.Font{Family: font, Size: 10, Bold: true, Color: "FFFFFF"},
			Fill: excelize.Fill{Type: "pattern", Pattern: 1, Color: []string{navy}}, Alignment: &excelize.Alignment{WrapText: true, Vertical: "center"}},
		"body":  {Font: &excelize.Font{Family: font, Size: 10}, Border: thin},
		"link":  {Font: &excelize.Font{Family: font, Size: 10, Color: "0563C1", Underline: "single"}},
		"good":  {Font: &excelize.Font{Family: font, Size: 10, Color: "006100"}, Fill: excelize.Fill{Type: "pattern", Pattern: 1, Color: []string{"C6EFCE"}}},
		"amber": {Font: &excelize.Font{Family: font, Size: 10, Color: "9C5700"}, Fill: excelize.Fill{Type: "pattern", Pattern: 1, Color: []string{"FFEB9C"}}},
		"red":   {Font: &excelize.Font{Family: font, Size: 10, Color: "9C0006"}, Fill: excelize.Fill{Type: "pattern", Pattern: 1, Color: []string{"FFC7CE"}}},
		"table": {Font: &excelize.Font{Family: font, Size: 10}},
		"logo":  {Font: &excelize.Font{Family: font, Size: 10}},
	}
	label, err := f.NewStyle(&excelize.Style{Font: &excelize.Font{Family: font, Size: 10, Color: "595959"}})
	if err != nil {
		return err
	}
	intro, err := f.NewStyle(&excelize.Style{Font: &excelize.Font{Family: font, Size: 11, Bold: true}})
	if err != nil {
		return err
	}
	if err := f.SetCellValue(templates.Sheet, "A1", "lacaudit house style: change the look of column B (font, colour, fill, border) and the texts; keep the layout."); err != nil {
		return err
	}
	if err := f.SetCellStyle(templates.Sheet, "A1", "A1", intro); err != nil {
		return err
	}
	for _, c := range templates.Cells {
		row := c.Cell[1:]
		if err := f.SetCellValue(templates.Sheet, "A"+row, c.Label); err != nil {
			return err
		}
		if err := f.SetCellStyle(templates.Sheet, "A"+row, "A"+row, label); err != nil {
			return err
		}
		id, err := f.NewStyle(styles[c.Key])
		if err != nil {
			return err
		}
		if c.Sample != "" {
			if err := f.SetCellValue(templates.Sheet, c.Cell, c.Sample); err != nil {
				return err
			}
		}
		if err := f.SetCellStyle(templates.Sheet, c.Cell, c.Cell, id); err != nil {
			return err
		}
	}
	if err := f.SetColWidth(templates.Sheet, "A", "A", 62); err != nil {
		return err
	}
	if err := f.SetColWidth(templates.Sheet, "B", "B", 44); err != nil {
		return err
	}
	return f.SaveAs(path)
}

// Package templates holds the workbook house style. house-style.xlsx has one
// sheet, "House style", whose sample cells carry the styles every workbook
// lacaudit writes takes its fonts, fills and borders from, the authority's
// name, the Excel table style of lists, and optionally a logo picture.
// An authority restyles its workbooks by editing a copy of that file in a
// spreadsheet program and passing it with --template; see README.md.
package templates

import (
	"bytes"
	_ "embed"
	"fmt"
	"os"
	"strings"

	"github.com/xuri/excelize/v2"
)

//go:embed house-style.xlsx
var houseStyle []byte

// Sheet is the name of the style sheet in a template.
const Sheet = "House style"

// Cells of the style sheet: each names what it styles (column A) and shows
// it (column B).
var Cells = []struct{ Key, Cell, Label, Sample string }{
	{"authority", "B2", "Authority name (shown on every sheet)", "Example Borough Council"},
	{"title", "B3", "Sheet title", "Children looked after: reviews and plans"},
	{"subtitle", "B4", "Sheet subtitle and notes", "As of 1 November 2026"},
	{"heading", "B5", "Section heading", "Headline figures"},
	{"header", "B6", "Table header row", "Due"},
	{"body", "B7", "Table body", "Team North"},
	{"link", "B8", "Link to a detail sheet", "Reviews"},
	{"good", "B9", "Meets target (green)", "96.0%"},
	{"amber", "B10", "Near target (amber)", "88.0%"},
	{"red", "B11", "Below target (red)", "71.0%"},
	{"table", "B12", "Excel table style of lists (a name from Excel's table styles)", "TableStyleMedium2"},
	{"logo", "B14", "Logo: place a picture with its top-left corner in this cell", ""},
}

// Style is a template read into memory.
type Style struct {
	Authority  string
	TableStyle string
	Styles     map[string]*excelize.Style // by key
	Logo       *excelize.Picture
}

// Default returns the bundled house style.
func Default() (*Style, error) { return read(bytes.NewReader(houseStyle), "the bundled house style") }

// Load reads a template file; an empty path gives the bundled one.
func Load(path string) (*Style, error) {
	if path == "" {
		return Default()
	}
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("read template: %w", err)
	}
	return read(bytes.NewReader(b), path)
}

func read(r *bytes.Reader, name string) (*Style, error) {
	f, err := excelize.OpenReader(r)
	if err != nil {
		return nil, fmt.Errorf("template %s is not a readable workbook: %w", name, err)
	}
	defer f.Close()
	s := &Style{Styles: map[string]*excelize.Style{}}
	for _, c := range Cells {
		id, err := f.GetCellStyle(Sheet, c.Cell)
		if err != nil {
			return nil, fmt.Errorf("template %s: no sheet %q (cell %s): %w", name, Sheet, c.Cell, err)
		}
		st, err := f.GetStyle(id)
		if err != nil {
			return nil, fmt.Errorf("template %s cell %s: %w", name, c.Cell, err)
		}
		s.Styles[c.Key] = st
		v, _ := f.GetCellValue(Sheet, c.Cell)
		switch c.Key {
		case "authority":
			s.Authority = strings.TrimSpace(v)
		case "table":
			s.TableStyle = strings.TrimSpace(v)
		case "logo":
			pics, err := f.GetPictures(Sheet, c.Cell)
			if err == nil && len(pics) > 0 {
				p := pics[0]
				s.Logo = &p
			}
		}
	}
	if s.TableStyle == "" {
		s.TableStyle = "TableStyleMedium2"
	}
	return s, nil
}

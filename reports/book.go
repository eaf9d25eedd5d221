package reports

import (
	"context"
	"fmt"
	"time"

	"github.com/xuri/excelize/v2"

	"github.com/lacaudit/lacaudit/ingest"
	"github.com/lacaudit/lacaudit/store"
	"github.com/lacaudit/lacaudit/templates"
)

// styles are the workbook's cell styles, made from the house style.
type styles struct {
	authority, title, subtitle, heading, header, body, link int
	wrapped                                                 int // subtitle, wrapping within merged cells
	date, month, integer, pct, number, center               int
	good, amber, red                                        int // conditional formats
}

// book is a workbook being written.
type book struct {
	f      *excelize.File
	style  *templates.Style
	st     styles
	sheets int
	tables int

	auth     ingest.Authorities // the extract's authorities, once read (authorities)
	authRead bool
}

// authorities are the authorities of the extract in db, read once for the
// book: every sheet that shows a child or a worker asks for them.
func (b *book) authorities(ctx context.Context, db *store.DB) (ingest.Authorities, error) {
	if !b.authRead {
		a, err := ingest.ReadAuthorities(ctx, db)
		if err != nil {
			return a, err
		}
		b.auth, b.authRead = a, true
	}
	return b.auth, nil
}

func newBook(style *templates.Style) (*book, error) {
	b := &book{f: excelize.NewFile(), style: style}
	b.f.SetZipWriter(newParallelZip)
	mk := func(key string, edit func(*excelize.Style)) (int, error) {
		base := *style.Styles[key]
		if edit != nil {
			edit(&base)
		}
		return b.f.NewStyle(&base)
	}
	var err error
	set := func(dst *int, key string, edit func(*excelize.Style)) {
		if err == nil {
			*dst, err = mk(key, edit)
		}
	}
	dateFmt, pctFmt, intFmt, numFmt := "dd/mm/yyyy", "0.0%", "#,##0", "#,##0.0"
	set(&b.st.authority, "authority", nil)
	set(&b.st.title, "title", nil)
	set(&b.st.subtitle, "subtitle", nil)
	set(&b.st.wrapped, "subtitle", func(s *excelize.Style) {
		s.Alignment = &excelize.Alignment{WrapText: true, Vertical: "top"}
	})
	set(&b.st.heading, "heading", nil)
	set(&b.st.header, "header", nil)
	set(&b.st.body, "body", nil)
	set(&b.st.link, "link", nil)
	set(&b.st.date, "body", func(s *excelize.Style) { s.CustomNumFmt = &dateFmt })
	monthFmt := "mmm yyyy"
	set(&b.st.month, "body", func(s *excelize.Style) { s.CustomNumFmt = &monthFmt })
	set(&b.st.pct, "body", func(s *excelize.Style) { s.CustomNumFmt = &pctFmt })
	set(&b.st.integer, "body", func(s *excelize.Style) { s.CustomNumFmt = &intFmt })
	set(&b.st.number, "body", func(s *excelize.Style) { s.CustomNumFmt = &numFmt })
	set(&b.st.center, "body", func(s *excelize.Style) { s.Alignment = &excelize.Alignment{Horizontal: "center"} })
	if err != nil {
		return nil, fmt.Errorf("make styles: %w", err)
	}
	cond := func(key string) (int, error) {
		s := style.Styles[key]
		return b.f.NewConditionalStyle(&excelize.Style{Font: s.Font, Fill: s.Fill})
	}
	if b.st.good, err = cond("good"); err != nil {
		return nil, err
	}
	if b.st.amber, err = cond("amber"); err != nil {
		return nil, err
	}
	if b.st.red, err = cond("red"); err != nil {
		return nil, err
	}
	return b, nil
}

// docProps are the document properties of every workbook lacaudit writes.
func docProps(title, version string, started time.Time) *excelize.DocProperties {
	return &excelize.DocProperties{
		Title:       title,
		Subject:     "Statutory review and care planning compliance of children looked after",
		Creator:     "lacaudit " + version,
		Description: "Written by lacaudit from the authority's SSDA903 and case-management extracts. Contains personal data about children: handle as OFFICIAL-SENSITIVE.",
		Keywords:    "looked after children; IRO; reviews; SSDA903",
		Category:    "OFFICIAL-SENSITIVE",
		Created:     started.UTC().Format(time.RFC3339),
		Modified:    started.UTC().Format(time.RFC3339),
	}
}

// chart is a one-series chart of values against categories (cell ranges).
func chart(typ excelize.ChartType, title, categories, values string, lo, hi *float64, numFmt string) *excelize.Chart {
	return &excelize.Chart{
		Type: typ,
		Series: []excelize.ChartSeries{{
			Categories: categories,
			Values:     values,
			Marker:     excelize.ChartMarker{Symbol: "circle", Size: 5},
		}},
		Title:     excelize.ChartTitle{Paragraph: []excelize.RichTextRun{{Text: title}}},
		YAxis:     excelize.ChartAxis{NumFmt: excelize.ChartNumFmt{CustomNumFmt: numFmt}, Minimum: lo, Maximum: hi},
		Legend:    excelize.ChartLegend{Position: "none"},
		Dimension: excelize.ChartDimension{Width: 640, Height: 340},
	}
}

func barChart(title, categories, values string, lo, hi *float64, numFmt string) *excelize.Chart {
	return chart(excelize.Col, title, categories, values, lo, hi, numFmt)
}

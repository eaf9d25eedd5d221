package ingest

import (
	"archive/zip"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"math"
	"path"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"sync"

	"github.com/xuri/excelize/v2"
)

// Limits bound what opening a workbook may unpack, so that a crafted
// workbook (a zip bomb) is refused rather than read into memory or onto
// disk. DATA.md gives the values and why.
type Limits struct {
	// Total is the most a workbook may unpack to, all parts together
	// (excelize's UnzipSizeLimit). Sheets over InMemory unpack to the
	// private staging folder, the rest to memory.
	Total int64
	// InMemory is the largest sheet or shared-strings part unpacked in
	// memory (excelize's UnzipXMLSizeLimit); larger ones go to disk.
	InMemory int64
	// OtherPart is the largest of any other part (styles, drawings,
	// media): excelize holds those in memory whatever their size.
	OtherPart int64
	// Run is the longest run of text, or longest tag, in any XML part: a
	// cell holds at most 32,767 characters.
	Run int64
}

// DefaultLimits are the limits for a given memory limit in bytes (0: 1 GB).
func DefaultLimits(memory int64) Limits {
	if memory <= 0 {
		memory = 1_000_000_000
	}
	return Limits{
		Total:     2 << 30,
		InMemory:  16 << 20,
		OtherPart: min(64<<20, memory/16),
		Run:       1 << 20,
	}
}

// sheetInfo is one sheet of a workbook as its workbook part lists it.
type sheetInfo struct {
	Name  string
	State string // "", "visible", "hidden" or "veryHidden"
	part  string // the zip path of its XML
}

// Hidden says whether the sheet is hidden or very hidden in Excel.
func (s sheetInfo) Hidden() bool { return s.State != "" && s.State != "visible" }

// book is a workbook of the input folder, checked whole and opened once.
type book struct {
	path   string
	f      *excelize.File
	sheets []sheetInfo
	// cells holds what the check of each sheet noted of its cells, by
	// sheet name.
	cells  map[string]*sheetCells
	styles []cellFormat // by cell format (a cell's s)
	mu     sync.Mutex   // one sheet read at a time
}

// sheetCells is what the check of a sheet noted of its cells, by column
// (1 = A): the rows whose cell is a real date (a number with a date format,
// or a cell of date type), and the numbers shown with a zero-padded format
// (the cell format's index plus one, by row).
type sheetCells struct {
	dates  map[int]*bitset
	padded map[int][]int32
}

// cellFormat is what lacaudit needs of a cell format's number format.
type cellFormat struct {
	date bool
	// pad, when above 0, is the digits of a zero-padded format such as
	// 000000 (a number shown with leading zeros), between prefix and
	// suffix (quoted text of the format, as in "C"00000).
	pad            int
	prefix, suffix string
}

func (b *book) close() {
	if b.f != nil {
		_ = b.f.Close()
	}
}

// isDateCell says whether the cell of sheet at row and col (1-based) is a
// real date cell.
func (b *book) isDateCell(sheet string, row, col int) bool {
	sc := b.cells[sheet]
	if sc == nil {
		return false
	}
	bs := sc.dates[col]
	return bs != nil && bs.has(row)
}

// shown is the text a number cell shows: raw (its stored value) in a
// zero-padded format padded as Excel shows it, otherwise raw as it is
// (General, text, and the number formats an identifier does not take).
func (b *book) shown(sheet string, row, col int, raw string) string {
	sc := b.cells[sheet]
	if sc == nil {
		return raw
	}
	rows := sc.padded[col]
	if row >= len(rows) || rows[row] == 0 {
		return raw
	}
	cf := b.styles[rows[row]-1]
	f, err := strconv.ParseFloat(strings.TrimSpace(raw), 64)
	if err != nil || f < 0 || f >= 1e15 {
		return raw
	}
	digits := strconv.FormatInt(int64(math.Round(f)), 10)
	if len(digits) < cf.pad {
		digits = strings.Repeat("0", cf.pad-len(digits)) + digits
	}
	return cf.prefix + digits + cf.suffix
}

type bitset []uint64

func (b *bitset) set(i int) {
	for i/64 >= len(*b) {
		*b = append(*b, 0)
	}
	(*b)[i/64] |= 1 << (i % 64)
}

func (b bitset) has(i int) bool { return i/64 < len(b) && b[i/64]&(1<<(i%64)) != 0 }

// openBook checks every part of the workbook at p (sizes, well-formed XML,
// no overlong value) and opens it with excelize with limits and its
// temporary files in tmpDir. A damaged or oversized workbook is an
// *InputError naming it.
func openBook(p, tmpDir string, lim Limits) (*book, error) {
	name := filepath.Base(p)
	zr, err := zip.OpenReader(p)
	if err != nil {
		return nil, inputErrorf("%s is not a readable XLSX workbook (%v): is it damaged, password-protected, or an older .xls renamed? Save it from Excel as .xlsx without a password", name, plainZipError(err))
	}
	defer zr.Close()
	parts := map[string]*zip.File{}
	var total uint64
	for _, zf := range zr.File {
		size := zf.UncompressedSize64
		total += size
		lower := strings.ToLower(zf.Name)
		limit := lim.OtherPart
		if strings.HasPrefix(lower, "xl/worksheets/") || lower == "xl/sharedstrings.xml" {
			limit = lim.Total
		}
		if size > uint64(limit) || total > uint64(lim.Total) {
			return nil, inputErrorf("%s unpacks to more than lacaudit allows (part %s is %d MB, %d MB in all so far; the limit is %d MB a part and %d MB in all): refused as damaged or a zip bomb",
				name, zf.Name, size/1e6, total/1e6, limit/1e6, lim.Total/1e6)
		}
		parts[lower] = zf
	}
	b := &book{path: p, cells: map[string]*sheetCells{}}
	// The workbook part and its relationships say which part is which sheet.
	wb, ok := parts["xl/workbook.xml"]
	if !ok {
		return nil, inputErrorf("%s is not an XLSX workbook (it has no workbook part)", name)
	}
	var wbx struct {
		Sheets []struct {
			Name  string `xml:"name,attr"`
			State string `xml:"state,attr"`
			ID    string `xml:"http://schemas.openxmlformats.org/officeDocument/2006/relationships id,attr"`
		} `xml:"sheets>sheet"`
	}
	if err := decodePart(wb, lim, &wbx); err != nil {
		return nil, inputErrorf("%s is damaged: its workbook part %v", name, err)
	}
	targets := map[string]string{}
	if rels, ok := parts["xl/_rels/workbook.xml.rels"]; ok {
		var rx struct {
			Rels []struct {
				ID     string `xml:"Id,attr"`
				Target string `xml:"Target,attr"`
			} `xml:"Relationship"`
		}
		if err := decodePart(rels, lim, &rx); err != nil {
			return nil, inputErrorf("%s is damaged: its workbook relationships %v", name, err)
		}
		for _, r := range rx.Rels {
			t := strings.ReplaceAll(r.Target, `\`, "/")
			if strings.HasPrefix(t, "/") {
				t = strings.TrimPrefix(t, "/")
			} else {
				t = path.Join("xl", t)
			}
			targets[r.ID] = strings.ToLower(t)
		}
	}
	seen := map[string]bool{}
	for _, s := range wbx.Sheets {
		// Excel allows no two sheets whose names differ only in case, and
		// excelize finds a sheet by name in any case.
		key := strings.ToLower(s.Name)
		if seen[key] {
			return nil, inputErrorf("%s is damaged: two sheets are named %q (in some case), which Excel does not allow", name, s.Name)
		}
		seen[key] = true
		b.sheets = append(b.sheets, sheetInfo{Name: s.Name, State: s.State, part: targets[s.ID]})
	}
	// Which cell styles are dates.
	if st, ok := parts["xl/styles.xml"]; ok {
		b.styles, err = cellFormats(st, lim)
		if err != nil {
			return nil, inputErrorf("%s is damaged: its styles part %v", name, err)
		}
	}
	// Every XML part must be whole and well formed; the sheets' date cells
	// are noted on the way.
	sheetOf := map[string]string{}
	for _, s := range b.sheets {
		if s.part != "" {
			sheetOf[s.part] = s.Name
		}
	}
	for lower, zf := range parts {
		if !strings.HasSuffix(lower, ".xml") && !strings.HasSuffix(lower, ".rels") {
			continue
		}
		var cells *sheetCells
		if sh, ok := sheetOf[lower]; ok {
			cells = &sheetCells{dates: map[int]*bitset{}, padded: map[int][]int32{}}
			b.cells[sh] = cells
		}
		if err := checkPart(zf, lim, b.styles, cells); err != nil {
			return nil, inputErrorf("%s is damaged: part %s %v; save the workbook again or export it again", name, zf.Name, err)
		}
	}
	b.f, err = excelize.OpenFile(p, excelize.Options{UnzipSizeLimit: lim.Total, UnzipXMLSizeLimit: lim.InMemory, TmpDir: tmpDir})
	if err != nil {
		return nil, inputErrorf("%s is not a readable XLSX workbook: %v", name, err)
	}
	return b, nil
}

// plainZipError says what is wrong with a zip file without Go's prefixes.
func plainZipError(err error) string {
	switch {
	case errors.Is(err, zip.ErrFormat):
		return "not a zip file, or cut off"
	case errors.Is(err, zip.ErrChecksum):
		return "a part fails its checksum"
	case errors.Is(err, zip.ErrAlgorithm):
		return "a part is compressed in a way XLSX does not use"
	}
	return err.Error()
}

// boundedReader fails once the text between two tags, or one tag, is longer
// than max bytes, so that no XML token can grow without bound.
type boundedReader struct {
	r      io.Reader
	max    int64
	run    int64
	inTag  bool
	failed bool
}

var errOverlong = errors.New("holds a value or tag longer than any Excel writes")

func (b *boundedReader) Read(p []byte) (int, error) {
	n, err := b.r.Read(p)
	for _, c := range p[:n] {
		switch {
		case c == '<' && !b.inTag:
			b.inTag, b.run = true, 0
		case c == '>' && b.inTag:
			b.inTag, b.run = false, 0
		default:
			b.run++
			if b.run > b.max {
				b.failed = true
				return 0, errOverlong
			}
		}
	}
	return n, err
}

// openPart opens a zip part for reading with its size checked against what
// the zip says (a part that unpacks to more than it declares is refused by
// archive/zip) and its runs bounded.
func openPart(zf *zip.File, lim Limits) (io.ReadCloser, *xml.Decoder, error) {
	rc, err := zf.Open()
	if err != nil {
		return nil, nil, fmt.Errorf("cannot be opened (%s)", plainZipError(err))
	}
	d := xml.NewDecoder(&boundedReader{r: rc, max: lim.Run})
	d.Strict = true
	return rc, d, nil
}

func decodePart(zf *zip.File, lim Limits, v any) error {
	rc, d, err := openPart(zf, lim)
	if err != nil {
		return err
	}
	defer rc.Close()
	if err := d.Decode(v); err != nil {
		return xmlProblem(err)
	}
	return nil
}

// xmlProblem says what is wrong with an XML part, without its content.
func xmlProblem(err error) error {
	var se *xml.SyntaxError
	switch {
	case errors.Is(err, errOverlong):
		return err
	case errors.As(err, &se):
		if strings.Contains(se.Msg, "unexpected EOF") {
			return fmt.Errorf("is cut off (it ends at line %d inside an element)", se.Line)
		}
		return fmt.Errorf("is not well-formed XML (line %d)", se.Line)
	case errors.Is(err, io.ErrUnexpectedEOF), errors.Is(err, io.EOF):
		return errors.New("is cut off")
	case errors.Is(err, zip.ErrChecksum), errors.Is(err, zip.ErrFormat):
		return fmt.Errorf("cannot be unpacked (%s)", plainZipError(err))
	}
	return fmt.Errorf("cannot be read (%v)", err)
}

// checkPart reads a whole XML part: it must be well formed and end where its
// root element ends. For a sheet (cells not nil) it notes the date cells.
func checkPart(zf *zip.File, lim Limits, styles []cellFormat, cells *sheetCells) error {
	rc, d, err := openPart(zf, lim)
	if err != nil {
		return err
	}
	defer rc.Close()
	depth, roots := 0, 0
	row, col := 0, 0
	for {
		tok, err := d.Token()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return xmlProblem(err)
		}
		switch t := tok.(type) {
		case xml.StartElement:
			if depth == 0 {
				roots++
			}
			depth++
			if cells == nil {
				continue
			}
			switch t.Name.Local {
			case "row":
				row++
				col = 0
				if r := attr(t, "r"); r != "" {
					if n, err := strconv.Atoi(r); err == nil {
						row = n
					}
				}
				if row < 1 || row > maxRows {
					return fmt.Errorf("has a row numbered beyond Excel's %d", maxRows)
				}
			case "c":
				col++
				typ, style := "", 0 // a cell without s has the workbook's first cell format
				for _, a := range t.Attr {
					switch a.Name.Local {
					case "r":
						if c, r, ok := cellRef(a.Value); ok {
							col, row = c, r
						}
					case "t":
						typ = a.Value
					case "s":
						if n, err := strconv.Atoi(a.Value); err == nil {
							style = n
						}
					}
				}
				if row <= 0 || col <= 0 {
					continue
				}
				number := typ == "" || typ == "n"
				var cf cellFormat
				if style >= 0 && style < len(styles) {
					cf = styles[style]
				}
				switch {
				case typ == "d" || number && cf.date:
					bs := cells.dates[col]
					if bs == nil {
						bs = &bitset{}
						cells.dates[col] = bs
					}
					bs.set(row)
				case number && cf.pad > 0:
					rows := cells.padded[col]
					for len(rows) <= row {
						rows = append(rows, 0)
					}
					rows[row] = int32(style + 1)
					cells.padded[col] = rows
				}
			}
		case xml.EndElement:
			depth--
		}
	}
	if roots == 0 {
		return errors.New("is empty")
	}
	return nil
}

func attr(t xml.StartElement, name string) string {
	for _, a := range t.Attr {
		if a.Name.Local == name {
			return a.Value
		}
	}
	return ""
}

// maxRows is the most rows an Excel sheet has.
const maxRows = 1048576

// cellRef reads a reference such as "B12" as column 2, row 12.
func cellRef(s string) (int, int, bool) {
	col, i := 0, 0
	for ; i < len(s); i++ {
		c := s[i]
		switch {
		case c >= 'A' && c <= 'Z':
			col = col*26 + int(c-'A'+1)
		case c >= 'a' && c <= 'z':
			col = col*26 + int(c-'a'+1)
		default:
			goto digits
		}
		if col > 16384 {
			return 0, 0, false
		}
	}
digits:
	row, err := strconv.Atoi(s[i:])
	if err != nil || col == 0 || row < 1 || row > maxRows {
		return 0, 0, false
	}
	return col, row, true
}

// cellFormats reads the styles part: for each cell format (the s of a
// cell), whether its number format shows a date, or pads a number with
// zeros.
func cellFormats(zf *zip.File, lim Limits) ([]cellFormat, error) {
	var sx struct {
		NumFmts []struct {
			ID   int    `xml:"numFmtId,attr"`
			Code string `xml:"formatCode,attr"`
		} `xml:"numFmts>numFmt"`
		Xfs []struct {
			NumFmtID int `xml:"numFmtId,attr"`
		} `xml:"cellXfs>xf"`
	}
	if err := decodePart(zf, lim, &sx); err != nil {
		return nil, err
	}
	custom := map[int]string{}
	for _, n := range sx.NumFmts {
		custom[n.ID] = n.Code
	}
	out := make([]cellFormat, len(sx.Xfs))
	for i, x := range sx.Xfs {
		if code, ok := custom[x.NumFmtID]; ok {
			out[i].date = dateFormatCode(code)
			out[i].pad, out[i].prefix, out[i].suffix = zeroPadded(code)
			continue
		}
		id := x.NumFmtID
		out[i].date = id >= 14 && id <= 22 || id >= 27 && id <= 36 || id >= 45 && id <= 47 || id >= 50 && id <= 58
	}
	return out, nil
}

// zeroPadded reads a format such as 000000 or "C"00000: digits, the quoted
// text before and after them; 0 digits when the format is not one.
func zeroPadded(code string) (int, string, string) {
	section, _, _ := strings.Cut(code, ";")
	m := zeroPad.FindStringSubmatch(section)
	if m == nil || len(m[2]) < 2 {
		return 0, "", ""
	}
	return len(m[2]), unquote(m[1]), unquote(m[3])
}

var zeroPad = regexp.MustCompile(`^((?:"[^"]*"|\\.)*)(0+)((?:"[^"]*"|\\.)*)$`)

// unquote joins the quoted and escaped text of a format.
func unquote(s string) string {
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		switch s[i] {
		case '"':
		case '\\':
			if i+1 < len(s) {
				i++
				b.WriteByte(s[i])
			}
		default:
			b.WriteByte(s[i])
		}
	}
	return b.String()
}

var (
	fmtQuoted  = regexp.MustCompile(`"[^"]*"|\\.|_.|\*.`)
	fmtBracket = regexp.MustCompile(`\[[^\]]*\]`)
)

// dateFormatCode says whether a custom number format shows a date: it has
// a day, month or year part outside quoted text and brackets.
func dateFormatCode(code string) bool {
	section, _, _ := strings.Cut(code, ";")
	s := fmtQuoted.ReplaceAllString(section, "")
	s = fmtBracket.ReplaceAllString(s, "")
	s = strings.ToLower(s)
	return strings.ContainsAny(s, "dy") || strings.Contains(s, "m") && !strings.ContainsAny(s, "hs")
}

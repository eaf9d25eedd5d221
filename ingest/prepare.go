package ingest

import (
	"bufio"
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
	"unicode/utf8"
)

// Encodings of a CSV extract, as the log and the Method sheet name them.
const (
	EncodingUTF8        = "UTF-8"
	EncodingUTF8BOM     = "UTF-8 with BOM"
	EncodingWindows1252 = "Windows-1252"
)

// crOnlyNote is added to the encoding of a file whose lines end in a
// carriage return alone (classic Mac OS), read as if they ended in a line feed.
const crOnlyNote = ", CR line ends"

// crcrlfNote is added to the encoding of a file whose every line ends in CR
// CR LF (a Windows file whose line ends were converted a second time), read
// as if they ended in CR LF.
const crcrlfNote = ", CR CR LF line ends"

// mixedNote is added to the encoding of a file whose lines end some in CR
// LF and some in LF alone (rows appended by another tool), read as if all
// ended in LF.
const mixedNote = ", CR LF and LF line ends mixed"

// csvFile is a CSV extract made ready for DuckDB's reader.
type csvFile struct {
	// path is what DuckDB reads: the file itself, or a private copy in the
	// staging folder when the file is Windows-1252, has CR-only line ends or
	// bare carriage returns in values, or its path holds characters DuckDB
	// would take for a pattern. The copy keeps every line on its line.
	path     string
	encoding string
	sha256   string // of the file as it is in the input folder
	// crLines are the lines (header = 1) of records with a carriage return
	// inside a value that is not quoted: each is a rejected row.
	crLines map[int64]bool
	// records is how many rows of data the file holds (blank lines apart):
	// every one must be read or rejected, never dropped (loadCSV checks).
	records int64
}

// crSentinel replaces a bare carriage return in the private copy: it is not
// UTF-8, so DuckDB's reader rejects that record (and only that one), which
// is then reported with the right reason.
const crSentinel = 0xFF

// windows1252 maps the bytes 0x80 to 0x9F of Windows-1252 to Unicode; 0 is
// a byte the code page does not define. 0xA0 to 0xFF are Latin-1.
var windows1252 = [32]rune{
	0x20AC, 0, 0x201A, 0x0192, 0x201E, 0x2026, 0x2020, 0x2021, 0x02C6, 0x2030, 0x0160, 0x2039, 0x0152, 0, 0x017D, 0,
	0, 0x2018, 0x2019, 0x201C, 0x201D, 0x2022, 0x2013, 0x2014, 0x02DC, 0x2122, 0x0161, 0x203A, 0x0153, 0, 0x017E, 0x0178,
}

// utf8Letters says whether f, read from its start, holds a sequence of two
// or more bytes that is a valid UTF-8 letter (é as C3 A9): in a file that is
// not UTF-8 as a whole, the sign of UTF-8 and Windows-1252 mixed. (In
// Windows-1252 such a pair would read as two letters such as Ã©, which no
// name holds.)
func utf8Letters(f *os.File) (bool, error) {
	if _, err := f.Seek(0, io.SeekStart); err != nil {
		return false, err
	}
	r := bufio.NewReaderSize(f, 1<<20)
	for {
		b, err := r.ReadByte()
		if err != nil {
			if errors.Is(err, io.EOF) {
				return false, nil
			}
			return false, err
		}
		if b < 0xC2 || b > 0xF4 {
			continue
		}
		// A lead byte: are the next bytes its continuation?
		need := 1
		if b >= 0xE0 {
			need = 2
		}
		if b >= 0xF0 {
			need = 3
		}
		next, _ := r.Peek(need)
		if len(next) == need && utf8.Valid(append([]byte{b}, next...)) {
			return true, nil
		}
	}
}

// duckPattern says whether DuckDB would read path as a pattern (a glob) or
// expand it, rather than as the one file it is.
func duckPattern(path string) bool {
	return strings.ContainsAny(path, "*?[]{}") || strings.HasPrefix(path, "~")
}

// prepareCSV reads a CSV extract to learn its encoding and line ends and
// hash it, refuses one that is not text lacaudit can read exactly or that
// ends inside a row, and writes the private copy DuckDB reads when one is
// needed (in tmpDir). A file that needs no copy is read once.
func prepareCSV(src Source, tmpDir string) (*csvFile, error) {
	label := src.Label()
	f, err := os.Open(src.Path)
	if err != nil {
		return nil, fmt.Errorf("open %s: %w", src.Path, err)
	}
	defer f.Close()

	// The first pass: the hash, the encoding, the line ends, and the
	// records as if lines end in LF or CRLF.
	h := sha256.New()
	head := make([]byte, 4)
	n, _ := io.ReadFull(f, head)
	head = head[:n]
	switch {
	case bytes.HasPrefix(head, []byte{0xFF, 0xFE, 0, 0}), bytes.HasPrefix(head, []byte{0, 0, 0xFE, 0xFF}):
		return nil, inputErrorf("%s is UTF-32 text; lacaudit reads UTF-8 (or Windows-1252): save it as \"CSV UTF-8 (comma delimited)\"", label)
	case bytes.HasPrefix(head, []byte{0xFF, 0xFE}), bytes.HasPrefix(head, []byte{0xFE, 0xFF}):
		return nil, inputErrorf("%s is UTF-16 text; lacaudit reads UTF-8 (or Windows-1252): save it as \"CSV UTF-8 (comma delimited)\"", label)
	}
	bom := bytes.HasPrefix(head, utf8BOM)
	if _, err := f.Seek(0, io.SeekStart); err != nil {
		return nil, fmt.Errorf("read %s: %w", src.Path, err)
	}
	var (
		validUTF8      = true
		undefined1252  bool
		nuls, evenNULs int64
		lf, bareCR     int64
		pos            int64
		prevCR         bool
		crcrlf         int64  // CR CR LF sequences
		crlf           int64  // CR LF sequences
		tail           []byte // the last two bytes of the previous chunk
		carry          []byte // an incomplete UTF-8 sequence at the end of a chunk
	)
	first := &recordScanner{}
	first.start()
	buf := make([]byte, 1<<20)
	for {
		n, rerr := f.Read(buf)
		chunk := buf[:n]
		h.Write(chunk)
		first.feed(chunk)
		lf += int64(bytes.Count(chunk, []byte{'\n'}))
		// Carriage returns not followed by a line feed.
		if n > 0 {
			if prevCR && chunk[0] != '\n' {
				bareCR++
			}
			for k := 0; ; {
				i := bytes.IndexByte(chunk[k:], '\r')
				if i < 0 {
					break
				}
				k += i + 1
				if k < n && chunk[k] != '\n' {
					bareCR++
				}
			}
			if prevCR && chunk[0] == '\n' {
				crlf++
			}
			crlf += int64(bytes.Count(chunk, []byte("\r\n")))
			prevCR = chunk[n-1] == '\r'
			seam := append(tail, chunk[:min(2, n)]...)
			crcrlf += int64(bytes.Count(seam, []byte("\r\r\n")) + bytes.Count(chunk, []byte("\r\r\n")))
			tail = append([]byte(nil), chunk[max(0, n-2):]...)
		}
		if bytes.IndexByte(chunk, 0) >= 0 {
			for i, b := range chunk {
				if b == 0 {
					nuls++
					if (pos+int64(i))%2 == 0 {
						evenNULs++
					}
				}
			}
		}
		pos += int64(n)
		if validUTF8 && n > 0 {
			data := chunk
			if len(carry) > 0 {
				data = append(carry, chunk...)
			}
			carry = nil
			// Keep back a sequence the chunk cuts short.
			cut := len(data)
			for k := 1; k <= utf8.UTFMax-1 && k <= len(data); k++ {
				if b := data[len(data)-k]; b >= 0xC0 {
					if !utf8.FullRune(data[len(data)-k:]) {
						cut = len(data) - k
					}
					break
				} else if b < 0x80 {
					break
				}
			}
			if !utf8.Valid(data[:cut]) {
				validUTF8 = false
			}
			carry = append([]byte(nil), data[cut:]...)
		}
		if !validUTF8 && !undefined1252 {
			for _, b := range chunk {
				if b >= 0x80 && b <= 0x9F && windows1252[b-0x80] == 0 {
					undefined1252 = true
					break
				}
			}
		}
		if errors.Is(rerr, io.EOF) || n == 0 && rerr == nil {
			break
		}
		if rerr != nil {
			return nil, fmt.Errorf("read %s: %w", src.Path, rerr)
		}
	}
	first.finish()
	if prevCR {
		bareCR++
	}
	if len(carry) > 0 {
		validUTF8 = false
	}
	if nuls > 0 {
		if odd := nuls - evenNULs; nuls > 16 && (evenNULs*10 > nuls*9 || odd*10 > nuls*9) {
			return nil, inputErrorf("%s looks like UTF-16 text without a byte order mark; lacaudit reads UTF-8 (or Windows-1252): save it as \"CSV UTF-8 (comma delimited)\"", label)
		}
		return nil, inputErrorf("%s is not text (it holds NUL bytes): is this a CSV extract?", label)
	}
	cf := &csvFile{path: src.Path, sha256: hex.EncodeToString(h.Sum(nil)), encoding: EncodingUTF8}
	switch {
	case validUTF8 && bom:
		cf.encoding = EncodingUTF8BOM
	case !validUTF8 && undefined1252:
		return nil, inputErrorf("%s is neither UTF-8 nor Windows-1252 text (it holds bytes neither defines): save it as \"CSV UTF-8 (comma delimited)\"", label)
	case !validUTF8:
		cf.encoding = EncodingWindows1252
		// A file that is mostly UTF-8 with a few Windows-1252 bytes (rows
		// pasted in from another tool) would have its UTF-8 letters read
		// wrong (Zoë as ZoÃ«): refused rather than half mangled.
		mixed, err := utf8Letters(f)
		if err != nil {
			return nil, fmt.Errorf("read %s: %w", src.Path, err)
		}
		if mixed {
			return nil, inputErrorf("%s mixes UTF-8 and Windows-1252 text (some rows saved by another program?): save it again as \"CSV UTF-8 (comma delimited)\"", label)
		}
	}
	crOnly := lf == 0 && bareCR > 0
	if crOnly {
		cf.encoding += crOnlyNote
	}
	// Every line ending in CR CR LF, and no other bare carriage return: the
	// first CR of each is dropped in the copy.
	crcrlfEnds := lf > 0 && crcrlf == lf && bareCR == crcrlf
	if crcrlfEnds {
		cf.encoding += crcrlfNote
	}
	// Some lines in CR LF and some in LF alone, which DuckDB's reader
	// refuses: the copy ends them all in LF.
	mixed := !crcrlfEnds && crlf > 0 && crlf < lf
	if mixed {
		cf.encoding += mixedNote
	}

	sc := first
	copyNeeded := !validUTF8 || bareCR > 0 || mixed || duckPattern(src.Path)
	var out *os.File
	if copyNeeded {
		// The second pass, for the few files that need it: the records
		// again with the line ends found, written to the private copy.
		if _, err := f.Seek(0, io.SeekStart); err != nil {
			return nil, fmt.Errorf("read %s: %w", src.Path, err)
		}
		out, err = os.CreateTemp(tmpDir, "csv-*.csv")
		if err != nil {
			return nil, fmt.Errorf("copy %s to the staging folder: %w", label, err)
		}
		defer func() {
			if out != nil {
				out.Close()
				os.Remove(out.Name())
			}
		}()
		w := bufio.NewWriterSize(out, 1<<20)
		sc = &recordScanner{crOnly: crOnly, crcrlf: crcrlfEnds, lfOnly: mixed, cp1252: !validUTF8, w: w}
		sc.start()
		for {
			n, rerr := f.Read(buf)
			sc.feed(buf[:n])
			if errors.Is(rerr, io.EOF) || n == 0 && rerr == nil {
				break
			}
			if rerr != nil {
				return nil, fmt.Errorf("read %s: %w", src.Path, rerr)
			}
		}
		sc.finish()
		if err := w.Flush(); err != nil {
			return nil, fmt.Errorf("copy %s to the staging folder: %w", label, err)
		}
		if err := out.Close(); err != nil {
			return nil, fmt.Errorf("copy %s to the staging folder: %w", label, err)
		}
		cf.path = out.Name()
		out = nil
	}
	switch {
	case sc.state == stQuoted:
		if copyNeeded {
			os.Remove(cf.path)
		}
		return nil, inputErrorf("%s line %d: a quoted value opens there and is never closed before the end of the file: the file looks cut off or damaged; export it again", label, sc.quoteLine)
	case !sc.endsWithLineEnd && sc.recordHasContent && sc.fields < sc.headerFields:
		if copyNeeded {
			os.Remove(cf.path)
		}
		return nil, inputErrorf("%s line %d: the last row has %d of the header's %d fields and no line end: the file looks cut off; export it again", label, sc.recordLine, sc.fields, sc.headerFields)
	case !sc.endsWithLineEnd && sc.recordHasContent && sc.records > 0:
		// A whole last row without its line end cannot be told from one
		// cut inside its last value (a code, a name, a date cut short).
		if copyNeeded {
			os.Remove(cf.path)
		}
		return nil, inputErrorf("%s line %d: the last row has no line end, as when a file is cut off inside its last value; export it again (an export must end every row, the last one too, with a line end)", label, sc.recordLine)
	}
	if sc.crLines[1] {
		// The header with a bare carriage return would be refused as not
		// text; say what it is.
		if copyNeeded {
			os.Remove(cf.path)
		}
		return nil, inputErrorf("%s line 1: the header holds a carriage return that does not end the line (line ends such as CR CR CR LF, from converting them twice?); export it again", label)
	}
	cf.crLines = sc.crLines
	cf.records = sc.records
	return cf, nil
}

// States of recordScanner.
const (
	stFieldStart    = iota // at the start of a field
	stUnquoted             // inside a value that is not quoted
	stQuoted               // inside a quoted value
	stQuoteInQuoted        // a quote inside a quoted value: its end, or the first of two
)

// recordScanner follows a CSV file's records as RFC 4180 (and DuckDB's
// reader) do, counting lines as the rejects report them. It is fed the
// file in chunks (feed), then told the file ended (finish).
type recordScanner struct {
	crOnly bool          // bare carriage returns end lines
	crcrlf bool          // lines end in CR CR LF: a bare carriage return is dropped
	lfOnly bool          // line ends are mixed: the copy ends every line in LF
	cp1252 bool          // the file is Windows-1252: write it as UTF-8
	w      *bufio.Writer // the private copy, or nil

	state            int
	line             int64 // the current physical line (header = 1)
	recordLine       int64 // the line the current record starts on
	quoteLine        int64 // the line the current quoted value opens on
	fields           int   // fields of the current record so far
	headerFields     int
	recordHasContent bool
	endsWithLineEnd  bool
	records          int64 // rows of data ended so far (blank lines apart)
	pendingCR        bool  // the last chunk ended in a carriage return
	crLines          map[int64]bool
}

func (s *recordScanner) start() {
	s.line, s.recordLine, s.fields = 1, 1, 1
	s.crLines = map[int64]bool{}
}

func (s *recordScanner) newLine() {
	s.line++
	if s.state != stQuoted {
		s.endRecord()
		s.state = stFieldStart
		s.fields = 1
		s.recordHasContent = false
		s.recordLine = s.line
	}
	s.endsWithLineEnd = true
}

// put writes one byte of the file to the copy, as UTF-8.
func (s *recordScanner) put(b byte) {
	if s.cp1252 && b >= 0x80 {
		rn := rune(b)
		if b <= 0x9F {
			rn = windows1252[b-0x80]
		}
		_, _ = s.w.WriteRune(rn)
		return
	}
	_ = s.w.WriteByte(b)
}

// cr handles a carriage return; beforeLF says a line feed follows it.
func (s *recordScanner) cr(beforeLF bool) {
	switch {
	case beforeLF:
		if s.w != nil && !s.lfOnly {
			_ = s.w.WriteByte('\r')
		}
	case s.crOnly:
		if s.w != nil {
			_ = s.w.WriteByte('\n')
		}
		s.newLine()
	case s.crcrlf:
		// The first CR of a CR CR LF line end.
	case s.state == stQuoted:
		if s.w != nil {
			_ = s.w.WriteByte('\r')
		}
		s.endsWithLineEnd = false
	default:
		// A carriage return alone, in a value that is not quoted.
		s.crLines[s.recordLine] = true
		s.recordHasContent = true
		s.endsWithLineEnd = false
		if s.w != nil {
			_ = s.w.WriteByte(crSentinel)
		}
		s.state = stUnquoted
	}
}

func (s *recordScanner) feed(p []byte) {
	if len(p) == 0 {
		return
	}
	if s.pendingCR {
		s.pendingCR = false
		s.cr(p[0] == '\n')
	}
	for i := 0; i < len(p); i++ {
		b := p[i]
		if b == '\r' {
			if i+1 < len(p) {
				s.cr(p[i+1] == '\n')
			} else {
				s.pendingCR = true
			}
			continue
		}
		if s.w != nil {
			s.put(b)
		}
		if b == '\n' {
			s.newLine()
			continue
		}
		s.endsWithLineEnd = false
		s.recordHasContent = true
		switch s.state {
		case stFieldStart:
			switch b {
			case '"':
				s.state, s.quoteLine = stQuoted, s.line
			case ',':
				s.fields++
			default:
				s.state = stUnquoted
			}
		case stUnquoted:
			if b == ',' {
				s.fields++
				s.state = stFieldStart
			} else if s.w == nil {
				// Skip to the value's end.
				j := i + 1
				for j < len(p) && !unquotedStop[p[j]] {
					j++
				}
				i = j - 1
			}
		case stQuoted:
			// Skip to the next quote or line end.
			j := i + 1
			for j < len(p) && p[j] != '"' && p[j] != '\n' && p[j] != '\r' {
				j++
			}
			if b == '"' {
				s.state = stQuoteInQuoted
			} else if s.w != nil {
				for _, c := range p[i+1 : j] {
					s.put(c)
				}
				i = j - 1
			} else {
				i = j - 1
			}
		case stQuoteInQuoted:
			switch b {
			case '"':
				s.state = stQuoted
			case ',':
				s.fields++
				s.state = stFieldStart
			default:
				s.state = stUnquoted
			}
		}
	}
}

// unquotedStop are the bytes that end a run of a value that is not quoted.
var unquotedStop = [256]bool{',': true, '\n': true, '\r': true}

// endRecord counts the record just ended: the first with content is the
// header, the others rows of data.
func (s *recordScanner) endRecord() {
	switch {
	case !s.recordHasContent:
	case s.headerFields == 0:
		s.headerFields = s.fields
	default:
		s.records++
	}
}

// finish ends the file: a carriage return at its very end, and a last
// record with no line end.
func (s *recordScanner) finish() {
	if s.pendingCR {
		s.pendingCR = false
		s.cr(false)
	}
	if !s.endsWithLineEnd && s.state != stQuoted {
		s.endRecord()
	}
}

// stagingDir is the private folder for copies of the extracts: dir when
// set, or a new one in the system's temporary folder that the returned
// function removes.
func stagingDir(dir string) (string, func(), error) {
	if dir != "" {
		if err := os.MkdirAll(dir, 0o700); err != nil {
			return "", nil, fmt.Errorf("staging folder: %w", err)
		}
		d, err := os.MkdirTemp(dir, "ingest-")
		if err != nil {
			return "", nil, fmt.Errorf("staging folder: %w", err)
		}
		return d, func() { os.RemoveAll(d) }, nil
	}
	d, err := os.MkdirTemp("", "lacaudit-ingest-")
	if err != nil {
		return "", nil, fmt.Errorf("staging folder: %w", err)
	}
	return d, func() { os.RemoveAll(d) }, nil
}

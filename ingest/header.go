package ingest

import (
	"bufio"
	"bytes"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
	"unicode/utf8"
)

var utf8BOM = []byte{0xEF, 0xBB, 0xBF}

// readCSVHeader reads the first record of a CSV file: its column names,
// trimmed, with a UTF-8 byte order mark removed. label names the file in
// messages. A header separated by semicolons or tabs is refused, naming the
// separator.
func readCSVHeader(path, label string) ([]string, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("open %s: %w", path, err)
	}
	defer f.Close()
	br := bufio.NewReaderSize(f, 64*1024)
	head, err := br.Peek(3)
	if err == nil && bytes.Equal(head, utf8BOM) {
		_, _ = br.Discard(3)
	}
	// The header is one line; a line over 64 KiB is no header.
	line, err := br.ReadSlice('\n')
	if err != nil && !errors.Is(err, io.EOF) {
		if errors.Is(err, bufio.ErrBufferFull) {
			return nil, inputErrorf("%s line 1: the header line is longer than 64 KiB; is this a CSV extract?", label)
		}
		return nil, fmt.Errorf("read %s line 1: %w", path, err)
	}
	if len(bytes.TrimSpace(line)) == 0 {
		return nil, inputErrorf("%s is empty: expected a header line naming the columns", label)
	}
	if !utf8.Valid(line) || bytes.IndexByte(line, 0) >= 0 {
		return nil, inputErrorf("%s line 1: the header is not UTF-8 text; is this a CSV extract?", label)
	}
	r := csv.NewReader(bytes.NewReader(line))
	r.FieldsPerRecord = -1
	rec, err := r.Read()
	if err != nil {
		return nil, inputErrorf("%s line 1: the header cannot be read as CSV: %v", label, err)
	}
	for i := range rec {
		rec[i] = strings.TrimSpace(rec[i])
	}
	if len(rec) == 1 {
		for _, sep := range []struct{ c, name string }{{";", "semicolons (;)"}, {"\t", "tabs"}, {"|", "vertical bars (|)"}} {
			if strings.Contains(rec[0], sep.c) {
				return nil, inputErrorf("%s line 1: the columns are separated by %s, not commas; save it as \"CSV UTF-8 (comma delimited)\" and run again", label, sep.name)
			}
		}
	}
	return rec, nil
}

// columnMap matches a file's header against a contract table. It returns, for
// each header position, the contract column (or nil for an unknown column),
// the unknown column names, and an *InputError when a required column is
// missing or a known column appears twice.
func columnMap(t Table, label string, header []string) ([]*Column, []string, error) {
	cols := make([]*Column, len(header))
	seen := map[string]int{}
	var unknown []string
	for i, h := range header {
		c, ok := t.Column(h)
		if !ok {
			if h == "" {
				h = fmt.Sprintf("(unnamed column %d)", i+1)
			}
			unknown = append(unknown, h)
			continue
		}
		if prev, dup := seen[c.Name]; dup {
			return nil, nil, inputErrorf("%s: column %s appears twice in the header (columns %d and %d)", label, c.Name, prev+1, i+1)
		}
		seen[c.Name] = i
		cc := c
		cols[i] = &cc
	}
	for _, c := range t.Columns {
		if _, ok := seen[c.Name]; c.Required && !ok {
			return nil, nil, inputErrorf("%s: required column %s is missing (table %s needs %s)", label, c.Name, t.Name, strings.Join(requiredNames(t), ", "))
		}
	}
	return cols, unknown, nil
}

func requiredNames(t Table) []string {
	var out []string
	for _, c := range t.Columns {
		if c.Required {
			out = append(out, c.Name)
		}
	}
	return out
}

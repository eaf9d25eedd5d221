// Package sampledata holds the bundled sample extract: about 150 synthetic
// children, the core tables and most extension tables as CSV and two
// extension tables as sheets of extensions.xlsx. It is the default input of
// every command, so a bare `lacaudit run` works on a fresh checkout. It was
// written by `lacaudit sample` with the settings in README.md; nothing in
// it describes a real child.
package sampledata

import (
	"embed"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
)

//go:embed *.csv *.xlsx
var files embed.FS

// ExtractDate is the date the bundled sample was generated as of.
const ExtractDate = "2026-10-30"

// WriteTo copies the bundled sample extract into dir.
func WriteTo(dir string) error {
	entries, err := fs.ReadDir(files, ".")
	if err != nil {
		return err
	}
	for _, e := range entries {
		b, err := files.ReadFile(e.Name())
		if err != nil {
			return err
		}
		if err := os.WriteFile(filepath.Join(dir, e.Name()), b, 0o600); err != nil {
			return fmt.Errorf("write bundled sample: %w", err)
		}
	}
	return nil
}

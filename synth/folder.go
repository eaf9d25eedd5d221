package synth

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
)

// MarkerName is the file Generate leaves in a folder it writes, so that it
// may write there again. A hidden file: the ingest does not list it.
const MarkerName = ".lacaudit-sample"

// FolderError is a folder Generate refuses to write into: it exists, is
// not empty and was not written by Generate, so it may hold a real export
// that synthetic data would replace.
type FolderError struct{ Dir string }

func (e *FolderError) Error() string {
	return fmt.Sprintf("%s exists and holds files that lacaudit sample did not write (a real export?); give a new or empty folder", e.Dir)
}

// claim makes dir ready for an extract: created if need be, refused if it
// holds anything but an earlier sample, whose files are removed so that
// none of them (an earlier format's) is read with the new ones. The marker
// is written first, so that an interrupted sample can be written again.
func claim(dir string) error {
	entries, err := os.ReadDir(dir)
	switch {
	case errors.Is(err, fs.ErrNotExist):
	case err != nil:
		return fmt.Errorf("read %s: %w", dir, err)
	case len(entries) > 0:
		if st, err := os.Lstat(filepath.Join(dir, MarkerName)); err != nil || !st.Mode().IsRegular() {
			return &FolderError{Dir: dir}
		}
		old := []string{"extensions.xlsx", "extract.xlsx"}
		for _, tc := range tableColumns {
			old = append(old, tc.name+".csv")
		}
		for _, name := range old {
			if err := os.Remove(filepath.Join(dir, name)); err != nil && !errors.Is(err, fs.ErrNotExist) {
				return fmt.Errorf("remove the earlier sample's %s: %w", name, err)
			}
		}
		if err := removeYearFolders(dir); err != nil {
			return err
		}
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return fmt.Errorf("create %s: %w", dir, err)
	}
	marker := "Written by lacaudit sample: a synthetic extract, nothing in it describes a real child.\n" +
		"lacaudit sample may write over this folder while this file is here.\n"
	if err := os.WriteFile(filepath.Join(dir, MarkerName), []byte(marker), 0o644); err != nil {
		return fmt.Errorf("create %s: %w", dir, err)
	}
	return nil
}

package job

import (
	"fmt"
	"log/slog"
	"os"
	"path/filepath"

	"github.com/lacaudit/lacaudit/ingest"
	"github.com/lacaudit/lacaudit/sampledata"
)

// useBundledSample writes the bundled sample into the command's private
// folder dir (a run's staging folder, removed with it, and by the next
// command in the output folder if this one is killed) and reads it from
// there, when s.Input is empty.
func useBundledSample(s *Settings, dir string) error {
	if s.Input != "" {
		return nil
	}
	in := filepath.Join(dir, "sample")
	if err := os.Mkdir(in, 0o700); err != nil {
		return fmt.Errorf("write the bundled sample: %w", err)
	}
	if err := sampledata.WriteTo(in); err != nil {
		return fmt.Errorf("write the bundled sample: %w", err)
	}
	s.Input = in
	return nil
}

// checkInputFolder says why the input, when it exists, is not a folder:
// --input names the folder of extracts, not a file in it (exit status 3,
// as a missing folder is).
func checkInputFolder(dir string) error {
	if st, err := os.Stat(dir); err == nil && !st.IsDir() {
		return &ingest.InputError{Msg: fmt.Sprintf("input %s is a file, not a folder: --input names the folder that holds the extracts", dir)}
	}
	return nil
}

// logInputFiles logs how each CSV file read was encoded, and each file or
// sheet of the input folder that was not read, with why (a warning).
func logInputFiles(log *slog.Logger, res *ingest.Result) {
	for _, f := range res.Files {
		switch {
		case f.Table == "" && f.Name == ingest.SampleMarker:
			log.Info("input file not read", "file", f.Name, "why", f.Why)
		case f.Table == "":
			log.Warn("input file not read", "file", f.Name, "why", f.Why)
		case f.Encoding != "":
			log.Info("input file read", "file", f.Name, "table", f.Table, "encoding", f.Encoding)
		default:
			log.Info("input file read", "file", f.Name, "table", f.Table)
		}
	}
}

// ignoredWithWhy lists the files and sheets of the input folder that were
// not read, each with why, for the Method sheet.
func ignoredWithWhy(res *ingest.Result) []string {
	var out []string
	for _, f := range res.Files {
		if f.Table == "" {
			out = append(out, f.Name+" ("+f.Why+")")
		}
	}
	return out
}

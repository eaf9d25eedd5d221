package job

import (
	"log/slog"

	"github.com/lacaudit/lacaudit/ingest"
)

// logInputFiles logs how each CSV file read was encoded, and each file or
// sheet of the input folder that was not read, with why (a warning).
func logInputFiles(log *slog.Logger, res *ingest.Result) {
	for _, f := range res.Files {
		switch {
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

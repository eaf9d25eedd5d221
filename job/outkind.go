package job

import (
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"syscall"
)

// KindFile is the file in an output folder that records what the folder
// holds: the outputs of raw runs ("raw") or of pseudonymised runs
// ("pseudonymised"), as the first run in the folder made it. A folder of
// outputs shared with a benchmarking group must hold nothing raw, so a run
// of the other kind is refused while the folder holds lacaudit outputs
// (a *UsageError, exit status 2).
const KindFile = ".lacaudit-outputs"

const (
	kindRaw    = "raw"
	kindPseudo = "pseudonymised"
)

// outputFiles lists the lacaudit outputs in dir: the findings, the rejects,
// the workbooks (dated, latest, annual), the files of a run stopped by its
// rejects, and the database in the folder. Hidden files (locks, staging
// folders, KindFile) are not outputs.
func outputFiles(dir string) ([]string, error) {
	entries, err := os.ReadDir(dir)
	if err != nil {
		if errors.Is(err, os.ErrNotExist) {
			return nil, nil
		}
		return nil, err
	}
	var out []string
	for _, e := range entries {
		n := e.Name()
		switch {
		case n == "findings.csv", n == "findings.parquet", n == "rejects.csv", n == LatestWorkbook,
			strings.HasPrefix(n, "lacaudit-"), strings.HasPrefix(n, DBFileName):
			out = append(out, n)
		}
	}
	sort.Strings(out)
	return out, nil
}

// readKind returns the kind KindFile in dir records, or "" when there is
// none. A KindFile that is not a small regular file is refused.
func readKind(dir string) (string, error) {
	f, err := os.OpenFile(filepath.Join(dir, KindFile), os.O_RDONLY|syscall.O_NOFOLLOW|syscall.O_NONBLOCK, 0)
	if errors.Is(err, os.ErrNotExist) {
		return "", nil
	}
	if err != nil {
		return "", fmt.Errorf("read %s in %s: %w", KindFile, dir, err)
	}
	defer f.Close()
	if st, err := f.Stat(); err != nil || !st.Mode().IsRegular() {
		return "", fmt.Errorf("%s in %s is not a regular file", KindFile, dir)
	}
	b, err := io.ReadAll(io.LimitReader(f, 64))
	if err != nil {
		return "", fmt.Errorf("read %s in %s: %w", KindFile, dir, err)
	}
	switch k := strings.TrimSpace(string(b)); k {
	case kindRaw, kindPseudo:
		return k, nil
	}
	return "", fmt.Errorf("%s in %s holds neither %q nor %q", KindFile, dir, kindRaw, kindPseudo)
}

// claimOutputKind checks that the output folder out holds outputs of this
// run's kind only, and records the kind in KindFile. A folder with lacaudit
// outputs and no KindFile (written by an earlier version) is taken as
// raw: a pseudonymised run is refused there until its outputs are moved
// away. An empty folder (no outputs) takes the kind of the run.
func claimOutputKind(out string, pseudonymised bool) error {
	want := kindRaw
	if pseudonymised {
		want = kindPseudo
	}
	have, err := readKind(out)
	if err != nil {
		return err
	}
	files, err := outputFiles(out)
	if err != nil {
		return fmt.Errorf("list the output folder %s: %w", out, err)
	}
	if len(files) > 0 && have == "" {
		have = kindRaw
	}
	if len(files) > 0 && have != want {
		shown := files
		if len(shown) > 5 {
			shown = append(shown[:5:5], fmt.Sprintf("and %d more", len(files)-5))
		}
		if pseudonymised {
			return &UsageError{Msg: fmt.Sprintf("the output folder %s holds the outputs of raw runs (%s): a folder of pseudonymised outputs for sharing must hold nothing raw; give --out a new folder, or move those files away first",
				out, strings.Join(shown, ", "))}
		}
		return &UsageError{Msg: fmt.Sprintf("the output folder %s holds the outputs of pseudonymised runs, for sharing (%s): a run without --pseudonymise, or an annual report, would put raw data beside them; run with --pseudonymise, or give --out another folder",
			out, strings.Join(shown, ", "))}
	}
	if have == want {
		return nil
	}
	tmp := filepath.Join(out, KindFile+".new")
	_ = os.Remove(tmp)
	if err := os.WriteFile(tmp, []byte(want+"\n"), 0o600); err != nil {
		return fmt.Errorf("record the output folder's kind: %w", err)
	}
	if err := os.Rename(tmp, filepath.Join(out, KindFile)); err != nil {
		_ = os.Remove(tmp)
		return fmt.Errorf("record the output folder's kind: %w", err)
	}
	return nil
}

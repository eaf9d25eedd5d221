package job

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"syscall"
)

// A run builds its outputs in a staging folder and then moves them into
// place. The move is a small transaction, so that a run killed at any
// moment, even by SIGKILL, leaves the previous outputs exactly as they were:
//
//  1. every staged file is synced to disk; every target that exists is
//     hard-linked to a backup (in the staging folder for the output
//     folder's files, beside the database for the database, which may be
//     on another file system), and a manifest listing the moves is written
//     and synced;
//  2. each staged file is renamed over its target, and the folders synced;
//  3. the manifest is removed, which is the commit; then the backups and
//     the staging folder.
//
// The next command in the folder (run or annual), holding the lock, finds a
// manifest left by a run killed in step 2 and undoes its moves from the
// backups (recover), before anything else. Step 2 is not atomic across
// files: docs/SECURITY.md says what a reader sees meanwhile, and why. A staging folder without a manifest is a run that
// never reached step 2 and is deleted.
//
// The manifest names files by base name only, each in one of two folders:
// the output folder (the staging folder for staged files and backups) or
// the database's folder. Recovery refuses a manifest that names anything
// else, a staging folder that is not this user's private folder, and a
// manifest that is a symbolic link: a planted manifest cannot move or
// delete a file outside those folders.

const (
	stagePrefix  = ".lacaudit-run-"
	manifestName = "commit.json"
)

// stagedDBSuffix marks a database being built beside its target.
const stagedDBSuffix = ".lacaudit-new-"

// backupDBSuffix marks the previous database kept beside its target while
// the new one is moved into place.
const backupDBSuffix = ".lacaudit-old-"

// move is one file to move into place, by absolute paths.
type move struct {
	Staged string
	Target string
	Backup string // empty: the target did not exist
}

// entry is a move as the manifest stores it.
type entry struct {
	Folder string `json:"folder"` // "out" or "db"
	Target string `json:"target"`
	Staged string `json:"staged"`
	Backup string `json:"backup,omitempty"`
}

// manifest is the commit's record of its moves.
type manifest struct {
	// DBFolder is the database's folder, compared (never used as a path)
	// so that a database's moves are undone only in the folder they were
	// made in.
	DBFolder string  `json:"db_folder"`
	Moves    []entry `json:"moves"`
}

// outputName is what an output folder file may be called.
var outputName = regexp.MustCompile(`^(findings\.csv|findings\.parquet|rejects\.csv|latest\.xlsx|lacaudit-[0-9A-Za-z-]+\.xlsx)$`)

// baseName says whether s is a plain file name, with no folder in it.
func baseName(s string) bool {
	return s != "" && s != "." && s != ".." && !strings.ContainsAny(s, "/\x00") && filepath.Base(s) == s
}

// commitStep is called after each step of commit that changes a file, with
// the step's name; tests stop a commit there as a kill would.
var commitStep = func(step string) {}

// commit moves staged files into place, as described above. stage is an
// absolute path, the output folder its parent; a file staged outside it is
// the database.
func commit(stage string, moves []move, mode os.FileMode) error {
	out := filepath.Dir(stage)
	backups := filepath.Join(stage, "previous")
	if err := os.MkdirAll(backups, 0o700); err != nil {
		return err
	}
	m := manifest{}
	syncDirs := map[string]bool{out: true, stage: true, backups: true}
	for i, mv := range moves {
		fm := mode
		if filepath.Dir(mv.Staged) != stage {
			// The database holds the raw extract (identifiers, postcodes,
			// dates of birth): the owner's only, whatever --file-mode says,
			// and so is its backup, a hard link to the previous one.
			fm = 0o600
			if _, err := os.Lstat(mv.Target); err == nil {
				if err := os.Chmod(mv.Target, fm); err != nil {
					return fmt.Errorf("set permissions of %s: %w", filepath.Base(mv.Target), err)
				}
			}
		}
		if err := os.Chmod(mv.Staged, fm); err != nil {
			return fmt.Errorf("set permissions of %s: %w", filepath.Base(mv.Target), err)
		}
		if err := syncFile(mv.Staged); err != nil {
			return fmt.Errorf("write %s to disk: %w", filepath.Base(mv.Target), err)
		}
		e := entry{Folder: "out", Target: filepath.Base(mv.Target), Staged: filepath.Base(mv.Staged)}
		b := filepath.Join(backups, fmt.Sprintf("%d-%s", i, e.Target))
		if filepath.Dir(mv.Staged) != stage {
			// The database, staged beside its target.
			dir, err := filepath.Abs(filepath.Dir(mv.Target))
			if err != nil {
				return err
			}
			e.Folder, m.DBFolder = "db", dir
			b = mv.Target + backupDBSuffix + filepath.Base(stage)
			syncDirs[dir] = true
		}
		if _, err := os.Lstat(mv.Target); err == nil {
			_ = os.Remove(b)
			if err := os.Link(mv.Target, b); err != nil {
				return fmt.Errorf("keep the previous %s: %w", filepath.Base(mv.Target), err)
			}
			moves[i].Backup = b
			e.Backup = filepath.Base(b)
			commitStep("keep the previous " + e.Target)
		}
		m.Moves = append(m.Moves, e)
	}
	for dir := range syncDirs {
		if err := syncDir(dir); err != nil {
			return err
		}
	}
	path := filepath.Join(stage, manifestName)
	if err := writeSynced(path, m); err != nil {
		return err
	}
	commitStep("write the manifest")
	for _, mv := range moves {
		if err := os.Rename(mv.Staged, mv.Target); err != nil {
			// Put back what was moved, then report.
			if rerr := undo(moves); rerr != nil {
				return fmt.Errorf("move %s into place: %v; restoring the previous outputs also failed: %w", filepath.Base(mv.Target), err, rerr)
			}
			_ = os.Remove(path)
			return fmt.Errorf("move %s into place: %w", filepath.Base(mv.Target), err)
		}
		commitStep("move " + filepath.Base(mv.Target))
	}
	for dir := range syncDirs {
		if err := syncDir(dir); err != nil {
			return err
		}
	}
	if err := os.Remove(path); err != nil {
		return err
	}
	commitStep("remove the manifest")
	// Committed: the backups beside a database go (those in the staging
	// folder go with it).
	for _, mv := range moves {
		if mv.Backup != "" && filepath.Dir(mv.Backup) != backups {
			_ = os.Remove(mv.Backup)
			commitStep("remove the previous " + filepath.Base(mv.Target))
		}
	}
	return nil
}

func writeSynced(path string, v any) error {
	b, err := json.Marshal(v)
	if err != nil {
		return err
	}
	f, err := os.OpenFile(path, os.O_CREATE|os.O_WRONLY|os.O_TRUNC|syscall.O_NOFOLLOW, 0o600)
	if err != nil {
		return err
	}
	if _, err := f.Write(b); err != nil {
		f.Close()
		return err
	}
	if err := f.Sync(); err != nil {
		f.Close()
		return err
	}
	if err := f.Close(); err != nil {
		return err
	}
	return syncDir(filepath.Dir(path))
}

func syncFile(path string) error {
	f, err := os.OpenFile(path, os.O_RDONLY|syscall.O_NOFOLLOW, 0)
	if err != nil {
		return err
	}
	defer f.Close()
	return f.Sync()
}

func syncDir(dir string) error {
	d, err := os.Open(dir)
	if err != nil {
		return err
	}
	defer d.Close()
	if err := d.Sync(); err != nil && !errors.Is(err, os.ErrInvalid) {
		return err
	}
	return nil
}

// undo puts every target back as it was before the moves.
func undo(moves []move) error {
	var first error
	for _, m := range moves {
		var err error
		if m.Backup != "" {
			err = os.Rename(m.Backup, m.Target)
		} else if _, serr := os.Lstat(m.Staged); os.IsNotExist(serr) {
			// It was moved in and there was nothing before it.
			err = os.Remove(m.Target)
			if os.IsNotExist(err) {
				err = nil
			}
		}
		if err != nil && first == nil {
			first = err
		}
	}
	return first
}

// privateDir says why path is not a folder of this user's that no one else
// can write to (nil when it is); group or others may read it when mode
// allows them to (a folder of --file-mode 0640 outputs). A symbolic link
// is followed only with follow set (an output folder may be one; a staging
// folder may not).
func privateDir(path string, what string, follow bool) error {
	stat := os.Lstat
	if follow {
		stat = os.Stat
	}
	st, err := stat(path)
	if err != nil {
		return err
	}
	sys, ok := st.Sys().(*syscall.Stat_t)
	switch {
	case !st.IsDir():
		return fmt.Errorf("%s %s is not a folder", what, path)
	case !ok || int(sys.Uid) != os.Geteuid():
		return fmt.Errorf("%s %s does not belong to this user", what, path)
	case st.Mode().Perm()&0o022 != 0:
		return fmt.Errorf("%s %s can be written by its group or others (permissions %04o): lacaudit refuses it; chmod go-w it or choose another", what, path, st.Mode().Perm())
	}
	return nil
}

// readManifest reads the manifest of a staging folder, resolving and
// checking every name it holds; it returns nil moves when there is none.
func readManifest(stage, dbPath string) ([]move, error) {
	if err := privateDir(stage, "staging folder", false); err != nil {
		return nil, err
	}
	if st, _ := os.Lstat(stage); st != nil && st.Mode().Perm()&0o077 != 0 {
		return nil, fmt.Errorf("staging folder %s is open to others (permissions %04o): lacaudit does not trust it; remove it", stage, st.Mode().Perm())
	}
	path := filepath.Join(stage, manifestName)
	f, err := os.OpenFile(path, os.O_RDONLY|syscall.O_NOFOLLOW, 0)
	if os.IsNotExist(err) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("read %s: %w", path, err)
	}
	b, err := io.ReadAll(io.LimitReader(f, 1<<20))
	f.Close()
	if err != nil {
		return nil, fmt.Errorf("read %s: %w", path, err)
	}
	var m manifest
	if err := json.Unmarshal(b, &m); err != nil {
		return nil, fmt.Errorf("read %s: %w", path, err)
	}
	out := filepath.Dir(stage)
	db, dbDir := filepath.Base(dbPath), filepath.Dir(dbPath)
	bad := func(e entry) error {
		return fmt.Errorf("the manifest %s names %q, which is not one of lacaudit's files: refused; remove the folder", path, e.Target)
	}
	var moves []move
	for _, e := range m.Moves {
		if !baseName(e.Target) || !baseName(e.Staged) || (e.Backup != "" && !baseName(e.Backup)) {
			return nil, bad(e)
		}
		var mv move
		switch e.Folder {
		case "out":
			if !outputName.MatchString(e.Target) || e.Staged != e.Target {
				return nil, bad(e)
			}
			mv = move{Staged: filepath.Join(stage, e.Staged), Target: filepath.Join(out, e.Target)}
			if e.Backup != "" {
				mv.Backup = filepath.Join(stage, "previous", e.Backup)
			}
		case "db":
			if e.Target != db || e.Staged != db+stagedDBSuffix+filepath.Base(stage) ||
				(e.Backup != "" && e.Backup != db+backupDBSuffix+filepath.Base(stage)) {
				return nil, bad(e)
			}
			if abs, err := filepath.Abs(dbDir); err != nil || m.DBFolder != abs {
				// Never trusted: a planted manifest could name any folder.
				return nil, fmt.Errorf("the manifest %s, left by a run killed while moving its outputs into place, names the database folder %s, not this run's %s: refused; check that folder's %s by hand, then remove %s", path, m.DBFolder, dbDir, db, stage)
			}
			mv = move{Staged: filepath.Join(dbDir, e.Staged), Target: dbPath}
			if e.Backup != "" {
				mv.Backup = filepath.Join(dbDir, e.Backup)
			}
		default:
			return nil, bad(e)
		}
		moves = append(moves, mv)
	}
	return moves, nil
}

// recoverOutputs tidies after earlier runs in dir: it undoes the moves of a
// run killed while moving its outputs into place, and deletes the staging
// folders, staged databases and database backups that killed or failed
// runs left. It returns how many interrupted moves it undid.
func recoverOutputs(dir, dbPath string) (int, error) {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return 0, err
	}
	undone := 0
	for _, e := range entries {
		if !e.IsDir() || !strings.HasPrefix(e.Name(), stagePrefix) {
			continue
		}
		stage := filepath.Join(dir, e.Name())
		moves, err := readManifest(stage, dbPath)
		if err != nil {
			return undone, err
		}
		if moves != nil {
			if err := undo(moves); err != nil {
				return undone, fmt.Errorf("restore the outputs of an interrupted run from %s: %w", stage, err)
			}
			undone++
		}
		if err := os.RemoveAll(stage); err != nil {
			return undone, err
		}
	}
	// Databases staged, and backups kept, beside a --db elsewhere.
	for _, suffix := range []string{stagedDBSuffix, backupDBSuffix} {
		stale, _ := filepath.Glob(globQuote(dbPath) + suffix + "*")
		for _, s := range stale {
			_ = os.Remove(s)
		}
	}
	return undone, nil
}

// globQuote escapes the pattern characters of a path for filepath.Glob.
func globQuote(p string) string {
	var b strings.Builder
	for _, r := range p {
		if strings.ContainsRune(`*?[\`, r) {
			b.WriteByte('\\')
		}
		b.WriteRune(r)
	}
	return b.String()
}

// workspace is an output folder held by one command: created if need be,
// locked (with the database), tidied after
// earlier runs, with a new staging folder inside.
type workspace struct {
	lock, dbLock *lock
	stage        string // absolute path of the staging folder
}

// openWorkspace prepares s.Out for a command that will write into it;
// dbPath is the database the nightly run keeps, locked too, since tidying
// removes a staged one and recovery may restore it. The output and
// database folders must be this user's, and not writable by group or
// others.
func openWorkspace(s *Settings, dbPath string, log *slog.Logger) (*workspace, error) {
	if s.FileMode == 0 {
		s.FileMode = 0o600
	}
	if _, err := os.Stat(s.Out); os.IsNotExist(err) {
		if err := os.MkdirAll(s.Out, dirMode(s.FileMode)); err != nil {
			return nil, fmt.Errorf("create output folder %s: %w", s.Out, err)
		}
		// The process's umask (077) would keep a group from a new folder
		// that --file-mode 0640 means it to read.
		if err := os.Chmod(s.Out, dirMode(s.FileMode)); err != nil {
			return nil, fmt.Errorf("create output folder %s: %w", s.Out, err)
		}
	}
	if err := privateDir(s.Out, "output folder", true); err != nil {
		return nil, err
	}
	if dbDir := filepath.Dir(dbPath); filepath.Clean(dbDir) != filepath.Clean(s.Out) {
		if err := privateDir(dbDir, "database folder", true); err != nil {
			return nil, err
		}
	}
	w := &workspace{}
	var err error
	if w.lock, err = acquire(s.Out); err != nil {
		return nil, err
	}
	if w.dbLock, err = acquireFile(dbLockPath(dbPath), "using the database "+dbPath); err != nil {
		w.lock.release()
		return nil, err
	}
	if n, err := recoverOutputs(s.Out, dbPath); err != nil {
		w.release()
		return nil, err
	} else if n > 0 {
		log.Warn("an earlier run was killed while moving its outputs into place; the outputs before it were restored")
	}
	stage, err := os.MkdirTemp(s.Out, stagePrefix)
	if err == nil {
		stage, err = filepath.Abs(stage)
	}
	if err != nil {
		w.release()
		return nil, fmt.Errorf("create staging folder in %s: %w", s.Out, err)
	}
	w.stage = stage
	return w, nil
}

func (w *workspace) release() {
	w.dbLock.release()
	w.lock.release()
}

// close removes the staging folder (what was committed has left it) and
// releases the locks.
func (w *workspace) close() {
	_ = os.RemoveAll(w.stage)
	w.release()
}

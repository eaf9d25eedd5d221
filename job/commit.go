package job

import (
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
)

// A run builds its outputs in a staging folder and then moves them into
// place. The move is a small transaction, so that a run killed at any
// moment, even by SIGKILL, leaves the previous outputs exactly as they were:
//
//  1. every target that exists is hard-linked to a backup in the staging
//     folder, and a manifest listing the moves is written and synced;
//  2. each staged file is renamed over its target;
//  3. the manifest is removed, which is the commit; then the staging folder.
//
// The next run, holding the lock, finds a manifest left by a run killed in
// step 2 and undoes its moves from the backups (recover). A staging folder
// without a manifest is a run that never reached step 2 and is deleted.

const (
	stagePrefix  = ".lacaudit-run-"
	manifestName = "commit.json"
)

type move struct {
	Staged string `json:"staged"` // empty: the target is removed
	Target string `json:"target"`
	Backup string `json:"backup"` // empty: the target did not exist
}

// commit moves staged files into place, as described above.
func commit(stage string, moves []move, mode os.FileMode) error {
	backups := filepath.Join(stage, "previous")
	if err := os.MkdirAll(backups, 0o700); err != nil {
		return err
	}
	for i, m := range moves {
		if m.Staged != "" { // empty: a removal, nothing to set
			if err := os.Chmod(m.Staged, mode); err != nil {
				return fmt.Errorf("set permissions of %s: %w", filepath.Base(m.Target), err)
			}
		}
		if _, err := os.Lstat(m.Target); err == nil {
			b := filepath.Join(backups, fmt.Sprintf("%d-%s", i, filepath.Base(m.Target)))
			if err := os.Link(m.Target, b); err != nil {
				return fmt.Errorf("keep the previous %s: %w", filepath.Base(m.Target), err)
			}
			moves[i].Backup = b
		}
	}
	manifest := filepath.Join(stage, manifestName)
	if err := writeSynced(manifest, moves); err != nil {
		return err
	}
	for _, m := range moves {
		var err error
		if m.Staged == "" {
			if err = os.Remove(m.Target); os.IsNotExist(err) {
				err = nil
			}
		} else {
			err = os.Rename(m.Staged, m.Target)
		}
		if err != nil {
			// Put back what was moved, then report.
			if rerr := undo(moves); rerr != nil {
				return fmt.Errorf("move %s into place: %v; restoring the previous outputs also failed: %w", filepath.Base(m.Target), err, rerr)
			}
			_ = os.Remove(manifest)
			return fmt.Errorf("move %s into place: %w", filepath.Base(m.Target), err)
		}
	}
	if err := syncDir(filepath.Dir(moves[0].Target)); err != nil {
		return err
	}
	return os.Remove(manifest)
}

func writeSynced(path string, v any) error {
	b, err := json.Marshal(v)
	if err != nil {
		return err
	}
	f, err := os.OpenFile(path, os.O_CREATE|os.O_WRONLY|os.O_TRUNC, 0o600)
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
		} else if m.Staged == "" {
			// A removal of a target that did not exist: nothing to undo.
		} else if _, serr := os.Stat(m.Staged); os.IsNotExist(serr) {
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

// recoverOutputs tidies after earlier runs in dir: it undoes the moves of a
// run killed while moving its outputs into place, and deletes the staging
// folders and staged databases that killed or failed runs left. It returns
// how many interrupted moves it undid.
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
		if b, err := os.ReadFile(filepath.Join(stage, manifestName)); err == nil {
			var moves []move
			if err := json.Unmarshal(b, &moves); err != nil {
				return undone, fmt.Errorf("read %s: %w", filepath.Join(stage, manifestName), err)
			}
			if err := undo(moves); err != nil {
				return undone, fmt.Errorf("restore the outputs of an interrupted run from %s: %w", stage, err)
			}
			undone++
		}
		if err := os.RemoveAll(stage); err != nil {
			return undone, err
		}
	}
	// Databases staged beside a --db elsewhere.
	stale, _ := filepath.Glob(dbPath + stagedDBSuffix + "*")
	for _, s := range stale {
		_ = os.Remove(s)
	}
	return undone, nil
}

// workspace is an output folder held by one command: created if need be,
// locked, tidied after earlier runs, with a new staging folder inside.
type workspace struct {
	lock  *lock
	stage string // absolute path of the staging folder
}

// openWorkspace prepares s.Out for a command that will write into it;
// dbPath is the database the nightly run keeps (for tidying a staged one).
func openWorkspace(s *Settings, dbPath string, log *slog.Logger) (*workspace, error) {
	if s.FileMode == 0 {
		s.FileMode = 0o600
	}
	if err := os.MkdirAll(s.Out, dirMode(s.FileMode)); err != nil {
		return nil, fmt.Errorf("create output folder %s: %w", s.Out, err)
	}
	lk, err := acquire(s.Out)
	if err != nil {
		return nil, err
	}
	if n, err := recoverOutputs(s.Out, dbPath); err != nil {
		lk.release()
		return nil, err
	} else if n > 0 {
		log.Warn("an earlier run was killed while moving its outputs into place; the outputs before it were restored")
	}
	stage, err := os.MkdirTemp(s.Out, stagePrefix)
	if err == nil {
		stage, err = filepath.Abs(stage)
	}
	if err != nil {
		lk.release()
		return nil, fmt.Errorf("create staging folder in %s: %w", s.Out, err)
	}
	return &workspace{lock: lk, stage: stage}, nil
}

// close removes the staging folder (what was committed has left it) and
// releases the lock.
func (w *workspace) close() {
	_ = os.RemoveAll(w.stage)
	w.lock.release()
}

// stagedDBSuffix marks a database being built beside its target.
const stagedDBSuffix = ".lacaudit-new-"

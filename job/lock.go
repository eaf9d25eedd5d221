package job

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
)

// lock is an exclusive lock on an output folder or a database: a file
// holding the owner's process id, locked with flock so that the kernel
// releases it when the process dies, however it dies; a stale lock file is
// simply taken over.
//
// The lock file is opened without following a symbolic link and must be a
// regular file of this user with a single link, so that a planted link
// cannot make a run write into another file; it is never truncated: the
// process id is written over its start, padded to a fixed width.
type lock struct {
	f *os.File
}

const lockName = ".lacaudit.lock"

// pidWidth is the lock file's fixed length: a process id, padded, and a line end.
const pidWidth = 21

// acquire locks the output folder dir.
func acquire(dir string) (*lock, error) {
	return acquireFile(filepath.Join(dir, lockName), "writing to this output folder")
}

// dbLockPath is the lock file of the database at dbPath, beside it.
func dbLockPath(dbPath string) string {
	return filepath.Join(filepath.Dir(dbPath), "."+filepath.Base(dbPath)+".lock")
}

// acquireFile locks the lock file at path; doing says what a run holding it
// does, for the message that another run does.
func acquireFile(path, doing string) (*lock, error) {
	fd, err := syscall.Open(path, syscall.O_RDWR|syscall.O_CREAT|syscall.O_NOFOLLOW|syscall.O_CLOEXEC, 0o600)
	if err != nil {
		if errors.Is(err, syscall.ELOOP) {
			return nil, fmt.Errorf("lock %s is a symbolic link: lacaudit does not follow it; remove it", path)
		}
		return nil, fmt.Errorf("open lock %s: %w", path, err)
	}
	f := os.NewFile(uintptr(fd), path)
	var st syscall.Stat_t
	if err := syscall.Fstat(fd, &st); err != nil {
		_ = f.Close()
		return nil, fmt.Errorf("lock %s: %w", path, err)
	}
	if st.Mode&syscall.S_IFMT != syscall.S_IFREG || int(st.Uid) != os.Geteuid() || st.Nlink != 1 {
		_ = f.Close()
		return nil, fmt.Errorf("lock %s is not a regular file of this user with a single link: lacaudit does not use it; remove it", path)
	}
	if err := syscall.Flock(fd, syscall.LOCK_EX|syscall.LOCK_NB); err != nil {
		b := make([]byte, pidWidth)
		n, _ := f.ReadAt(b, 0)
		_ = f.Close()
		if errors.Is(err, syscall.EWOULDBLOCK) {
			pid, _ := strconv.Atoi(strings.TrimSpace(string(b[:n])))
			return nil, &LockError{Path: path, PID: pid, Doing: doing}
		}
		return nil, fmt.Errorf("lock %s: %w", path, err)
	}
	_, _ = f.WriteAt([]byte(fmt.Sprintf("%-*d\n", pidWidth-1, os.Getpid())), 0)
	return &lock{f: f}, nil
}

func (l *lock) release() {
	if l == nil {
		return
	}
	_ = syscall.Flock(int(l.f.Fd()), syscall.LOCK_UN)
	_ = l.f.Close()
}

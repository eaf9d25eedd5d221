package job

import (
	"bufio"
	"os"
	"strconv"
	"strings"
)

// ResetPeakRSS starts a new measurement of the process's peak resident
// memory (Linux: writing 5 to /proc/self/clear_refs resets VmHWM). Where it
// cannot, PeakRSS reports the peak since the process started.
func ResetPeakRSS() { _ = os.WriteFile("/proc/self/clear_refs", []byte("5"), 0o200) }

// PeakRSS is the process's peak resident memory in bytes since the last
// reset, or 0 where the system does not say.
func PeakRSS() int64 {
	f, err := os.Open("/proc/self/status")
	if err != nil {
		return 0
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if rest, ok := strings.CutPrefix(sc.Text(), "VmHWM:"); ok {
			kb, err := strconv.ParseInt(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(rest), "kB")), 10, 64)
			if err != nil {
				return 0
			}
			return kb * 1024
		}
	}
	return 0
}

package job

import (
	"bufio"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"runtime"
	"runtime/debug"
	"strconv"
	"strings"

	"github.com/lacaudit/lacaudit/ingest"
)

// ResetPeakRSS starts a new measurement of the process's peak resident
// memory (Linux: writing 5 to /proc/self/clear_refs resets VmHWM). Where it
// cannot, PeakRSS reports the peak since the process started.
func ResetPeakRSS() { _ = os.WriteFile("/proc/self/clear_refs", []byte("5"), 0o200) }

// PeakRSS is the process's peak resident memory in bytes since the last
// reset, or 0 where the system does not say.
func PeakRSS() int64 { return kBField("/proc/self/status", "VmHWM:") }

// kBField is the value in bytes of the line "name: N kB" of a /proc file,
// or 0 when there is none.
func kBField(path, name string) int64 {
	f, err := os.Open(path)
	if err != nil {
		return 0
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if rest, ok := strings.CutPrefix(sc.Text(), name); ok {
			kb, err := strconv.ParseInt(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(rest), "kB")), 10, 64)
			if err != nil {
				return 0
			}
			return kb * 1024
		}
	}
	return 0
}

// AutoMemory is the memory-limit setting that gives DuckDB the automatic
// limit (see memoryLimit).
const AutoMemory = "auto"

// Bounds of the automatic memory limit: the extract's size in bytes
// (workbooks counted xlsxExpansion times), at least minAutoMemory, at most
// half the machine's memory.
//
// 512 MB keeps a whole run (DuckDB, the Go heap and DuckDB's memory outside
// its limit) under 1 GiB up to ten years of 300,000 children, on both of
// the bench's sample shapes (332 and 388 MB of CSV; peaks 877 to 960 MiB):
// with three times the extract, as before, the same runs peaked at 1.6 to
// 2.1 GiB (DuckDB at its 1 to 1.2 GB, the Go heap at 280 MB and 300 to
// 700 MB that DuckDB does not count against its limit). Past the limit
// DuckDB works on disk, but not every step can: at 1,000,000 children
// (1.16 GB of CSV) a run held to 512 MB ran out of memory, and runs held
// to 1 GB and 1.16 GB did not (docs/PERFORMANCE.md), so above 512 MB of
// extract the limit grows with it. --memory-limit gives more where memory
// is to spare (at 1,000,000 children 3.5 GB was no faster on this
// project's machine).
const (
	minAutoMemory     = 512_000_000
	autoMemoryPerByte = 1
	// xlsxExpansion counts a workbook's bytes as this many bytes of CSV: its
	// XML is deflated.
	xlsxExpansion = 5
)

// memorySize is a size DuckDB takes as a memory limit: a number and a unit.
var memorySize = regexp.MustCompile(`^(?i)[0-9]+(\.[0-9]+)?\s*(B|KB|MB|GB|TB|KiB|MiB|GiB|TiB)$`)

// MinMemoryLimit is the least --memory-limit takes, in bytes (128MB, so
// 128MiB too): below it DuckDB cannot hold even a small extract's working
// set, and a run would fail later on a misleading error (a workbook taken
// for a zip bomb, or out of memory).
const MinMemoryLimit = 128e6

// CheckMemoryLimit says whether setting is a memory limit lacaudit can use:
// AutoMemory, or a size such as 2GB or 1500MiB of at least MinMemoryLimit.
func CheckMemoryLimit(setting string) error {
	if strings.EqualFold(setting, AutoMemory) {
		return nil
	}
	if !memorySize.MatchString(strings.TrimSpace(setting)) {
		return fmt.Errorf("--memory-limit %q: expected auto or a size such as 2GB or 1500MB", setting)
	}
	if sizeBytes(setting) < MinMemoryLimit {
		return fmt.Errorf("--memory-limit %q: below the least lacaudit works in, 128MB (use auto, or a size such as 2GB)", setting)
	}
	return nil
}

// memoryLimit is DuckDB's memory limit for a run on the extracts in the
// folder input: the setting itself, or for AutoMemory (and an empty
// setting) autoMemoryPerByte bytes per byte of the extracts, at least
// minAutoMemory and at most half the memory the machine (or its container)
// has. The extracts are the files ingest.Discover reads (ingest.FormatOf).
func memoryLimit(setting, input string) string {
	if setting != "" && !strings.EqualFold(setting, AutoMemory) {
		return setting
	}
	limit := max(extractSize(input)*autoMemoryPerByte, minAutoMemory)
	if total := machineMemory(); total > 0 {
		limit = min(limit, total/2)
	}
	return strconv.FormatInt(limit/1_000_000, 10) + "MB"
}

// extractSize is the size in bytes of the extract files in the folder
// input, and in its returns' folders: the files ingest.Discover reads
// (ingest.FormatOf).
func extractSize(input string) int64 {
	var size int64
	entries, _ := os.ReadDir(input)
	for _, e := range entries {
		if e.IsDir() && ingest.FormatOf(e.Name()) != ingest.Skipped {
			size += returnBytes(filepath.Join(input, e.Name()))
			continue
		}
		size += extractBytes(e)
	}
	return size
}

// smallExtract is the extract size under which a run gives DuckDB one
// worker thread instead of one a core. A small extract's statements are
// too small to share out: on two cores a second thread mostly hands tasks
// over (a tenth of the CPU in locks), and the run already keeps two cores
// busy with two connections (two tables loading at once, the findings
// files beside the workbook). Measured on two cores (docs/PERFORMANCE.md):
// one thread was faster at 2,000 children (2.3 MB: 0.77 s against
// 0.85 s) and 10,000 (12 MB: 1.77 s against 1.92 s), slower at 30,000
// (34 MB: 4.2 s against 3.9 s).
const smallExtract = 16 << 20

// shownThreads is n as the log shows it: 0 is one a core.
func shownThreads(n int) int {
	if n == 0 {
		return runtime.NumCPU()
	}
	return n
}

// threads is DuckDB's worker thread count for a run on the extracts in
// the folder input: the setting when it is one or more; for 0 (automatic)
// one under smallExtract, else 0 (DuckDB's default: one a core).
func threads(setting int, input string) int {
	if setting > 0 {
		return setting
	}
	if extractSize(input) < smallExtract {
		return 1
	}
	return 0
}

// machineMemory is the memory available to the process in bytes: the
// machine's, or its control group's limit when lower; 0 when unknown.
func machineMemory() int64 {
	total := kBField("/proc/meminfo", "MemTotal:")
	if b, err := os.ReadFile("/sys/fs/cgroup/memory.max"); err == nil {
		if n, err := strconv.ParseInt(strings.TrimSpace(string(b)), 10, 64); err == nil && n > 0 && (total == 0 || n < total) {
			total = n
		}
	}
	return total
}

// sizeUnits are the multipliers of the units a memory limit may use.
var sizeUnits = map[string]float64{
	"b": 1, "kb": 1e3, "mb": 1e6, "gb": 1e9, "tb": 1e12,
	"kib": 1 << 10, "mib": 1 << 20, "gib": 1 << 30, "tib": 1 << 40,
}

// sizeBytes reads a memory limit such as "1500MB" or "2 GiB" as bytes; 0
// when it cannot.
func sizeBytes(setting string) int64 {
	s := strings.ToLower(strings.TrimSpace(setting))
	i := strings.IndexFunc(s, func(r rune) bool { return (r < '0' || r > '9') && r != '.' })
	if i <= 0 {
		return 0
	}
	n, err := strconv.ParseFloat(s[:i], 64)
	unit, ok := sizeUnits[strings.TrimSpace(s[i:])]
	if err != nil || !ok {
		return 0
	}
	return int64(n * unit)
}

// minGoHeap is the least the Go heap's soft limit is set to: below it the
// garbage collector would run all the time on a small extract.
const minGoHeap = 128 << 20

// boundGoHeap sets the Go heap's soft limit (debug.SetMemoryLimit) to 3/8
// of the run's memory limit (DuckDB's, a size such as "1500MB"), at least
// minGoHeap, so that reading workbooks and writing reports stays in line
// with --memory-limit; it returns the run's limit in bytes (0 when it
// cannot be read). With the automatic 512 MB that is 192 MB: the workbook's
// capped lists hold about 130 MB at national size (excelize keeps each
// streamed sheet in memory until the workbook is saved), and at half the
// limit, as before, the heap grew to 280 MB of it with its garbage.
func boundGoHeap(limit string) int64 {
	b := sizeBytes(limit)
	if b > 0 {
		debug.SetMemoryLimit(max(b/8*3, minGoHeap))
	}
	return b
}

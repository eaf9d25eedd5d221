package main

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/lacaudit/lacaudit/job"
)

// minMemoryLimit is the least --memory-limit takes, in bytes (128MB, so
// 128MiB too): below it DuckDB cannot hold even a small extract's working
// set, and a run would fail later on a misleading error (a workbook taken
// for a zip bomb, or out of memory).
const minMemoryLimit = 128e6

// memoryUnits are the units of a memory limit, as DuckDB reads them.
var memoryUnits = map[string]float64{
	"b": 1, "kb": 1e3, "mb": 1e6, "gb": 1e9, "tb": 1e12,
	"kib": 1 << 10, "mib": 1 << 20, "gib": 1 << 30, "tib": 1 << 40,
}

// checkMemoryLimit is job.CheckMemoryLimit with a floor: auto, or a size of
// at least minMemoryLimit.
func checkMemoryLimit(setting string) error {
	if err := job.CheckMemoryLimit(setting); err != nil {
		return err
	}
	s := strings.ToLower(strings.TrimSpace(setting))
	if s == strings.ToLower(job.AutoMemory) {
		return nil
	}
	i := strings.IndexFunc(s, func(r rune) bool { return (r < '0' || r > '9') && r != '.' })
	n, err := strconv.ParseFloat(s[:max(i, 0)], 64)
	unit, ok := memoryUnits[strings.TrimSpace(s[max(i, 0):])]
	if err != nil || !ok || n*unit < minMemoryLimit {
		return fmt.Errorf("--memory-limit %q: below the least lacaudit works in, 128MB (use auto, or a size such as 2GB)", setting)
	}
	return nil
}

package audit

// SetFlushRows sets how many obligations are written at a time, for a test,
// and returns the function that restores it.
func SetFlushRows(n int64) (restore func()) {
	old := flushRows
	flushRows = n
	return func() { flushRows = old }
}

package reports

import (
	"testing"
	"time"

	"github.com/xuri/excelize/v2"
)

// TestExcelDate holds excelDate to excelize's own reading of a serial.
func TestExcelDate(t *testing.T) {
	for _, d := range []string{"1900-03-01", "1970-01-01", "2024-02-29", "2026-11-01", "2099-12-31"} {
		want, _ := time.Parse(time.DateOnly, d)
		got, err := excelize.ExcelDateToTime(excelDate(want), false)
		if err != nil || !got.Equal(want) {
			t.Errorf("excelDate(%s) = %v, which Excel reads as %v (%v)", d, excelDate(want), got, err)
		}
	}
}

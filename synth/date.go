package synth

import (
	"strconv"
	"time"
)

// day is a civil date as days since 1970-01-01.
type day int32

func fromTime(t time.Time) day {
	return day(time.Date(t.Year(), t.Month(), t.Day(), 0, 0, 0, 0, time.UTC).Unix() / 86400)
}

// civil returns the year, month and day of d (Howard Hinnant's algorithm).
func (d day) civil() (int, int, int) {
	z := int64(d) + 719468
	era := z / 146097
	if z < 0 && z%146097 != 0 {
		era = (z - 146096) / 146097
	}
	doe := z - era*146097
	yoe := (doe - doe/1460 + doe/36524 - doe/146096) / 365
	y := yoe + era*400
	doy := doe - (365*yoe + yoe/4 - yoe/100)
	mp := (5*doy + 2) / 153
	dd := doy - (153*mp+2)/5 + 1
	m := mp + 3
	if m > 12 {
		m -= 12
	}
	if m <= 2 {
		y++
	}
	return int(y), int(m), int(dd)
}

func (d day) time() time.Time {
	return time.Unix(int64(d)*86400, 0).UTC()
}

// weekday is 0 for Sunday.
func (d day) weekday() int { return int((int64(d)%7 + 7 + 4) % 7) }

// appendDMY appends d as dd/mm/yyyy (the 903's format).
func (d day) appendDMY(b []byte) []byte {
	y, m, dd := d.civil()
	b = append2(b, dd)
	b = append(b, '/')
	b = append2(b, m)
	b = append(b, '/')
	return strconv.AppendInt(b, int64(y), 10)
}

// appendISO appends d as yyyy-mm-dd.
func (d day) appendISO(b []byte) []byte {
	y, m, dd := d.civil()
	b = strconv.AppendInt(b, int64(y), 10)
	b = append(b, '-')
	b = append2(b, m)
	b = append(b, '-')
	return append2(b, dd)
}

func append2(b []byte, v int) []byte {
	return append(b, byte('0'+v/10), byte('0'+v%10))
}

// addWorking adds n weekdays to d (bank holidays are ignored: the generator
// only needs plausible dates, the audit does the real counting).
func (d day) addWorking(n int) day {
	for n > 0 {
		d++
		if wd := d.weekday(); wd != 0 && wd != 6 {
			n--
		}
	}
	return d
}

// ageOn is the age in whole years on d of a child born on dob.
func ageOn(dob, d day) int {
	y1, m1, d1 := dob.civil()
	y2, m2, d2 := d.civil()
	a := y2 - y1
	if m2 < m1 || (m2 == m1 && d2 < d1) {
		a--
	}
	return a
}

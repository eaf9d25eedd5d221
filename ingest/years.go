package ingest

import (
	"errors"
	"fmt"
	"regexp"
	"strconv"
	"strings"
)

// CollectionYear is the label of the SSDA903 collection year that starts on
// 1 April of start: "2023-24" for 1 April 2023 to 31 March 2024.
func CollectionYear(start int) string { return fmt.Sprintf("%d-%02d", start, (start+1)%100) }

var digitRuns = regexp.MustCompile(`[0-9]+`)

// yearSeparators may stand between the two years of a collection year:
// "2023-24", "2023_24", "2023 24", "2023-2024".
const yearSeparators = "-_ "

// nameYear reads the collection year from a file or folder name (without
// its extension). It returns the year the collection year starts in, the
// name with the year taken out (trimmed of separators), and whether the name
// has a year at all. A name has a year when it holds a run of four or more
// digits; the run "903" (the return's own number) is not part of a year.
// Two forms are read: a collection year "2023-24" (or "2023-2024"; the
// second year must follow the first), and a single year "2024", which is
// the year the collection year ends in (2023-24: the DfE names a year's
// return after the March it ends in). Any other name with a year (a date
// "2024-03-31", two years that do not follow "2023-25", a year and another
// number "2024 (2)", eight digits "20242025") is ambiguous: an error saying
// what was expected, for the caller to name the file.
func nameYear(name string) (start int, rest string, ok bool, err error) {
	runs := digitRuns.FindAllStringIndex(name, -1)
	var kept [][]int
	long := false
	for _, r := range runs {
		d := name[r[0]:r[1]]
		if d == "903" {
			continue
		}
		if len(d) >= 4 {
			long = true
		}
		kept = append(kept, r)
	}
	if !long {
		return 0, name, false, nil
	}
	ambiguous := errors.New("expected one year such as 2024, the year the collection year ends in, or a collection year such as 2023-24")
	cut := func(a, b int) string {
		return strings.Trim(name[:a]+" "+name[b:], " _-.")
	}
	year := func(r []int) (int, bool) {
		d := name[r[0]:r[1]]
		if len(d) != 4 {
			return 0, false
		}
		y, _ := strconv.Atoi(d)
		return y, y >= 1990 && y <= 2099
	}
	switch len(kept) {
	case 1:
		y, good := year(kept[0])
		if !good {
			return 0, name, true, ambiguous
		}
		return y - 1, cut(kept[0][0], kept[0][1]), true, nil
	case 2:
		a, b := kept[0], kept[1]
		y, good := year(a)
		if !good || b[0]-a[1] != 1 || !strings.ContainsRune(yearSeparators, rune(name[a[1]])) {
			return 0, name, true, ambiguous
		}
		d := name[b[0]:b[1]]
		n, _ := strconv.Atoi(d)
		switch {
		case len(d) == 2 && n == (y+1)%100, len(d) == 4 && n == y+1:
			return y, cut(a[0], b[1]), true, nil
		}
	}
	return 0, name, true, ambiguous
}

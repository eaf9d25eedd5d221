package ingest

import "testing"

// A name's collection year: a single year is the one the collection year
// ends in; anything else with a year in it is refused, never guessed.
func TestNameYear(t *testing.T) {
	for _, c := range []struct {
		name  string
		start int
		rest  string
		has   bool
		bad   bool
	}{
		{name: "2022-23", start: 2022, has: true},
		{name: "2023-24", start: 2023, has: true},
		{name: "903_2024-25", start: 2024, rest: "903", has: true},
		{name: "2025", start: 2024, has: true},
		{name: "episodes_2023-24", start: 2023, rest: "episodes", has: true},
		{name: "Reviews 2024", start: 2023, rest: "Reviews", has: true},
		{name: "903 2024-25", start: 2024, rest: "903", has: true},
		{name: "header_2023_2024", start: 2023, rest: "header", has: true},
		{name: "SSDA903 2019-20", start: 2019, rest: "SSDA903", has: true},
		{name: "reviews_1999-00", start: 1999, rest: "reviews", has: true},
		{name: "episodes", rest: "episodes"},
		{name: "Reviews (2)", rest: "Reviews (2)"},
		{name: "903", rest: "903"},
		{name: "reviews_2024-03-31", has: true, bad: true},
		{name: "2023-25", has: true, bad: true},
		{name: "2023-2025", has: true, bad: true},
		{name: "2024 (2)", has: true, bad: true},
		{name: "episodes 2023 2024", start: 2023, rest: "episodes", has: true},
		{name: "episodes 2023 2023", has: true, bad: true},
		{name: "20240331", has: true, bad: true},
		{name: "3024", has: true, bad: true},
		{name: "2023--24", has: true, bad: true},
	} {
		start, rest, has, err := nameYear(c.name)
		if has != c.has || (err != nil) != c.bad {
			t.Errorf("%q: has year %v, error %v; want %v, error %v", c.name, has, err, c.has, c.bad)
			continue
		}
		if !c.bad && (start != c.start || rest != c.rest) {
			t.Errorf("%q: %d %q, want %d %q", c.name, start, rest, c.start, c.rest)
		}
	}
	if CollectionYear(1999) != "1999-00" || CollectionYear(2024) != "2024-25" {
		t.Errorf("CollectionYear: %s %s", CollectionYear(1999), CollectionYear(2024))
	}
}

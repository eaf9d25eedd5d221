package templates

import "testing"

func TestBundledStyleReads(t *testing.T) {
	s, err := Default()
	if err != nil {
		t.Fatal(err)
	}
	if s.Authority != "Example Borough Council" || s.TableStyle != "TableStyleMedium2" {
		t.Errorf("authority %q, table style %q", s.Authority, s.TableStyle)
	}
	for _, c := range Cells {
		if s.Styles[c.Key] == nil {
			t.Errorf("no style for %s", c.Key)
		}
	}
	if h := s.Styles["header"]; h.Font == nil || !h.Font.Bold || len(h.Fill.Color) == 0 {
		t.Errorf("header style lost its font or fill: %+v", h)
	}
}

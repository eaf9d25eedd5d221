package ingest

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/lacaudit/lacaudit/synth"
)

// The marker lacaudit sample leaves is listed as not read, with its own
// reason: a sample folder's every run would otherwise warn of it.
func TestDiscoverSampleMarker(t *testing.T) {
	if SampleMarker != synth.MarkerName {
		t.Fatalf("SampleMarker %q, synth.MarkerName %q: they name one file", SampleMarker, synth.MarkerName)
	}
	dir := t.TempDir()
	for _, name := range []string{"header.csv", "episodes.csv", "reviews.csv", SampleMarker, ".DS_Store"} {
		if err := os.WriteFile(filepath.Join(dir, name), []byte("CHILD\n1\n"), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	d, err := Discover(dir)
	if err != nil {
		t.Fatal(err)
	}
	why := map[string]string{}
	for _, f := range d.Files {
		why[f.Name] = f.Why
	}
	if why[SampleMarker] != "the marker lacaudit sample leaves in a synthetic extract" {
		t.Errorf("%s: %q", SampleMarker, why[SampleMarker])
	}
	if why[".DS_Store"] != "a hidden file" {
		t.Errorf(".DS_Store: %q", why[".DS_Store"])
	}
}

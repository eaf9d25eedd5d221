package reports

import (
	"archive/zip"
	"bytes"
	"io"
	"math/rand/v2"
	"testing"
)

// TestParallelZip writes parts of every size that matters (empty, small,
// exactly a chunk, several chunks and a bit) in writes of awkward sizes, and
// reads them back with the standard library, which checks each part's
// deflate stream and CRC.
func TestParallelZip(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	text := func(n int) []byte {
		b := make([]byte, n)
		for i := range b {
			b[i] = "<row r=\"1\"><c t=\"inlineStr\"><is><t>x</t></is></c></row>0123456789"[rng.IntN(60)]
		}
		return b
	}
	parts := []struct {
		name string
		data []byte
	}{
		{"empty.xml", nil},
		{"small.xml", text(100)},
		{"chunk.xml", text(zipChunkSize)},
		{"large.xml", text(3*zipChunkSize + 12345)},
		{"after.xml", text(5000)},
	}
	var buf bytes.Buffer
	z := newParallelZip(&buf)
	for _, p := range parts {
		w, err := z.Create(p.name)
		if err != nil {
			t.Fatal(err)
		}
		for rest := p.data; len(rest) > 0; {
			k := min(len(rest), 1+rng.IntN(70000))
			if n, err := w.Write(rest[:k]); err != nil || n != k {
				t.Fatalf("write %s: %d, %v", p.name, n, err)
			}
			rest = rest[k:]
		}
	}
	if err := z.Close(); err != nil {
		t.Fatal(err)
	}
	r, err := zip.NewReader(bytes.NewReader(buf.Bytes()), int64(buf.Len()))
	if err != nil {
		t.Fatal(err)
	}
	if len(r.File) != len(parts) {
		t.Fatalf("%d parts in the archive, want %d", len(r.File), len(parts))
	}
	for i, f := range r.File {
		if f.Name != parts[i].name {
			t.Errorf("part %d is %s, want %s", i, f.Name, parts[i].name)
		}
		rc, err := f.Open()
		if err != nil {
			t.Fatal(err)
		}
		got, err := io.ReadAll(rc) // checks the CRC at the end
		rc.Close()
		if err != nil {
			t.Fatalf("read %s: %v", f.Name, err)
		}
		if !bytes.Equal(got, parts[i].data) {
			t.Errorf("%s: read back %d bytes that differ from the %d written", f.Name, len(got), len(parts[i].data))
		}
		if f.CompressedSize64 >= uint64(len(parts[i].data))+100 {
			t.Errorf("%s: %d bytes compressed from %d", f.Name, f.CompressedSize64, len(parts[i].data))
		}
	}
}

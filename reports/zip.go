package reports

import (
	"archive/zip"
	"bytes"
	"compress/flate"
	"errors"
	"fmt"
	"hash"
	"hash/crc32"
	"io"
	"io/fs"
	"runtime"

	"github.com/xuri/excelize/v2"
)

// zipChunkSize is how much of a part one goroutine deflates.
const zipChunkSize = 1 << 20

// zipLevel is deflate's fastest level: at national scale compressing the
// sheets is most of the time spent saving, and the file grows little.
const zipLevel = flate.BestSpeed

// finalBlock is an empty final deflate block, which ends a part's stream.
var finalBlock = func() []byte {
	var b bytes.Buffer
	w, _ := flate.NewWriter(&b, zipLevel)
	_ = w.Close()
	return b.Bytes()
}()

// parallelZip is the excelize.ZipWriter the workbooks are saved through. It
// deflates each part (a worksheet, the styles, ...) in chunks of
// zipChunkSize on as many goroutines as there are cores, as pigz does: each
// chunk's deflate stream ends with a sync flush, so the chunks laid end to
// end, then an empty final block, are one valid stream. The parts go into
// the archive in order when it is closed. (excelize's own writer deflates
// the whole workbook on one core, and a national workbook's exception
// sheets are tens of megabytes.)
type parallelZip struct {
	zw    *zip.Writer
	parts []*zipPart
	cur   *zipPart
	slots chan struct{} // bounds the chunks being deflated at once
}

func newParallelZip(w io.Writer) excelize.ZipWriter {
	return &parallelZip{zw: zip.NewWriter(w), slots: make(chan struct{}, runtime.GOMAXPROCS(0)+1)}
}

type zipPart struct {
	z       *parallelZip
	name    string
	pending []byte // written, not yet handed to a goroutine
	chunks  []*zipChunk
	crc     hash.Hash32
	size    uint64
}

type zipChunk struct {
	out  []byte
	err  error
	done chan struct{}
}

// Create starts the next part; the previous one has had all its bytes.
func (z *parallelZip) Create(name string) (io.Writer, error) {
	z.endPart()
	z.cur = &zipPart{z: z, name: name, crc: crc32.NewIEEE()}
	z.parts = append(z.parts, z.cur)
	return z.cur, nil
}

// AddFS is not used by excelize when it saves.
func (z *parallelZip) AddFS(fs.FS) error { return errors.New("workbook zip: AddFS is not supported") }

func (z *parallelZip) endPart() {
	if z.cur != nil {
		z.cur.deflate()
		z.cur = nil
	}
}

func (p *zipPart) Write(b []byte) (int, error) {
	n := len(b)
	_, _ = p.crc.Write(b)
	p.size += uint64(n)
	for len(b) > 0 {
		if p.pending == nil {
			p.pending = make([]byte, 0, zipChunkSize)
		}
		k := min(len(b), zipChunkSize-len(p.pending))
		p.pending = append(p.pending, b[:k]...)
		b = b[k:]
		if len(p.pending) == zipChunkSize {
			p.deflate()
		}
	}
	return n, nil
}

// deflate hands the pending bytes to a goroutine, waiting for a free slot.
func (p *zipPart) deflate() {
	if len(p.pending) == 0 {
		return
	}
	data := p.pending
	p.pending = nil
	c := &zipChunk{done: make(chan struct{})}
	p.chunks = append(p.chunks, c)
	p.z.slots <- struct{}{}
	go func() {
		defer func() {
			<-p.z.slots
			close(c.done)
		}()
		var out bytes.Buffer
		w, err := flate.NewWriter(&out, zipLevel)
		if err == nil {
			_, err = w.Write(data)
		}
		if err == nil {
			err = w.Flush()
		}
		c.out, c.err = out.Bytes(), err
	}()
}

// Close waits for every chunk and writes the parts into the archive.
func (z *parallelZip) Close() error {
	z.endPart()
	var errs []error
	for _, p := range z.parts {
		size := uint64(len(finalBlock))
		for _, c := range p.chunks {
			<-c.done
			if c.err != nil {
				errs = append(errs, fmt.Errorf("compress %s: %w", p.name, c.err))
			}
			size += uint64(len(c.out))
		}
		if len(errs) > 0 {
			continue
		}
		w, err := z.zw.CreateRaw(&zip.FileHeader{Name: p.name, Method: zip.Deflate,
			CRC32: p.crc.Sum32(), CompressedSize64: size, UncompressedSize64: p.size})
		if err != nil {
			errs = append(errs, err)
			continue
		}
		for _, c := range p.chunks {
			if _, err := w.Write(c.out); err != nil {
				errs = append(errs, err)
				break
			}
		}
		if _, err := w.Write(finalBlock); err != nil {
			errs = append(errs, err)
		}
	}
	errs = append(errs, z.zw.Close())
	return errors.Join(errs...)
}

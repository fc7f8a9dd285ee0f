//go:build !js

package rtprelay

import (
	"bufio"
	"encoding/binary"
	"errors"
	"io"

	"github.com/gobwas/ws"
)

// maxDiscard is the largest frame the relay reads past (counting it as
// junk); a longer one closes the connection.
const maxDiscard = 64 << 10

// errFrameTooLarge closes a connection that sends a frame over maxDiscard.
var errFrameTooLarge = errors.New("frame too large")

// frame is one WebSocket frame read from a client.
type frame struct {
	op      ws.OpCode
	fin     bool
	masked  bool
	payload []byte // nil when the frame was too long to keep (and skipped)
}

// frameReader reads client frames into one reused buffer, without
// allocating.
type frameReader struct {
	br   *bufio.Reader
	buf  []byte
	hdr  [8]byte
	mask [4]byte // a field, not a local: a local escapes into io.ReadFull
}

func newFrameReader(br *bufio.Reader) *frameReader {
	return &frameReader{br: br, buf: make([]byte, MaxFrame)}
}

// next reads a frame. A payload longer than the buffer is skipped and
// reported with payload nil; one longer than maxDiscard is an error.
func (r *frameReader) next() (frame, error) {
	if _, err := io.ReadFull(r.br, r.hdr[:2]); err != nil {
		return frame{}, err
	}
	f := frame{op: ws.OpCode(r.hdr[0] & 0x0f), fin: r.hdr[0]&0x80 != 0, masked: r.hdr[1]&0x80 != 0}
	n := uint64(r.hdr[1] & 0x7f)
	switch n {
	case 126:
		if _, err := io.ReadFull(r.br, r.hdr[:2]); err != nil {
			return frame{}, err
		}
		n = uint64(binary.BigEndian.Uint16(r.hdr[:2]))
	case 127:
		if _, err := io.ReadFull(r.br, r.hdr[:8]); err != nil {
			return frame{}, err
		}
		n = binary.BigEndian.Uint64(r.hdr[:8])
	}
	if f.masked {
		if _, err := io.ReadFull(r.br, r.mask[:]); err != nil {
			return frame{}, err
		}
	}
	if n > maxDiscard {
		return frame{}, errFrameTooLarge
	}
	if n > uint64(len(r.buf)) {
		if _, err := r.br.Discard(int(n)); err != nil {
			return frame{}, err
		}
		return f, nil
	}
	p := r.buf[:n]
	if _, err := io.ReadFull(r.br, p); err != nil {
		return frame{}, err
	}
	if f.masked {
		ws.Cipher(p, r.mask, 0)
	}
	f.payload = p
	return f, nil
}

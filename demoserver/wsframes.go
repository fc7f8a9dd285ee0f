package demoserver

// RFC 7118 framing for sipgo's WebSocket transport.
//
// sipgo (v1.7) writes every SIP message in a text frame and silently discards
// the binary frames it reads. RFC 7118 section 4 sends a message that is not
// valid UTF-8 (a binary body, such as an S/MIME part) in a binary frame, and a
// browser must fail the connection on a text frame that is not UTF-8 (RFC
// 6455 section 8.1): one such message relayed as text kills the callee's
// WebSocket. The connection handed to sipgo therefore rewrites opcodes on the
// wire, leaving sipgo's own framing, parsing and pooling untouched:
//   - frames from the client: binary becomes text, so sipgo reads them (it
//     does not check UTF-8; the payload bytes are passed through as they are);
//   - frames to the client: each frame sipgo writes is held until it is
//     complete, then sent as binary when its payload is not valid UTF-8.

import (
	"bytes"
	"errors"
	"io"
	"sync"
	"unicode/utf8"

	"github.com/gobwas/ws"
)

// binaryToText reads client WebSocket frames from src and presents binary
// data frames to sipgo as text frames. Payloads are streamed, never held.
type binaryToText struct {
	src       io.Reader
	head      []byte // rewritten header not yet read
	remaining int64  // payload bytes of the current frame not yet read
}

func (r *binaryToText) Read(b []byte) (int, error) {
	if len(r.head) == 0 && r.remaining == 0 {
		h, err := ws.ReadHeader(r.src)
		if err != nil {
			return 0, err
		}
		if h.OpCode == ws.OpBinary {
			h.OpCode = ws.OpText
		}
		var buf bytes.Buffer
		if err := ws.WriteHeader(&buf, h); err != nil {
			return 0, err
		}
		r.head, r.remaining = buf.Bytes(), h.Length
	}
	if len(r.head) > 0 {
		n := copy(b, r.head)
		r.head = r.head[n:]
		return n, nil
	}
	if int64(len(b)) > r.remaining {
		b = b[:r.remaining]
	}
	n, err := r.src.Read(b)
	r.remaining -= int64(n)
	if err == io.EOF && r.remaining > 0 {
		err = io.ErrUnexpectedEOF
	}
	return n, err
}

// textToBinary writes sipgo's output to dst: the handshake response as it
// is, then whole frames, turning a text frame whose payload is not valid
// UTF-8 into a binary frame.
type textToBinary struct {
	dst io.Writer

	mu        sync.Mutex
	handshake bool   // the HTTP response has been passed through
	tail      []byte // the last bytes of the response so far, to find its end
	pending   []byte // an incomplete frame
}

// maxPendingFrame bounds the frame held while sipgo writes it (sipgo writes
// a header and its payload in two calls); sipgo never writes more than a
// SIP message.
const maxPendingFrame = 1 << 20

var errFrameTooLarge = errors.New("demoserver: outgoing websocket frame too large")

func (w *textToBinary) Write(p []byte) (int, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	n := len(p)
	if !w.handshake {
		end := w.handshakeEnd(p)
		if end < 0 {
			_, err := w.dst.Write(p)
			return n, err
		}
		w.handshake = true
		if _, err := w.dst.Write(p[:end]); err != nil {
			return n, err
		}
		p = p[end:]
	}
	w.pending = append(w.pending, p...)
	for {
		h, err := ws.ReadHeader(bytes.NewReader(w.pending))
		if err != nil {
			break // header incomplete
		}
		size := int64(ws.HeaderSize(h)) + h.Length
		if size > maxPendingFrame {
			return n, errFrameTooLarge
		}
		if int64(len(w.pending)) < size {
			break // payload incomplete
		}
		frame := w.pending[:size]
		payload := frame[ws.HeaderSize(h):]
		if h.OpCode == ws.OpText && !h.Masked && !utf8.Valid(payload) {
			h.OpCode = ws.OpBinary
			var buf bytes.Buffer
			_ = ws.WriteHeader(&buf, h)
			frame = append(buf.Bytes(), payload...)
		}
		if _, err := w.dst.Write(frame); err != nil {
			return n, err
		}
		w.pending = append(w.pending[:0], w.pending[size:]...)
	}
	return n, nil
}

// handshakeEnd returns the index in p just after the blank line ending the
// HTTP response, or -1 when p does not complete it.
func (w *textToBinary) handshakeEnd(p []byte) int {
	joined := append(append([]byte(nil), w.tail...), p...)
	i := bytes.Index(joined, []byte("\r\n\r\n"))
	if i < 0 {
		if len(joined) > 3 {
			joined = joined[len(joined)-3:]
		}
		w.tail = joined
		return -1
	}
	return i + 4 - len(w.tail)
}

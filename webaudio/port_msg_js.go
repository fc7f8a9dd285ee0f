//go:build js && wasm

package webaudio

import (
	"sync"

	"github.com/hack-pad/safejs"
)

// msgPort is a Port over the worklet node's MessagePort: captured batches
// arrive as messages into a Go Ring; each playback frame is posted as one
// transferred ArrayBuffer. The playback queue is known from the worklet's
// last report plus what was posted since.
type msgPort struct {
	port    safejs.Value
	u8      safejs.Value // the Uint8Array constructor
	capture *Ring

	mu        sync.Mutex
	reported  int // playback samples queued, as the worklet last said
	postedNow int // samples posted since that report
	underruns int
	bytes     []byte
	samples   []int16
	onMessage safejs.Func
	haveOnMsg bool
}

func newMsgPort(port safejs.Value, capacity int) (*msgPort, error) {
	u8, err := safejs.Global().Get("Uint8Array")
	if err != nil {
		return nil, err
	}
	p := &msgPort{port: port, u8: u8, capture: NewRing(capacity)}
	fn, err := safejs.FuncOf(func(_ safejs.Value, args []safejs.Value) any {
		if len(args) > 0 {
			if data, err := args[0].Get("data"); err == nil {
				p.received(data)
			}
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	p.onMessage, p.haveOnMsg = fn, true
	if err := port.Set("onmessage", fn); err != nil {
		fn.Release()
		return nil, err
	}
	return p, nil
}

// received takes one batch {c, q, u} from the worklet (on the JavaScript
// thread: copy and return).
func (p *msgPort) received(data safejs.Value) {
	c, err := data.Get("c")
	if err != nil || c.Type() != safejs.TypeObject {
		return
	}
	view, err := p.u8.New(c)
	if err != nil {
		return
	}
	n, _ := view.Length()
	if n <= 0 || n > 1<<16 || n%2 != 0 {
		return
	}
	p.mu.Lock()
	if cap(p.bytes) < n {
		p.bytes = make([]byte, n)
		p.samples = make([]int16, n/2)
	}
	b := p.bytes[:n]
	_, _ = safejs.CopyBytesToGo(b, view)
	s := p.samples[:n/2]
	getSamples(s, b)
	if q, err := data.Get("q"); err == nil && q.Type() == safejs.TypeNumber {
		p.reported, _ = q.Int()
		p.postedNow = 0
	}
	if u, err := data.Get("u"); err == nil && u.Type() == safejs.TypeNumber {
		p.underruns, _ = u.Int()
	}
	p.mu.Unlock()
	p.capture.Write(s)
}

func (p *msgPort) ReadCapture(dst []int16) int { return p.capture.Read(dst) }
func (p *msgPort) CaptureQueued() int          { return p.capture.Len() }
func (p *msgPort) SkipCapture(n int) int       { return p.capture.Skip(n) }

func (p *msgPort) WritePlayback(samples []int16) {
	if len(samples) == 0 {
		return
	}
	b := make([]byte, 2*len(samples))
	putSamples(b, samples)
	view, err := p.u8.New(len(b))
	if err != nil {
		return
	}
	if _, err := safejs.CopyBytesToJS(view, b); err != nil {
		return
	}
	buf, err := view.Get("buffer")
	if err != nil {
		return
	}
	if _, err := p.port.Call("postMessage", buf, []any{buf}); err != nil {
		return
	}
	p.mu.Lock()
	p.postedNow += len(samples)
	p.mu.Unlock()
}

func (p *msgPort) PlaybackQueued() int {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.reported + p.postedNow
}

func (p *msgPort) close() {
	_ = p.port.Set("onmessage", nil)
	if p.haveOnMsg {
		p.onMessage.Release()
		p.haveOnMsg = false
	}
}

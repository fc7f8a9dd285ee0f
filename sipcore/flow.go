package sipcore

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"time"
)

// flow is the UA's connection to the server (RFC 5626 flow): the current
// Transport and its generation, when it was last heard and whether it ever
// answered a keepalive, the keepalive and dead detection (keepalive.go),
// and the Events.Flow reports. Frames of a replaced transport are ignored.
// It knows nothing of SIP beyond keepalives: the UA receives the frames
// (deliver), ends its transactions when the flow is lost (lost) and probes a
// silent server with OPTIONS (probe). Its lock guards the fields below it.
type flow struct {
	address     string
	dial        Dialer
	log         *slog.Logger
	interval    time.Duration // keepalive interval; 0: no keepalives
	deadTimeout time.Duration // how long a keepalive may go unanswered; 0: never dead
	quit        <-chan struct{}
	notifier    *flowNotifier

	deliver func(data []byte)                 // a frame of the current transport
	lost    func(reason string)               // the current transport is gone (FlowLost reported)
	probe   func(timeout time.Duration) error // asks the server for any answer

	mu       sync.Mutex
	tr       Transport
	gen      int
	seen     bool // a connection was up before: the next one replaces it
	lastRecv time.Time
	pongSeen bool
}

// connect dials a new transport and makes it current (FlowUp, or
// FlowReplaced when one was up before).
func (f *flow) connect(ctx context.Context) error {
	if f.dial == nil {
		return errors.New("no dialer")
	}
	f.mu.Lock()
	f.gen++
	gen := f.gen
	f.mu.Unlock()
	tr, err := f.dial(ctx, f.address, &flowReceiver{f: f, gen: gen})
	if err != nil {
		return fmt.Errorf("connect %s: %w", f.address, err)
	}
	f.mu.Lock()
	if f.gen != gen {
		f.mu.Unlock()
		_ = tr.Close()
		return errors.New("connection superseded")
	}
	f.tr = tr
	f.lastRecv = time.Now()
	f.pongSeen = false
	state := FlowUp
	if f.seen {
		state = FlowReplaced
	}
	f.seen = true
	f.notifier.push(state, nil)
	f.mu.Unlock()
	f.log.Info("transport connected", "flow", string(state))
	return nil
}

// replace closes the current transport, if any, and connects a new one. A
// failed attempt is reported as FlowLost only when it closed a live
// connection, since a lost one was reported already.
func (f *flow) replace(ctx context.Context) error {
	f.mu.Lock()
	old := f.tr
	if old != nil {
		f.tr = nil
		f.gen++
	}
	f.mu.Unlock()
	if old != nil {
		_ = old.Close()
	}
	err := f.connect(ctx)
	if err != nil && old != nil {
		f.lostLive(err)
	}
	return err
}

// lostLive reports a flow that replace closed and could not replace, as a
// closed transport is reported (unless the UA was stopped meanwhile).
func (f *flow) lostLive(err error) {
	select {
	case <-f.quit:
		return
	default:
	}
	f.mu.Lock()
	current := f.tr == nil
	if current {
		f.notifier.push(FlowLost, err)
	}
	f.mu.Unlock()
	if !current {
		return
	}
	reason := err.Error()
	f.log.Warn("transport lost", "reason", reason)
	f.lost(reason)
}

// close closes the current transport without reporting it (Stop).
func (f *flow) close() {
	f.mu.Lock()
	tr := f.tr
	f.tr = nil
	f.gen++
	f.mu.Unlock()
	if tr != nil {
		_ = tr.Close()
	}
}

// current returns the transport that is up, or nil.
func (f *flow) current() Transport {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.tr
}

// pong records a keepalive answer: the server answers pings.
func (f *flow) pong() {
	f.mu.Lock()
	f.pongSeen = true
	f.mu.Unlock()
}

// received takes a frame of transport generation gen.
func (f *flow) received(gen int, data []byte) {
	f.mu.Lock()
	current := f.gen == gen
	if current {
		f.lastRecv = time.Now()
	}
	f.mu.Unlock()
	if current {
		f.deliver(data)
	}
}

// closed takes the end of transport generation gen: FlowLost when it was
// the current one.
func (f *flow) closed(gen int, err error) {
	f.mu.Lock()
	if f.gen != gen || f.tr == nil {
		f.mu.Unlock()
		return
	}
	if err == nil {
		err = errors.New("connection closed")
	}
	f.tr = nil
	f.notifier.push(FlowLost, err)
	f.mu.Unlock()
	reason := err.Error()
	f.log.Warn("transport closed", "reason", reason)
	f.lost(reason)
}

// flowReceiver delivers one transport generation's frames to the flow.
type flowReceiver struct {
	f   *flow
	gen int
}

func (r *flowReceiver) Received(data []byte) { r.f.received(r.gen, data) }
func (r *flowReceiver) Closed(err error)     { r.f.closed(r.gen, err) }

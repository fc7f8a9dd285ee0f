package demoserver

import "sync"

// liveFlows knows which WebSocket connections are open, so that a request
// forwarded on one ends at once when it closes (the browser tab went away)
// instead of waiting for its transaction timer. It replaces sipgo's
// experimental TerminateOnConnClose, whose transport error can reach a
// client transaction registered but not yet initialised, and panic.
type liveFlows struct {
	mu sync.Mutex
	m  map[flow]chan struct{}
}

func newLiveFlows() *liveFlows { return &liveFlows{m: make(map[flow]chan struct{})} }

// opened records an open WebSocket connection and returns the function
// that records its close (its watchers are told; a later connection from
// the same address is left alone). The function may be called more than
// once.
func (l *liveFlows) opened(f flow) (closed func()) {
	ch := make(chan struct{})
	l.mu.Lock()
	l.m[f] = ch
	l.mu.Unlock()
	var once sync.Once
	return func() {
		once.Do(func() {
			l.mu.Lock()
			if l.m[f] == ch {
				delete(l.m, f)
			}
			l.mu.Unlock()
			close(ch)
		})
	}
}

// gone is closed when f's connection closes; already closed for a
// WebSocket flow that is not open, nil (never) for a UDP flow.
func (l *liveFlows) gone(f flow) <-chan struct{} {
	if f.Transport != "WS" {
		return nil
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	if ch, ok := l.m[f]; ok {
		return ch
	}
	return closedChan
}

var closedChan = func() chan struct{} {
	ch := make(chan struct{})
	close(ch)
	return ch
}()

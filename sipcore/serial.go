package sipcore

import "sync"

// serialExecutor runs work submitted under one key strictly one after
// another, in submission order, while work under different keys runs
// concurrently. Each busy key has one goroutine, which exits as soon as its
// queue is empty, so an idle key costs nothing. Submitting never blocks: a
// key whose queue already holds limit items refuses more.
type serialExecutor struct {
	limit   int
	onPanic func(v any) // a panicking item is reported here; its key carries on

	mu     sync.Mutex
	queues map[string][]func() // pending items of every running key
	idleCh chan struct{}       // closed while no key runs
}

func newSerialExecutor(limit int, onPanic func(v any)) *serialExecutor {
	idle := make(chan struct{})
	close(idle)
	return &serialExecutor{limit: limit, onPanic: onPanic, queues: map[string][]func(){}, idleCh: idle}
}

// submit queues fn behind the work already queued under key. It returns
// false, without queueing, when the key's queue is full.
func (e *serialExecutor) submit(key string, fn func()) bool {
	e.mu.Lock()
	if pending, running := e.queues[key]; running {
		if len(pending) >= e.limit {
			e.mu.Unlock()
			return false
		}
		e.queues[key] = append(pending, fn)
		e.mu.Unlock()
		return true
	}
	if len(e.queues) == 0 {
		e.idleCh = make(chan struct{})
	}
	e.queues[key] = nil
	e.mu.Unlock()
	go e.run(key, fn)
	return true
}

// run is the goroutine of one key: it works through the key's queue and
// exits when the queue is empty.
func (e *serialExecutor) run(key string, fn func()) {
	for {
		e.call(fn)
		e.mu.Lock()
		pending := e.queues[key]
		if len(pending) == 0 {
			delete(e.queues, key)
			if len(e.queues) == 0 {
				close(e.idleCh)
			}
			e.mu.Unlock()
			return
		}
		fn = pending[0]
		pending[0] = nil
		e.queues[key] = pending[1:]
		e.mu.Unlock()
	}
}

func (e *serialExecutor) call(fn func()) {
	defer func() {
		if r := recover(); r != nil {
			e.onPanic(r)
		}
	}()
	fn()
}

// idle returns a channel that is closed once no work is queued or running.
func (e *serialExecutor) idle() <-chan struct{} {
	e.mu.Lock()
	defer e.mu.Unlock()
	return e.idleCh
}

// Queue limits of the inbound workers. The read loop's inbox holds 512
// frames; a dialog or transaction whose worker is stuck may hold this many
// more before its further messages are refused (503) or dropped.
const (
	dialogQueueLimit = 256
	txQueueLimit     = 32
)

package engine

import "sync"

// emitQueue runs queued functions in order on one goroutine, so events reach
// the page in the order they happened and never while engine locks are held.
// Queuing never blocks.
type emitQueue struct {
	mu      sync.Mutex
	cond    *sync.Cond
	items   []func()
	closed  bool
	done    chan struct{}
	onPanic func(any)
}

func newEmitQueue(onPanic func(any)) *emitQueue {
	q := &emitQueue{done: make(chan struct{}), onPanic: onPanic}
	q.cond = sync.NewCond(&q.mu)
	go q.run()
	return q
}

// push queues f; after close it is dropped.
func (q *emitQueue) push(f func()) {
	q.mu.Lock()
	if !q.closed {
		q.items = append(q.items, f)
		q.cond.Signal()
	}
	q.mu.Unlock()
}

func (q *emitQueue) run() {
	defer close(q.done)
	for {
		q.mu.Lock()
		for len(q.items) == 0 && !q.closed {
			q.cond.Wait()
		}
		if len(q.items) == 0 && q.closed {
			q.mu.Unlock()
			return
		}
		f := q.items[0]
		q.items[0] = nil
		q.items = q.items[1:]
		q.mu.Unlock()
		q.call(f)
	}
}

func (q *emitQueue) call(f func()) {
	defer func() {
		if r := recover(); r != nil && q.onPanic != nil {
			q.onPanic(r)
		}
	}()
	f()
}

// close delivers what is queued, then stops the goroutine. It waits until
// that is done or until expired is closed (a callback that never returns)
// and reports whether everything was delivered; otherwise the goroutine
// delivers the rest and ends once that callback returns.
func (q *emitQueue) close(expired <-chan struct{}) bool {
	q.mu.Lock()
	q.closed = true
	q.cond.Broadcast()
	q.mu.Unlock()
	select {
	case <-q.done:
		return true
	case <-expired:
		return false
	}
}

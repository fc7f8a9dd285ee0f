package gophone

import (
	"sync"
	"time"
)

// waiter lets goroutines wait, with a timeout, for a condition on state that
// other goroutines change under the same lock.
type waiter struct {
	mu   sync.Mutex
	cond *sync.Cond
}

func newWaiter() *waiter {
	w := &waiter{}
	w.cond = sync.NewCond(&w.mu)
	return w
}

// update runs f under the lock and wakes every waiter.
func (w *waiter) update(f func()) {
	w.mu.Lock()
	f()
	w.cond.Broadcast()
	w.mu.Unlock()
}

// read runs f under the lock.
func (w *waiter) read(f func()) {
	w.mu.Lock()
	f()
	w.mu.Unlock()
}

// wait returns true as soon as ok (called under the lock) holds, false when
// timeout passes first.
func (w *waiter) wait(timeout time.Duration, ok func() bool) bool {
	deadline := time.Now().Add(timeout)
	timer := time.AfterFunc(timeout, func() { w.update(func() {}) })
	defer timer.Stop()
	w.mu.Lock()
	defer w.mu.Unlock()
	for !ok() {
		if !time.Now().Before(deadline) {
			return false
		}
		w.cond.Wait()
	}
	return true
}

package sipcore

import "sync"

// flowChange is one queued Events.Flow call.
type flowChange struct {
	state FlowState
	cause error
}

// flowNotifier delivers Events.Flow calls in the order of the changes, on a
// goroutine of its own, so the callback may call back into the UA (e.g.
// Reconnect) and a slow callback never holds up the transport. push is
// called under the flow's lock, which fixes the order.
type flowNotifier struct {
	fn func(FlowState, error)

	mu      sync.Mutex
	queue   []flowChange
	running bool
}

func (n *flowNotifier) push(state FlowState, cause error) {
	if n.fn == nil {
		return
	}
	n.mu.Lock()
	n.queue = append(n.queue, flowChange{state, cause})
	start := !n.running
	n.running = true
	n.mu.Unlock()
	if start {
		go n.drain()
	}
}

func (n *flowNotifier) drain() {
	for {
		n.mu.Lock()
		if len(n.queue) == 0 {
			n.running = false
			n.mu.Unlock()
			return
		}
		c := n.queue[0]
		n.queue = n.queue[1:]
		n.mu.Unlock()
		n.fn(c.state, c.cause)
	}
}

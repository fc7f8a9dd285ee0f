package sipcore

import (
	"sort"
	"sync"

	"github.com/emiago/sipgo/sip"
)

// dialogRegistry holds the UA's dialogs by Call-ID: the calls, each on
// its line, and the subscriptions. Its lock guards only its maps.
type dialogRegistry struct {
	mu    sync.Mutex
	calls map[string]*Call         // by Call-ID
	subs  map[string]*Subscription // by Call-ID
}

func newDialogRegistry() *dialogRegistry {
	return &dialogRegistry{calls: map[string]*Call{}, subs: map[string]*Subscription{}}
}

// addCall registers a new call on the lowest free line (numbered from 1).
func (r *dialogRegistry) addCall(c *Call) {
	r.mu.Lock()
	defer r.mu.Unlock()
	used := map[int]bool{}
	for _, o := range r.calls {
		used[o.line] = true
	}
	for n := 1; ; n++ {
		if !used[n] {
			c.line = n
			break
		}
	}
	r.calls[c.callID] = c
}

// call returns the live call with this Call-ID, or nil.
func (r *dialogRegistry) call(callID string) *Call {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.calls[callID]
}

// match finds the call an in-dialog request belongs to (Call-ID and both
// tags), or nil.
func (r *dialogRegistry) match(req *sip.Request) *Call {
	c := r.call(req.CallID().Value())
	if c == nil {
		return nil
	}
	fromTag, _ := req.From().Params.Get("tag")
	toTag, _ := req.To().Params.Get("tag")
	c.mu.Lock()
	defer c.mu.Unlock()
	if toTag != c.localTag || (c.remoteTag != "" && fromTag != c.remoteTag) {
		return nil
	}
	return c
}

// callList returns the live calls ordered by line.
func (r *dialogRegistry) callList() []*Call {
	r.mu.Lock()
	out := make([]*Call, 0, len(r.calls))
	for _, c := range r.calls {
		out = append(out, c)
	}
	r.mu.Unlock()
	sort.Slice(out, func(i, j int) bool { return out[i].line < out[j].line })
	return out
}

// dropCall removes an ended call (not a newer one with its Call-ID).
func (r *dialogRegistry) dropCall(c *Call) {
	r.mu.Lock()
	if r.calls[c.callID] == c {
		delete(r.calls, c.callID)
	}
	r.mu.Unlock()
}

// addSub registers a subscription.
func (r *dialogRegistry) addSub(s *Subscription) {
	r.mu.Lock()
	r.subs[s.callID] = s
	r.mu.Unlock()
}

// sub returns the subscription with this Call-ID, or nil.
func (r *dialogRegistry) sub(callID string) *Subscription {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.subs[callID]
}

// dropSub removes a subscription (not a newer one with its Call-ID).
func (r *dialogRegistry) dropSub(s *Subscription) {
	r.mu.Lock()
	if r.subs[s.callID] == s {
		delete(r.subs, s.callID)
	}
	r.mu.Unlock()
}

// Calls returns the live calls ordered by line.
func (ua *UA) Calls() []*Call { return ua.dialogs.callList() }

// CallByLine returns the live call on a line, or nil.
func (ua *UA) CallByLine(line int) *Call {
	for _, c := range ua.Calls() {
		if c.line == line {
			return c
		}
	}
	return nil
}

// CallByID returns the live call with this Call-ID, or nil.
func (ua *UA) CallByID(callID string) *Call { return ua.callFor(callID) }

func (ua *UA) callFor(callID string) *Call { return ua.dialogs.call(callID) }

package demoserver

import (
	"strings"
	"sync"
	"time"

	"github.com/emiago/sipgo/sip"
)

// flow is the way back to a SIP peer: the transport ("UDP" or "WS") and the
// remote address of the connection or datagrams it used.
type flow struct {
	Transport string
	Addr      string
}

// flowOf returns the flow a received request or response arrived on.
func flowOf(m sip.Message) flow {
	return flow{Transport: sip.NetworkToUpper(m.Transport()), Addr: m.Source()}
}

// flowTTL is how long a Contact learnt from proxied traffic stays routable
// after it was last seen (long enough for a long call).
const flowTTL = 12 * time.Hour

// flowTable maps Contact URIs to the flow they were last seen on, so that
// in-dialog requests whose Request-URI is a WebSocket client's ".invalid"
// Contact (or a NATed UDP Contact) are sent over the right connection.
type flowTable struct {
	mu    sync.Mutex
	flows map[string]flowEntry
}

type flowEntry struct {
	f    flow
	seen time.Time
}

func newFlowTable() *flowTable { return &flowTable{flows: make(map[string]flowEntry)} }

// uriKey normalises a URI for lookups: user@host:port, host lower case,
// parameters ignored.
func uriKey(u sip.Uri) string {
	var b strings.Builder
	b.WriteString(u.User)
	b.WriteByte('@')
	b.WriteString(strings.ToLower(u.Host))
	if u.Port > 0 {
		b.WriteByte(':')
		b.WriteString(itoa(u.Port))
	}
	return b.String()
}

// learn remembers the flow of every Contact in m.
func (t *flowTable) learn(m sip.Message) {
	if m.Source() == "" {
		return
	}
	f := flowOf(m)
	now := time.Now()
	t.mu.Lock()
	defer t.mu.Unlock()
	for _, h := range m.GetHeaders("Contact") {
		c, ok := h.(*sip.ContactHeader)
		if !ok || c.Address.Host == "" {
			continue
		}
		t.flows[uriKey(c.Address)] = flowEntry{f: f, seen: now}
	}
	if len(t.flows) > 4096 {
		for k, e := range t.flows {
			if now.Sub(e.seen) > flowTTL {
				delete(t.flows, k)
			}
		}
	}
}

// lookup returns the flow that owns uri, if known and fresh.
func (t *flowTable) lookup(u sip.Uri) (flow, bool) {
	t.mu.Lock()
	defer t.mu.Unlock()
	e, ok := t.flows[uriKey(u)]
	if !ok || time.Since(e.seen) > flowTTL {
		return flow{}, false
	}
	return e.f, true
}

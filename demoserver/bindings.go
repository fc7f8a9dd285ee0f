package demoserver

import (
	"sort"
	"strconv"
	"sync"
	"time"

	"github.com/emiago/sipgo/sip"
)

// Registration expiry bounds (seconds).
const (
	defaultExpires = 3600
	maxExpires     = 3600
	minExpires     = 30
)

// binding is one registered Contact of a user and the flow it registered on.
type binding struct {
	contact *sip.ContactHeader
	flow    flow
	expires time.Time
	seq     uint64 // order of the last update: higher is newer
	token   string // admits the binding's page to the RTP relay (rtprelay.go)
}

// bindings is the registrar's location service: user -> Contact key -> binding.
type bindings struct {
	mu    sync.Mutex
	users map[string]map[string]*binding
	seq   uint64 // counts updates, so that the order of bindings never depends on clock resolution
}

func newBindings() *bindings { return &bindings{users: make(map[string]map[string]*binding)} }

// set adds, refreshes (expires > 0) or removes (expires == 0) a Contact. It
// returns the binding's relay token: new for a new binding, kept on refresh,
// "" on removal.
func (b *bindings) set(user string, c *sip.ContactHeader, f flow, expires int) string {
	key := uriKey(c.Address)
	b.mu.Lock()
	defer b.mu.Unlock()
	m := b.users[user]
	if expires <= 0 {
		delete(m, key)
		return ""
	}
	if m == nil {
		m = make(map[string]*binding)
		b.users[user] = m
	}
	cc := c.Clone()
	cc.Params = cc.Params.Clone()
	cc.Params.Remove("expires")
	b.seq++
	token := newRelayToken()
	if old := m[key]; old != nil && old.flow == f {
		token = old.token
	}
	m[key] = &binding{contact: cc, flow: f, expires: time.Now().Add(time.Duration(expires) * time.Second), seq: b.seq, token: token}
	return token
}

// userOfToken returns the user whose live binding holds relay token.
func (b *bindings) userOfToken(token string) (string, bool) {
	if token == "" {
		return "", false
	}
	now := time.Now()
	b.mu.Lock()
	defer b.mu.Unlock()
	for user, m := range b.users {
		for _, bd := range m {
			if bd.token == token && now.Before(bd.expires) {
				return user, true
			}
		}
	}
	return "", false
}

// clear removes every binding of user (Contact: * with Expires: 0).
func (b *bindings) clear(user string) {
	b.mu.Lock()
	delete(b.users, user)
	b.mu.Unlock()
}

// dropFlow removes every binding registered on flow f (its connection is gone).
func (b *bindings) dropFlow(f flow) {
	b.mu.Lock()
	defer b.mu.Unlock()
	for _, m := range b.users {
		for k, bd := range m {
			if bd.flow == f {
				delete(m, k)
			}
		}
	}
}

// active returns the unexpired bindings of user, most recently updated first.
func (b *bindings) active(user string) []binding {
	now := time.Now()
	b.mu.Lock()
	defer b.mu.Unlock()
	var out []binding
	for k, bd := range b.users[user] {
		if now.After(bd.expires) {
			delete(b.users[user], k)
			continue
		}
		out = append(out, *bd)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].seq > out[j].seq })
	return out
}

// registeredOn reports whether user holds a live binding on flow f.
func (b *bindings) registeredOn(user string, f flow) bool {
	for _, bd := range b.active(user) {
		if bd.flow == f {
			return true
		}
	}
	return false
}

// contactHeader returns the binding's Contact with its remaining expires.
func (bd binding) contactHeader() *sip.ContactHeader {
	c := bd.contact.Clone()
	c.Params = c.Params.Clone()
	left := int(time.Until(bd.expires).Seconds() + 0.5)
	if left < 1 {
		left = 1
	}
	c.Params.Add("expires", strconv.Itoa(left))
	return c
}

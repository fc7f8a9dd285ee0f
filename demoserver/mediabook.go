package demoserver

import (
	"net/netip"
	"strings"
	"sync"
	"time"

	"github.com/emiago/sipgo/sip"
)

// Bounds of the media book.
const (
	maxCallsPerUser = 32               // the oldest call of a user is forgotten first
	maxMediaPerCall = 16               // addresses kept per call
	mediaLinger     = 10 * time.Second // an ended call's addresses stay usable (RTCP BYE)
)

// mediaBook remembers, per user, the media addresses the proxy relayed to
// that user in its calls (from the SDP bodies): the destinations the RTP
// relay lets that user's page send to. Safe for concurrent use.
type mediaBook struct {
	mu    sync.Mutex
	calls map[string][]*bookedCall // by Call-ID, one per user
	users map[string][]*bookedCall // by user, oldest first
}

// bookedCall is the media addresses one call relayed to one user.
type bookedCall struct {
	callID string
	user   string
	media  []sdpMedia
	ended  time.Time // zero while the call lives
}

func newMediaBook() *mediaBook {
	return &mediaBook{calls: map[string][]*bookedCall{}, users: map[string][]*bookedCall{}}
}

// learn records the media addresses of an SDP body relayed to user in call
// callID.
func (b *mediaBook) learn(callID, user string, body []byte) {
	media := sdpMediaAddrs(body)
	if len(media) == 0 || callID == "" || user == "" {
		return
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	var c *bookedCall
	for _, x := range b.calls[callID] {
		if x.user == user {
			c = x
		}
	}
	if c == nil {
		c = &bookedCall{callID: callID, user: user}
		b.calls[callID] = append(b.calls[callID], c)
		b.users[user] = append(b.users[user], c)
		if len(b.users[user]) > maxCallsPerUser {
			b.dropLocked(b.users[user][0])
		}
	}
	c.ended = time.Time{}
	for _, m := range media {
		if !containsMedia(c.media, m) && len(c.media) < maxMediaPerCall {
			c.media = append(c.media, m)
		}
	}
}

// ended marks a call over; its addresses go after mediaLinger.
func (b *mediaBook) ended(callID string) {
	b.mu.Lock()
	defer b.mu.Unlock()
	for _, c := range b.calls[callID] {
		c.ended = time.Now()
	}
}

// dropLocked forgets one user's part of a call.
func (b *mediaBook) dropLocked(c *bookedCall) {
	b.calls[c.callID] = without(b.calls[c.callID], c)
	if len(b.calls[c.callID]) == 0 {
		delete(b.calls, c.callID)
	}
	b.users[c.user] = without(b.users[c.user], c)
	if len(b.users[c.user]) == 0 {
		delete(b.users, c.user)
	}
}

func without(list []*bookedCall, c *bookedCall) []*bookedCall {
	for i, x := range list {
		if x == c {
			return append(list[:i:i], list[i+1:]...)
		}
	}
	return list
}

// allows reports whether user's page may send to dst: an RTP address of one
// of its calls, or for RTCP that address's RTCP (port + 1, or a=rtcp) or the
// RTP address itself (rtcp-mux).
func (b *mediaBook) allows(user string, dst netip.AddrPort, rtcp bool) bool {
	dst = netip.AddrPortFrom(dst.Addr().Unmap(), dst.Port())
	now := time.Now()
	b.mu.Lock()
	defer b.mu.Unlock()
	for _, c := range b.users[user] {
		if !c.ended.IsZero() && now.Sub(c.ended) > mediaLinger {
			continue
		}
		for _, m := range c.media {
			if m.rtp == dst {
				return true
			}
			if !rtcp {
				continue
			}
			if m.rtcp.IsValid() && m.rtcp == dst {
				return true
			}
			if !m.rtcp.IsValid() && m.rtp.Addr() == dst.Addr() && m.rtp.Port() < 65535 && m.rtp.Port()+1 == dst.Port() {
				return true
			}
		}
	}
	return false
}

func containsMedia(list []sdpMedia, m sdpMedia) bool {
	for _, x := range list {
		if x == m {
			return true
		}
	}
	return false
}

// learnMedia records the SDP of a relayed message as a destination for the
// party it goes to: the To user for a request, the From user for a response
// (responses keep the request's From and To). The sender's own SDP is never
// a destination for the sender, so a page cannot aim the relay anywhere by
// writing an address into its own SDP.
func (s *Server) learnMedia(m sip.Message) {
	if s.media == nil || len(m.Body()) == 0 || m.CallID() == nil {
		return
	}
	if ct := m.GetHeaders("Content-Type"); len(ct) == 0 || !isSDP(ct[0].Value()) {
		return
	}
	var user string
	if _, isResponse := m.(*sip.Response); isResponse {
		if f := m.From(); f != nil {
			user = f.Address.User
		}
	} else if t := m.To(); t != nil {
		user = t.Address.User
	}
	if _, ok := s.accounts[user]; !ok {
		return
	}
	s.media.learn(m.CallID().Value(), user, m.Body())
}

func isSDP(contentType string) bool {
	mt, _, _ := strings.Cut(contentType, ";")
	return strings.EqualFold(strings.TrimSpace(mt), "application/sdp")
}

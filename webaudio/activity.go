package webaudio

import (
	"sync"
	"time"
)

// activity remembers when the session's received packet count (RTP and
// RTCP: a held peer may send only RTCP) was last seen to grow.
type activity struct {
	mu    sync.Mutex
	count uint64
	at    time.Time
}

// LastReceived is when packets from the peer were last seen arriving
// (engine.MediaActivity, for mediatimeout): the time of the first call
// that saw the count grow, so it is as precise as the caller's polling
// (the engine polls every second). Zero: nothing arrived yet.
func (m *Media) LastReceived() time.Time {
	st := m.sess.Stats()
	n := st.PacketsReceived + st.RTCPReceived
	m.act.mu.Lock()
	defer m.act.mu.Unlock()
	if n != m.act.count {
		m.act.count, m.act.at = n, time.Now()
	}
	return m.act.at
}

// Failed reports a broken transport (engine.MediaActivity); the media
// itself cannot tell (jsbridge's PCM call media knows the relay stream).
func (m *Media) Failed() bool { return false }

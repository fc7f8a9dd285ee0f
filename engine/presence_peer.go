package engine

import (
	"github.com/opensoftphone/webphone/eventbody"
	"github.com/opensoftphone/webphone/sipcore"
)

// Peer mode: where the server has no presence agent, a presence SUBSCRIBE
// for our own user reaches the phone itself, which answers it and NOTIFYs
// the subscriber of every setpresencestatus (two pages on a plain proxy
// still see each other). With a presence server, SUBSCRIBEs never get here.

// onWatch decides on a SUBSCRIBE to us: presence for our own user is
// served (while presence is enabled), anything else refused.
func (e *Engine) onWatch(w *sipcore.Watcher) int {
	if w.Event() != "presence" {
		return 489
	}
	if e.params.Int("enablepresence", 1) == 0 {
		return 403
	}
	if user := e.localUser(); user == "" || UserOf(w.Target()) != user {
		return 404
	}
	e.watches.mu.Lock()
	if e.watches.peers == nil {
		e.watches.peers = map[*sipcore.Watcher]bool{}
	}
	if len(e.watches.peers) >= maxWatches {
		e.watches.mu.Unlock()
		return 503
	}
	e.watches.peers[w] = true
	status := e.watches.pres.status
	e.watches.mu.Unlock()
	w.SetState("application/pidf+xml", e.ownPIDF(w, status))
	e.logEvent(LogDetail, "presence watcher "+UserOf(w.From())+" served by this phone")
	return 200
}

// ownPIDF is our presence document for status ("" before any
// setpresencestatus: online, since the phone answers).
func (e *Engine) ownPIDF(w *sipcore.Watcher, status string) []byte {
	if status == "" {
		status = "Online"
	}
	st := presenceStatuses[status]
	return eventbody.PIDF(w.Target(), st.open, st.activity, st.note)
}

// notifyPeers sends status to the peers subscribed to us; ended ones are
// forgotten.
func (e *Engine) notifyPeers(status string) {
	e.watches.mu.Lock()
	var ws []*sipcore.Watcher
	for w := range e.watches.peers {
		ws = append(ws, w)
	}
	e.watches.mu.Unlock()
	for _, w := range ws {
		e.safeGo("presence notify", func() {
			if err := w.Notify("application/pidf+xml", e.ownPIDF(w, status)); err != nil {
				e.watches.mu.Lock()
				delete(e.watches.peers, w)
				e.watches.mu.Unlock()
			}
		})
	}
}

// endPeers tells the peers subscribed to us that we are offline and ends
// their subscriptions (stop).
func (e *Engine) endPeers() []*sipcore.Watcher {
	e.watches.mu.Lock()
	var ws []*sipcore.Watcher
	for w := range e.watches.peers {
		ws = append(ws, w)
	}
	e.watches.peers = nil
	e.watches.mu.Unlock()
	for _, w := range ws {
		w.SetState("application/pidf+xml", e.ownPIDF(w, "Offline"))
	}
	return ws
}

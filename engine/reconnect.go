package engine

import (
	"context"
	"strings"
	"time"

	"github.com/opensoftphone/webphone/sipcore"
)

// maxReconnectDelay caps the pause between reconnection attempts.
const maxReconnectDelay = 30 * time.Second

// transportLost reacts to a lost connection of a started UA: it reconnects
// (live calls continue over the new flow, registration is renewed) when
// calls are up or forcereregister allows it (0 never, 1 if it was
// registered before, 2 always). Called without e.mu held.
func (e *Engine) transportLost(gen int, wasRegistered bool, reason string) {
	e.mu.Lock()
	ua := e.ua
	ok := ua != nil && e.uaGen == gen && e.readyGen == gen && !e.reconnecting
	calls := len(e.liveLinesLocked()) > 0
	if ok {
		switch e.params.Int("forcereregister", 1) {
		case 0:
			ok = calls
		case 1:
			ok = calls || wasRegistered
		}
	}
	if ok {
		e.reconnecting = true
	}
	e.mu.Unlock()
	if !ok {
		return
	}
	e.logWarn("connection lost (" + reason + "), reconnecting")
	e.display("", "Connection lost")
	e.scheduleReconnect(ua, gen, 0)
}

func (e *Engine) scheduleReconnect(ua *sipcore.UA, gen int, attempt int) {
	delay := time.Second << attempt
	if delay > maxReconnectDelay || delay <= 0 {
		delay = maxReconnectDelay
	}
	e.opts.AfterFunc(delay, func() {
		e.safeGo("reconnect", func() {
			e.mu.Lock()
			current := e.ua == ua && e.uaGen == gen
			if !current {
				e.reconnecting = false
			}
			e.mu.Unlock()
			if !current {
				return
			}
			ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
			defer cancel()
			err := ua.Reconnect(ctx)
			if err != nil && ua.Connected() {
				err = nil // reconnected; only the REGISTER failed (reported already)
			}
			if err != nil {
				e.logWarn("reconnect failed: " + err.Error())
				e.scheduleReconnect(ua, gen, attempt+1)
				return
			}
			e.mu.Lock()
			e.reconnecting = false
			e.mu.Unlock()
			e.logEvent(LogImportant, "reconnected")
		})
	})
}

// isTransportFailure tells whether a registration failure reason reports a
// lost or failed connection.
func isTransportFailure(reason string) bool {
	return strings.HasPrefix(strings.ToLower(reason), "transport")
}

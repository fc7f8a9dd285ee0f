package engine

import (
	"bytes"
	"context"
	"time"

	"github.com/opensoftphone/webphone/sipcore"
)

// uaEvents are the callbacks the engine gives a sipcore.UA of generation gen.
func (e *Engine) uaEvents(gen int) sipcore.Events {
	return sipcore.Events{
		RegState: func(st sipcore.RegState, reason string) {
			defer e.recovered("regstate event")
			e.onRegState(gen, st, reason)
		},
		CallState: func(c *sipcore.Call, st sipcore.CallState, reason string) {
			defer e.recovered("callstate event")
			e.onCallState(c, st, reason)
		},
		Incoming: func(c *sipcore.Call) {
			defer e.recovered("incoming event")
			e.onIncoming(c)
		},
		RemoteSDP: func(c *sipcore.Call, sdp []byte) {
			defer e.recovered("remotesdp event")
			e.onRemoteSDP(c, sdp)
		},
		Offer: func(c *sipcore.Call, sdp []byte) ([]byte, error) {
			defer e.recovered("offer event")
			return e.onOffer(c, sdp)
		},
		DTMF: func(c *sipcore.Call, digit string, _ int) {
			defer e.recovered("dtmf event")
			e.onDTMF(c, digit)
		},
		Message: func(m sipcore.IncomingMessage) {
			defer e.recovered("message event")
			e.onMessage(m)
		},
		MessageResult: func(_ string, to string, code int, reason string) {
			defer e.recovered("message result event")
			e.onMessageResult(to, code, reason)
		},
		Trace: func(dir string, data []byte) {
			defer e.recovered("trace event")
			e.hist.add(dir == "out", data)
			e.log(LogTrace, "EVENT", "SIP "+dir+": "+string(data))
		},
	}
}

func (e *Engine) lineOf(c *sipcore.Call) *line {
	e.mu.Lock()
	defer e.mu.Unlock()
	l := e.lineForCallLocked(c)
	if l == nil || l.ended {
		return nil
	}
	return l
}

// onCallState follows a sipcore call's state on its line.
func (e *Engine) onCallState(c *sipcore.Call, st sipcore.CallState, reason string) {
	l := e.lineOf(c)
	if l == nil {
		return
	}
	switch st {
	case sipcore.CallSetup:
		if l.dir == 1 {
			e.emitSetup(l)
		}
	case sipcore.CallRinging:
		e.emitRinging(l)
	case sipcore.CallConnected:
		e.emitConnected(l)
	case sipcore.CallDisconnected:
		r, party := remoteReason(reason, l.dir)
		e.endLine(l, r, party)
	}
}

// onRemoteSDP applies the peer's answer to the line's media.
func (e *Engine) onRemoteSDP(c *sipcore.Call, sdp []byte) {
	l := e.lineOf(c)
	if l == nil {
		return
	}
	e.mu.Lock()
	m := l.media
	e.mu.Unlock()
	if m == nil {
		return
	}
	sdp = append([]byte(nil), sdp...)
	e.safeGo("remote answer", func() {
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		l.negMu.Lock()
		defer l.negMu.Unlock()
		if err := m.SetRemoteAnswer(ctx, sdp); err != nil {
			// a call whose answer the media cannot take would be connected
			// but silent: end it, so the page sees why
			e.logError("remote answer: " + err.Error())
			e.hangupLine(l, "media negotiation failed")
		}
	})
}

// isHoldSDP reports whether an SDP puts us on hold (sendonly or inactive).
func isHoldSDP(sdp []byte) bool {
	s := bytes.ToLower(sdp)
	return bytes.Contains(s, []byte("a=sendonly")) || bytes.Contains(s, []byte("a=inactive"))
}

// onOffer answers a re-INVITE from the peer and tracks remote hold.
func (e *Engine) onOffer(c *sipcore.Call, sdp []byte) ([]byte, error) {
	l := e.lineOf(c)
	if l == nil {
		return nil, sipcore.ErrCallState
	}
	held := isHoldSDP(sdp)
	e.mu.Lock()
	m := l.media
	wasHeld := l.remoteHold
	l.remoteHold = held
	localHold := l.hold
	e.mu.Unlock()
	if m == nil {
		return nil, sipcore.ErrCallState
	}
	dir := ""
	if localHold {
		d, _ := holdDirection(e.params.Int("holdtype", -1))
		dir = d
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	l.negMu.Lock()
	answer, err := m.Answer(ctx, sdp, dir)
	l.negMu.Unlock()
	if err != nil {
		return nil, err
	}
	if held != wasHeld {
		if held {
			e.setGlobalStatus("Placed on hold by remote party")
		} else {
			e.setGlobalStatus("Taken off hold by remote party")
		}
		e.lineStatus(l, map[bool]string{true: "Hold", false: "InCall"}[held])
	}
	return answer, nil
}

// onDTMF reports a digit received by SIP INFO.
func (e *Engine) onDTMF(c *sipcore.Call, digit string) {
	l := e.lineOf(c)
	if l == nil {
		return
	}
	e.mu.Lock()
	n, peer := l.n, l.peer
	e.mu.Unlock()
	e.emit("onDTMF", digit, n)
	e.notify(DTMFNotification(n, peer, digit))
}

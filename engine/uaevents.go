package engine

import (
	"bytes"
	"context"
	"errors"

	"github.com/opensoftphone/webphone/sipcore"
)

// uaEvents are the callbacks the engine gives a sipcore.UA of generation gen.
func (e *Engine) uaEvents(gen int) sipcore.Events {
	return sipcore.Events{
		RegState: func(st sipcore.RegState, reason string) {
			defer e.recovered("regstate event")
			e.onRegState(gen, st, reason)
		},
		Flow: func(st sipcore.FlowState, cause error) {
			defer e.recovered("flow event")
			e.onFlow(gen, st, cause)
			e.callsOnFlow(gen, st, cause)
			e.watchesOnFlow(gen, st)
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
		MessageResult: func(id string, to string, code int, reason string) {
			defer e.recovered("message result event")
			if e.composingResult(id, code, reason) {
				return
			}
			e.onMessageResult(to, code, reason)
		},
		Refer: func(c *sipcore.Call, referTo, referredBy string) bool {
			defer e.recovered("refer event")
			return e.onRefer(c, referTo, referredBy)
		},
		Notify: func(sub *sipcore.Subscription, n sipcore.NotifyInfo) {
			defer e.recovered("notify event")
			e.onNotify(sub, n)
		},
		Watch: func(w *sipcore.Watcher) int {
			defer e.recovered("watch event")
			return e.onWatch(w)
		},
		SubscriptionEnded: func(sub *sipcore.Subscription, reason string) {
			defer e.recovered("subscription event")
			e.onSubscriptionEnded(sub, reason)
		},
		Trace: func(dir string, data []byte, msg *sipcore.TracedMessage) {
			defer e.recovered("trace event")
			e.hist.add(dir == "out", data, msg)
			e.log(LogTrace, "EVENT", "SIP "+dir+": "+string(data))
		},
	}
}

// lineOf returns the live line a sipcore call is bound to, or nil.
func (e *Engine) lineOf(c *sipcore.Call) *line { return e.lines.byCall(c) }

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
		if !e.xfers.isReplacing(l) { // a replacing call is answered without ringing
			e.emitRinging(l)
		}
		e.transferCallState(l, st)
	case sipcore.CallConnected:
		e.emitConnected(l)
		e.transferCallState(l, st)
		e.conferenceLineChanged(l, false)
	case sipcore.CallDisconnected:
		r, party := remoteReason(reason, l.dir)
		if e.keep.isRefreshing(c) {
			if rr, p, ok := refreshEndReason(reason); ok {
				r, party = rr, p
			}
		} else if rr, ok := lostFlowReason(reason); ok {
			r, party = rr, DiscUnknown
		}
		e.lines.mu.Lock()
		rang := l.state >= lineRinging
		e.lines.mu.Unlock()
		e.endLine(l, r, party)
		e.maybeRedial(l, rang, reason)
	}
}

// onRemoteSDP applies the peer's answer to the line's media.
func (e *Engine) onRemoteSDP(c *sipcore.Call, sdp []byte) {
	l := e.lineOf(c)
	if l == nil {
		return
	}
	e.lines.mu.Lock()
	m := l.media
	// an answer before the 2xx (a 18x's): early media once applied
	early := l.state != lineConnected && !c.Answered()
	e.lines.mu.Unlock()
	if m == nil {
		return
	}
	sdp = append([]byte(nil), sdp...)
	e.safeGo("remote answer", func() {
		_, err := negotiate(e, l, func(ctx context.Context) (struct{}, error) {
			return struct{}{}, m.SetRemoteAnswer(ctx, sdp)
		})
		if err != nil {
			// a call whose answer the media cannot take would be connected
			// but silent: end it, so the page sees why
			e.logError("remote answer: " + err.Error())
			reason := "media negotiation failed"
			if errors.Is(err, errMediaTimeout) {
				reason = mediaFailure(err)
			}
			e.hangupLine(l, reason)
			return
		}
		if early {
			e.markEarlyMedia(l) // only while the line is not yet connected
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
	e.lines.mu.Lock()
	m := l.media
	wasHeld := l.remoteHold
	l.remoteHold = held
	localHold := l.hold
	e.lines.mu.Unlock()
	if m == nil {
		return nil, sipcore.ErrCallState
	}
	dir := ""
	if localHold {
		d, _ := holdDirection(e.params.Int("holdtype", -1))
		dir = d
	}
	answer, err := negotiate(e, l, func(ctx context.Context) ([]byte, error) { return m.Answer(ctx, sdp, dir) })
	if err != nil {
		// refused (488): the session stays as it was
		e.logError("peer's offer on line " + itoa(l.n) + ": " + err.Error())
		e.lines.mu.Lock()
		l.remoteHold = wasHeld
		e.lines.mu.Unlock()
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
	e.lines.mu.Lock()
	n, peer := l.n, l.peer
	e.lines.mu.Unlock()
	e.emit("onDTMF", digit, n)
	e.notify(DTMFNotification(n, peer, digit))
}

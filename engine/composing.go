package engine

import (
	"context"
	"strings"
	"time"

	"github.com/opensoftphone/webphone/eventbody"
)

// composingRefresh is the refresh interval an active indication announces
// (RFC 3994: the peer falls back to idle when none came within it).
const composingRefresh = 60

// SendChatComposing tells number that we are typing (composing true) or
// stopped (false) with an RFC 3994 MESSAGE (sendchatiscomposing). There is
// no CHATREPORT for it; a failure is only logged. It returns false for an
// invalid destination or when sending is disabled (textmessaging 0 or 2).
func (e *Engine) SendChatComposing(number string, composing bool) (ok bool) {
	defer e.recovered("sendchatiscomposing")
	if tm := e.params.Int("textmessaging", -1); tm == 0 || tm == 2 {
		return false
	}
	target, err := e.dialTarget(strings.TrimSpace(number))
	if err != nil {
		e.refuseInput("sendchatiscomposing", err)
		return false
	}
	body := eventbody.IsComposing(composing, composingRefresh)
	e.safeGo("sendchatiscomposing", func() {
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		ua, fail := e.waitReady(ctx)
		if fail != "" {
			e.logWarn("sendchatiscomposing: " + fail)
			return
		}
		w := &e.watches
		w.composingMu.Lock()
		id, err := ua.SendMessage(target, eventbody.IsComposingType, body)
		if err == nil {
			if w.composing == nil {
				w.composing = map[string]bool{}
			}
			w.composing[id] = true
		}
		w.composingMu.Unlock()
		if err != nil {
			e.logWarn("sendchatiscomposing: " + err.Error())
		}
	})
	return true
}

// composingResult tells whether the MESSAGE id was a composing indication
// (forgetting it): its outcome is only logged.
func (e *Engine) composingResult(id string, code int, reason string) bool {
	w := &e.watches
	w.composingMu.Lock()
	mine := w.composing[id]
	delete(w.composing, id)
	w.composingMu.Unlock()
	if mine && (code < 200 || code >= 300) {
		e.logWarn("composing indication refused: " + itoa(code) + " " + reason)
	}
	return mine
}

// onComposing reports a received composing indication as
// CHATCOMPOSING,line,peer,0|1; a malformed one is logged.
func (e *Engine) onComposing(line int, from string, body []byte) {
	active, err := eventbody.ParseIsComposing(body)
	if err != nil {
		e.logWarn("malformed composing indication from " + from + ": " + err.Error())
		return
	}
	state := "0"
	if active {
		state = "1"
	}
	e.notify("CHATCOMPOSING," + itoa(line) + "," + field(from) + "," + state)
}

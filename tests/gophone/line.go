package gophone

import (
	"bytes"
	"errors"
	"fmt"
	"net"
	"strings"
	"sync"
	"time"

	"github.com/opensoftphone/webphone/mediacore"
	"github.com/opensoftphone/webphone/sipcore"
)

// Line is one call of a Phone: its sipcore.Call, its media session and
// socket, what it heard and the digits it received.
type Line struct {
	phone   *Phone
	call    *sipcore.Call
	sess    *mediacore.Session
	conn    net.PacketConn
	release func() error // closes the media sockets

	// Heard is the decoded audio of the call.
	Heard *ToneMeter

	closeOnce sync.Once

	// guarded by phone.w
	dir      mediacore.Direction // the direction we want (also when answering re-offers)
	states   []string            // "state|reason"
	digits   []rune              // RFC 4733 digits, in order
	answer   []byte              // the peer's answer applied to our offer
	offers   [][]byte            // re-offers received and answered
	mediaErr error
}

// Call is the line's SIP call.
func (l *Line) Call() *sipcore.Call { return l.call }

// Session is the line's media session.
func (l *Line) Session() *mediacore.Session { return l.sess }

// Answer accepts a ringing incoming call: the session answers the INVITE's
// offer, the answer goes in the 200 OK and the media starts. An offer the
// session cannot take is rejected with 488 and returned as the error.
func (l *Line) Answer() error {
	offer := l.call.RemoteSDP()
	if len(offer) == 0 {
		_ = l.call.Reject(488)
		return errors.New("gophone: INVITE without SDP offer (offerless INVITEs are not supported)")
	}
	answer, err := l.sess.ApplyOffer(offer, l.wantedDirection())
	if err != nil {
		code := 500
		if mediacore.IsNotAcceptable(err) {
			code = 488
		}
		_ = l.call.Reject(code)
		return fmt.Errorf("gophone: answering the offer (rejected with %d): %w", code, err)
	}
	if err := l.call.Accept(answer); err != nil {
		return err
	}
	return l.sess.Start()
}

// Reject declines a ringing incoming call with code.
func (l *Line) Reject(code int) error { return l.call.Reject(code) }

// Hangup ends the call (CANCEL, decline or BYE); the media stops when the
// call is reported disconnected.
func (l *Line) Hangup() error { return l.call.Hangup() }

// Renegotiate re-offers the media with direction dir by re-INVITE
// (mediacore.SendOnly or Inactive holds, SendRecv resumes) and applies the
// answer. Later re-offers from the peer are answered keeping dir.
func (l *Line) Renegotiate(dir mediacore.Direction) error {
	offer, err := l.sess.LocalOffer(dir)
	if err != nil {
		return err
	}
	answer, err := l.call.Renegotiate(offer)
	if err != nil {
		return fmt.Errorf("gophone: re-INVITE: %w", err)
	}
	if err := l.sess.ApplyAnswer(answer); err != nil {
		return fmt.Errorf("gophone: applying the re-INVITE's answer: %w", err)
	}
	l.phone.w.update(func() { l.dir = dir })
	return nil
}

func (l *Line) wantedDirection() mediacore.Direction {
	var d mediacore.Direction
	l.phone.w.read(func() { d = l.dir })
	return d
}

// SendDTMF sends RFC 4733 digits of durationMs each on the media session.
func (l *Line) SendDTMF(digits string, durationMs int) error {
	return l.sess.SendDTMF(digits, durationMs)
}

// WaitState waits until the call reached state; it returns "state|reason".
func (l *Line) WaitState(state sipcore.CallState, timeout time.Duration) (string, error) {
	var got string
	ok := l.phone.w.wait(timeout, func() bool {
		for _, s := range l.states {
			if strings.HasPrefix(s, string(state)+"|") {
				got = s
				return true
			}
		}
		return false
	})
	if !ok {
		return "", fmt.Errorf("gophone: call never %s within %v (states %v)", state, timeout, l.States())
	}
	return got, nil
}

// States lists the call's states so far as "state|reason".
func (l *Line) States() []string {
	var out []string
	l.phone.w.read(func() { out = append(out, l.states...) })
	return out
}

// WaitDigits waits until at least n RFC 4733 digits were received and
// returns all received so far.
func (l *Line) WaitDigits(n int, timeout time.Duration) (string, error) {
	if !l.phone.w.wait(timeout, func() bool { return len(l.digits) >= n }) {
		return l.Digits(), fmt.Errorf("gophone: %d digits within %v, want %d", len(l.Digits()), timeout, n)
	}
	return l.Digits(), nil
}

// Digits returns the RFC 4733 digits received so far.
func (l *Line) Digits() string {
	var s string
	l.phone.w.read(func() { s = string(l.digits) })
	return s
}

// Offers returns the re-offers (re-INVITE/UPDATE SDP) answered so far.
func (l *Line) Offers() [][]byte {
	var out [][]byte
	l.phone.w.read(func() { out = append(out, l.offers...) })
	return out
}

// WaitOffers waits until n re-offers were answered.
func (l *Line) WaitOffers(n int, timeout time.Duration) error {
	if !l.phone.w.wait(timeout, func() bool { return len(l.offers) >= n }) {
		return fmt.Errorf("gophone: %d re-offers within %v, want %d", len(l.Offers()), timeout, n)
	}
	return nil
}

// MediaError is the first failure to apply the peer's SDP, if any.
func (l *Line) MediaError() error {
	var err error
	l.phone.w.read(func() { err = l.mediaErr })
	return err
}

func (l *Line) setState(s sipcore.CallState, reason string) {
	l.phone.w.update(func() { l.states = append(l.states, string(s)+"|"+reason) })
}

func (l *Line) onDTMF(ev mediacore.DTMFEvent) {
	l.phone.w.update(func() { l.digits = append(l.digits, ev.Digit) })
}

// applyAnswer applies the peer's answer to our initial offer and starts the
// media. sipcore delivers an answer from an 18x and again from the 2xx; a
// repeated identical answer is ignored, a different one is an error (the
// session has no offer left to apply it to).
func (l *Line) applyAnswer(sdp []byte) {
	var prev []byte
	l.phone.w.read(func() { prev = l.answer })
	if prev != nil {
		if !bytes.Equal(prev, sdp) {
			l.fail(errors.New("gophone: a second, different SDP answer to the same offer"))
		}
		return
	}
	if err := l.sess.ApplyAnswer(sdp); err != nil {
		l.fail(fmt.Errorf("gophone: applying the answer: %w", err))
		_ = l.call.Hangup()
		return
	}
	l.phone.w.update(func() { l.answer = append([]byte(nil), sdp...) })
	if err := l.sess.Start(); err != nil {
		l.fail(err)
	}
}

// applyOffer answers a re-offer with the session; mediacore.IsNotAcceptable
// errors (and any other) make sipcore reply 488.
func (l *Line) applyOffer(sdp []byte) ([]byte, error) {
	answer, err := l.sess.ApplyOffer(sdp, l.wantedDirection())
	if err != nil {
		if mediacore.IsNotAcceptable(err) {
			return nil, fmt.Errorf("gophone: re-offer not acceptable (488): %w", err)
		}
		return nil, fmt.Errorf("gophone: re-offer: %w", err)
	}
	l.phone.w.update(func() { l.offers = append(l.offers, append([]byte(nil), sdp...)) })
	if err := l.sess.Start(); err != nil { // no-op when running
		return nil, err
	}
	return answer, nil
}

func (l *Line) fail(err error) {
	l.phone.w.update(func() {
		if l.mediaErr == nil {
			l.mediaErr = err
		}
	})
}

// closeMedia stops the session and closes its socket (once).
func (l *Line) closeMedia() {
	l.closeOnce.Do(func() {
		l.sess.Stop()
		_ = l.release()
	})
}

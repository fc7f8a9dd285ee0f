package engine

import (
	"context"
	"errors"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/opensoftphone/webphone/sipcore"
)

// Calls across a lost connection.
//
// The media of an established call does not travel over the signalling
// connection, so a dropped WebSocket does not end the conversation; what
// breaks is the way back: the server reaches this phone only through the
// connection the dialog's last Contact was sent on. So:
//   - when the connection is lost, calls still being set up end at once
//     ("-1 connection lost"): their INVITE transaction died with it;
//     established calls go on and wait up to callKeepTimeout for a new
//     connection, then end with "-1 connection lost" (disconnect party 3);
//   - when a new connection replaces the old one, every established call is
//     refreshed (refreshCall): an UPDATE without SDP when the peer allows
//     UPDATE and the media path is fine, else a re-INVITE, with an ICE
//     restart when the media path is broken too (MediaPath). Both carry the
//     new connection's Contact, so the peer's BYE and re-INVITEs reach it;
//   - a refresh the peer refuses or does not answer ends the call with
//     "-1 connection lost (<why>)" and a BYE; a refresh that fails because
//     the connection went again waits for the next one.

// callKeepTimeout is how long established calls wait for a lost connection
// to come back before they are ended.
const callKeepTimeout = 60 * time.Second

// refreshTimeout bounds one refresh (offer, request, answer).
const refreshTimeout = 40 * time.Second

// MediaPath is implemented by a Media whose transport can break on its own
// (ICE): after a new connection, a broken path is renegotiated with an ICE
// restart rather than only refreshing the SIP target.
type MediaPath interface {
	// NeedsICERestart reports whether the media path is broken (ICE
	// disconnected or failed).
	NeedsICERestart() bool
	// RestartOffer is Offer with new ICE credentials. hold as for Offer.
	RestartOffer(ctx context.Context, hold string) ([]byte, error)
}

// callKeeper holds the engine's state for calls across a lost connection.
type callKeeper struct {
	mu         sync.Mutex
	stopTimer  func() bool            // the pending callKeepTimeout, or nil
	refreshing map[*sipcore.Call]bool // calls with a refresh under way
}

func (k *callKeeper) setRefreshing(c *sipcore.Call, on bool) {
	k.mu.Lock()
	defer k.mu.Unlock()
	if k.refreshing == nil {
		k.refreshing = map[*sipcore.Call]bool{}
	}
	if on {
		k.refreshing[c] = true
	} else {
		delete(k.refreshing, c)
	}
}

func (k *callKeeper) isRefreshing(c *sipcore.Call) bool {
	k.mu.Lock()
	defer k.mu.Unlock()
	return k.refreshing[c]
}

// arm starts the keep timer unless it runs already.
func (k *callKeeper) arm(after func(time.Duration, func()) func() bool, f func()) {
	k.mu.Lock()
	defer k.mu.Unlock()
	if k.stopTimer == nil {
		k.stopTimer = after(callKeepTimeout, f)
	}
}

// disarm stops the keep timer.
func (k *callKeeper) disarm() {
	k.mu.Lock()
	stop := k.stopTimer
	k.stopTimer = nil
	k.mu.Unlock()
	if stop != nil {
		stop()
	}
}

// callsOnFlow keeps the calls of the UA of generation gen across a change
// of its connection.
func (e *Engine) callsOnFlow(gen int, st sipcore.FlowState, cause error) {
	current := e.app.uaOf(gen) != nil
	var early, established []*line
	e.lines.mu.Lock()
	for _, l := range e.lines.liveLocked() {
		switch {
		case l.call == nil: // still preparing: its INVITE will meet the new state
		case l.state == lineConnected:
			established = append(established, l)
		default:
			early = append(early, l)
		}
	}
	e.lines.mu.Unlock()
	if !current {
		return
	}
	switch st {
	case sipcore.FlowLost:
		why := "-1 connection lost"
		if cause != nil {
			why += " (" + cause.Error() + ")"
		}
		for _, l := range early {
			e.dropLine(l, why, DiscUnknown)
		}
		if len(established) > 0 {
			e.keep.arm(e.opts.AfterFunc, func() {
				defer e.recovered("call keep timeout")
				e.keepTimedOut(gen)
			})
			e.logWarn(strconv.Itoa(len(established)) + " call(s) kept while the connection is down")
		}
	case sipcore.FlowReplaced:
		e.keep.disarm()
		for _, l := range established {
			l := l
			e.safeGo("refresh call", func() { e.refreshCall(l) })
		}
	}
}

// keepTimedOut ends the established calls when the connection did not come
// back in time.
func (e *Engine) keepTimedOut(gen int) {
	e.keep.disarm()
	ua := e.app.uaOf(gen)
	current := ua != nil
	ls := e.lines.live()
	if !current || ua.Connected() {
		return
	}
	for _, l := range ls {
		e.logWarn("line " + strconv.Itoa(l.n) + ": the connection did not come back within " + seconds(callKeepTimeout))
		e.dropLine(l, "-1 connection lost", DiscTimeout)
	}
}

// dropLine ends a line with reason and lets sipcore end its call quietly
// (a BYE, CANCEL or 603 goes out when a connection is up).
func (e *Engine) dropLine(l *line, reason string, party int) {
	e.lines.mu.Lock()
	c := l.call
	e.lines.mu.Unlock()
	e.endLineThen(l, reason, party, "hangup", hangupOf(c))
}

// refreshCall gives the peer of an established call the Contact of the new
// connection, renegotiating the media path when it is broken.
func (e *Engine) refreshCall(l *line) {
	unlock, err := e.lockNegotiation(l)
	if err != nil {
		e.logError("line " + strconv.Itoa(l.n) + ": refresh: " + err.Error())
		return
	}
	defer unlock()
	e.lines.mu.Lock()
	c, m, hold, ended := l.call, l.media, l.hold, !l.live()
	e.lines.mu.Unlock()
	if ended || c == nil || m == nil {
		return
	}
	e.keep.setRefreshing(c, true)
	defer e.keep.setRefreshing(c, false)
	ctx, cancel := context.WithTimeout(context.Background(), refreshTimeout)
	defer cancel()

	path, _ := m.(MediaPath)
	restart := path != nil && path.NeedsICERestart()
	how := "re-INVITE"
	err = errors.New("UPDATE not tried")
	if !restart && c.PeerAllows("UPDATE") {
		how = "UPDATE"
		err = c.RefreshTarget(ctx)
		if err != nil && refusedMethod(err) {
			e.logEvent(LogDetail, "line "+strconv.Itoa(l.n)+": UPDATE refused ("+err.Error()+"), refreshing with a re-INVITE")
			how = "re-INVITE"
		}
	}
	if how == "re-INVITE" {
		if restart {
			how = "re-INVITE with ICE restart"
		}
		err = e.reinviteCall(ctx, c, m, path, restart, hold)
	}
	if err == nil {
		e.logEvent(LogImportant, "line "+strconv.Itoa(l.n)+": call refreshed on the new connection ("+how+")")
		return
	}
	if transportGone(err) {
		// the connection went again: the next one refreshes, or the keep
		// timer ends the call
		e.logWarn("line " + strconv.Itoa(l.n) + ": refresh (" + how + ") failed: " + err.Error() + "; waiting for the connection")
		return
	}
	e.logError("line " + strconv.Itoa(l.n) + ": refresh (" + how + ") failed: " + err.Error())
	reason, party := refreshFailure(err.Error())
	e.dropLine(l, reason, party)
}

// reinviteCall refreshes with a re-INVITE: a new offer (with an ICE
// restart when asked), the peer's answer applied to the media.
func (e *Engine) reinviteCall(ctx context.Context, c *sipcore.Call, m Media, path MediaPath, restart, hold bool) error {
	dir := ""
	if hold {
		dir, _ = holdDirection(e.params.Int("holdtype", -1))
	}
	var offer []byte
	var err error
	if restart {
		offer, err = path.RestartOffer(ctx, dir)
	} else {
		offer, err = m.Offer(ctx, dir)
	}
	if err != nil {
		return errors.New("media offer: " + err.Error())
	}
	answer, err := c.Renegotiate(offer)
	if err != nil {
		return err
	}
	if err := m.SetRemoteAnswer(ctx, answer); err != nil {
		return errors.New("media answer: " + err.Error())
	}
	return nil
}

// refusedMethod tells whether an error is the peer refusing the method
// itself (405 Method Not Allowed, 501 Not Implemented).
func refusedMethod(err error) bool {
	var rf *sipcore.ErrRequestFailed
	return errors.As(err, &rf) && (rf.Code == 405 || rf.Code == 501)
}

// transportGone tells whether a request failed because the connection was
// not there (lost again, or not yet back).
func transportGone(err error) bool {
	return errors.Is(err, sipcore.ErrNoTransport) || strings.Contains(err.Error(), "transport closed")
}

// refreshFailure is the CDR reason and disconnect party of a call whose
// refresh failed with why ("481 Call/Transaction Does Not Exist",
// "timeout", ...): the peer forgot the dialog (481) counts as remote.
func refreshFailure(why string) (string, int) {
	party := DiscUnknown
	switch {
	case strings.HasPrefix(why, "481"):
		party = DiscRemote
	case strings.HasPrefix(why, "408") || strings.Contains(why, "timeout"):
		party = DiscTimeout
	}
	return "-1 connection lost (" + why + ")", party
}

// lostFlowReason maps the reason sipcore gives for a call whose INVITE
// transaction died with the connection ("transport closed: <cause>") to
// "-1 connection lost (<cause>)".
func lostFlowReason(reason string) (string, bool) {
	const prefix = "transport closed: "
	if !strings.HasPrefix(reason, prefix) {
		return "", false
	}
	return "-1 connection lost (" + strings.TrimPrefix(reason, prefix) + ")", true
}

// refreshEndReason maps the reason sipcore gives for ending a call while
// its refresh is under way (481 or 408 to the refresh ends the dialog) to
// the "connection lost" reason; other endings (the peer's BYE) keep their
// own reason. ok is false when the reason is not a refresh failure.
func refreshEndReason(reason string) (string, int, bool) {
	r := strings.TrimSpace(reason)
	if strings.HasPrefix(r, "481") || strings.HasPrefix(r, "408") || strings.Contains(strings.ToLower(r), "timeout") {
		s, party := refreshFailure(r)
		return s, party, true
	}
	return "", 0, false
}

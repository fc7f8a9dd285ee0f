package sipcore

// The running session timer (RFC 4028 10): arming it, the refresh the
// refresher sends, and the BYE when no refresh came. sessiontimer.go
// negotiates the interval.

import (
	"context"
	"time"

	"github.com/emiago/sipgo/sip"
)

// armSessionTimer (re)starts the timer: the refresher refreshes at half
// the interval; the other side ends the call at the interval minus
// min(32 s, interval/3) (RFC 4028 10).
func (c *Call) armSessionTimer(interval time.Duration, weRefresh bool) {
	if floor := time.Duration(minSessionInterval.Load()); interval < floor {
		interval = floor
	}
	if c.isEnded() {
		return
	}
	st := &c.sessionTimer
	st.mu.Lock()
	defer st.mu.Unlock()
	if st.timer != nil {
		st.timer.Stop()
	}
	st.gen++
	gen := st.gen
	st.interval, st.refresher = interval, weRefresh
	if weRefresh {
		st.timer = time.AfterFunc(interval/2, func() { c.refreshSession(gen, interval) })
		return
	}
	st.timer = time.AfterFunc(interval-min(32*time.Second, interval/3), func() { c.sessionExpired(gen) })
}

// stopSessionTimer turns the session timer off (call ended, or a refresh
// without Session-Expires).
func (c *Call) stopSessionTimer() {
	st := &c.sessionTimer
	st.mu.Lock()
	defer st.mu.Unlock()
	if st.timer != nil {
		st.timer.Stop()
		st.timer = nil
	}
	st.gen++
	st.interval = 0
}

// current tells whether gen is still the armed timer.
func (st *sessionTimer) current(gen int) bool {
	st.mu.Lock()
	defer st.mu.Unlock()
	return st.gen == gen
}

// sessionExpired ends a call whose refresh did not come.
func (c *Call) sessionExpired(gen int) {
	if !c.sessionTimer.current(gen) || c.isEnded() {
		return
	}
	c.ua.log.Warn("session timer expired", "call", c.callID)
	c.byeFailed("session timer expired")
}

// refreshSession sends the refresh: UPDATE without a body when the peer
// allows it, else a re-INVITE with the current SDP. A refresh that fails
// leaves the session to expire at the end of the interval unless a later
// one succeeds; 481 and 408 end the call at once (sendInDialog).
func (c *Call) refreshSession(gen int, interval time.Duration) {
	if !c.sessionTimer.current(gen) || c.isEnded() {
		return
	}
	var err error
	if c.PeerAllows("UPDATE") {
		err = c.sendSessionUpdate()
	} else {
		_, err = c.Renegotiate(c.LocalSDP())
	}
	if err == nil || c.isEnded() {
		return // the 2xx re-armed the timer
	}
	c.ua.log.Warn("session refresh failed", "call", c.callID, "err", err)
	st := &c.sessionTimer
	st.mu.Lock()
	defer st.mu.Unlock()
	if st.gen != gen {
		return // something else refreshed meanwhile
	}
	st.gen++
	next := st.gen
	st.timer = time.AfterFunc(interval/2-min(32*time.Second, interval/3)/2, func() { c.sessionExpired(next) })
}

// sendSessionUpdate refreshes the session with an UPDATE without a body;
// a 422 is retried once with the Min-SE it asks for.
func (c *Call) sendSessionUpdate() error {
	for attempt := 0; attempt < 2; attempt++ {
		req := c.newRequest(sip.UPDATE, "", nil)
		ctx, cancel := context.WithTimeout(context.Background(), 32*time.Second)
		res, err := c.sendInDialog(ctx, req, txHooks{})
		cancel()
		if err != nil {
			return err
		}
		if res.IsSuccess() {
			c.updateAnswered(res)
			return nil
		}
		if res.StatusCode == 422 && attempt == 0 && c.raiseSessionInterval(res) {
			continue
		}
		return &ErrRequestFailed{Code: res.StatusCode, Reason: res.Reason}
	}
	return &ErrRequestFailed{Code: 422, Reason: "Session Interval Too Small"}
}

// raiseSessionInterval takes the Min-SE of a 422 to one of our refreshes as
// the running interval, so the next request carries it; false when the
// 422 gives nothing larger (no retry then).
func (c *Call) raiseSessionInterval(res *sip.Response) bool {
	m := minSEOf(res)
	st := &c.sessionTimer
	st.mu.Lock()
	defer st.mu.Unlock()
	d := time.Duration(m) * time.Second
	if m <= 0 || st.interval <= 0 || d <= st.interval {
		return false
	}
	st.interval = d
	return true
}

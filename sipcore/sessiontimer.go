package sipcore

// Session timers (RFC 4028): a session is kept alive by periodic refresh
// requests (re-INVITE or UPDATE); the side that is not the refresher ends
// it with BYE when no refresh came in time. This file negotiates the
// interval (headers, 422); sessionrefresh.go runs the timer.

import (
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/emiago/sipgo/sip"
)

// minSE is the smallest session interval RFC 4028 allows (seconds).
const minSE = 90

// minSessionInterval is the shortest interval a session is ever run with
// (nanoseconds): a peer's smaller Session-Expires (which RFC 4028 forbids)
// is raised to it, so a peer cannot make us refresh in a tight loop. Tests
// lower it.
var minSessionInterval atomic.Int64

func init() { minSessionInterval.Store(int64(minSE * time.Second)) }

// max422Retries bounds how often one INVITE is resent after 422.
const max422Retries = 2

// sessionTimer is a call's session timer state, with its own lock.
type sessionTimer struct {
	mu        sync.Mutex
	interval  time.Duration // 0: no session timer
	refresher bool          // we send the refreshes
	timer     *time.Timer
	gen       int // bumps on every (re)arm, so a stale timer does nothing
}

// sessionExpiresOf reads Session-Expires (or its compact form x):
// "1800;refresher=uac" gives 1800 and "uac". ok is false when absent or
// malformed.
func sessionExpiresOf(m sip.Message) (secs int, refresher string, ok bool) {
	v := headerValue(m, "Session-Expires")
	if v == "" {
		v = headerValue(m, "x")
	}
	if v == "" {
		return 0, "", false
	}
	parts := strings.Split(v, ";")
	n, err := strconv.Atoi(strings.TrimSpace(parts[0]))
	if err != nil || n <= 0 {
		return 0, "", false
	}
	for _, p := range parts[1:] {
		k, val, _ := strings.Cut(strings.TrimSpace(p), "=")
		if strings.EqualFold(strings.TrimSpace(k), "refresher") {
			refresher = strings.ToLower(strings.TrimSpace(val))
		}
	}
	return n, refresher, true
}

// minSEOf reads Min-SE (seconds), 0 when absent or malformed.
func minSEOf(m sip.Message) int {
	v, _, _ := strings.Cut(headerValue(m, "Min-SE"), ";")
	n, err := strconv.Atoi(strings.TrimSpace(v))
	if err != nil || n < 0 {
		return 0
	}
	return n
}

// hasOptionTag tells whether a Supported or Require header lists tag.
func hasOptionTag(m sip.Message, header, tag string) bool {
	names := []string{header}
	switch header {
	case "Supported":
		names = append(names, "k")
	}
	for _, name := range names {
		for _, h := range m.GetHeaders(name) {
			for _, t := range strings.Split(h.Value(), ",") {
				if strings.EqualFold(strings.TrimSpace(t), tag) {
					return true
				}
			}
		}
	}
	return false
}

// ourMinSE is the smallest session interval we accept (seconds): MinSE,
// at least the RFC's 90 (minSessionInterval, which tests lower).
func (ua *UA) ourMinSE() int {
	floor := int(time.Duration(minSessionInterval.Load()) / time.Second)
	if ua.cfg.MinSE > floor {
		return ua.cfg.MinSE
	}
	return floor
}

// addSessionTimerOffer puts Session-Expires and Min-SE in an initial INVITE
// when session timers are wanted (Config.SessionExpires > 0).
func (ua *UA) addSessionTimerOffer(req *sip.Request) {
	se := ua.cfg.SessionExpires
	if se <= 0 {
		return
	}
	if min := ua.ourMinSE(); se < min {
		se = min
	}
	req.AppendHeader(sip.NewHeader("Session-Expires", strconv.Itoa(se)))
	req.AppendHeader(sip.NewHeader("Min-SE", strconv.Itoa(ua.ourMinSE())))
}

// retryAfter422 builds the INVITE that follows a 422 Session Interval Too
// Small (RFC 4028 7.4): Session-Expires and Min-SE raised to the Min-SE of
// the answer. nil when the answer gives nothing to retry with.
func (c *Call) retryAfter422(req *sip.Request, res *sip.Response, tries *int) *sip.Request {
	min := minSEOf(res)
	if min <= 0 || *tries >= max422Retries {
		return nil
	}
	if cur, _, ok := sessionExpiresOf(req); ok && min <= cur {
		return nil // the peer asks for what we already offered: no progress
	}
	*tries++
	next := req.Clone()
	next.SetBody(req.Body())
	next.RemoveHeader("Via")
	next.RemoveHeader("Session-Expires")
	next.RemoveHeader("x")
	next.RemoveHeader("Min-SE")
	next.AppendHeader(sip.NewHeader("Session-Expires", strconv.Itoa(min)))
	next.AppendHeader(sip.NewHeader("Min-SE", strconv.Itoa(min)))
	next.CSeq().SeqNo++
	return next
}

// tooSmallInterval answers 422 with our Min-SE when a request's
// Session-Expires is below it (RFC 4028 8.1), and then returns true.
func (ua *UA) tooSmallInterval(tx *sip.ServerTx, req *sip.Request) bool {
	secs, _, ok := sessionExpiresOf(req)
	if !ok || secs >= ua.ourMinSE() {
		return false
	}
	ua.reply(tx, req, 422, "Session Interval Too Small", sip.NewHeader("Min-SE", strconv.Itoa(ua.ourMinSE())))
	return true
}

// acceptSessionTimer arms the session timer a request from the peer asks
// for (initial INVITE, re-INVITE, UPDATE) and returns the headers our 2xx
// carries (RFC 4028 9). A request without Session-Expires turns the timer
// off.
func (c *Call) acceptSessionTimer(req *sip.Request) []sip.Header {
	secs, refresher, ok := sessionExpiresOf(req)
	if !ok {
		c.stopSessionTimer()
		return nil
	}
	uacSupports := hasOptionTag(req, "Supported", "timer") || hasOptionTag(req, "Require", "timer")
	if refresher != "uac" && refresher != "uas" {
		refresher = "uas"
		if uacSupports {
			refresher = "uac"
		}
	}
	hdrs := []sip.Header{sip.NewHeader("Session-Expires", strconv.Itoa(secs)+";refresher="+refresher)}
	if uacSupports {
		hdrs = append(hdrs, sip.NewHeader("Require", "timer"))
	}
	// the peer sent the request: "uas" is us
	c.armSessionTimer(time.Duration(secs)*time.Second, refresher == "uas")
	return hdrs
}

// sessionAnswered arms (or stops) the timer from the 2xx to a request we
// sent (initial INVITE, re-INVITE, UPDATE): its Session-Expires decides
// (RFC 4028 7.2); none means no session timer.
func (c *Call) sessionAnswered(res *sip.Response) {
	secs, refresher, ok := sessionExpiresOf(res)
	if !ok {
		c.stopSessionTimer()
		return
	}
	// we sent the request: "uac" is us; a 2xx without refresher leaves it
	// to us (7.4: the UAC must refresh when the UAS did not say)
	c.armSessionTimer(time.Duration(secs)*time.Second, refresher != "uas")
}

// addSessionTimerHeaders puts the running session's Session-Expires in a
// re-INVITE or UPDATE we send (every such request is a refresh).
func (d *dialog) addSessionTimerHeaders(req *sip.Request) {
	st := &d.sessionTimer
	st.mu.Lock()
	interval, refresher := st.interval, st.refresher
	st.mu.Unlock()
	if interval <= 0 {
		return
	}
	who := "uas"
	if refresher {
		who = "uac"
	}
	req.AppendHeader(sip.NewHeader("Session-Expires", strconv.Itoa(int(interval/time.Second))+";refresher="+who))
	req.AppendHeader(sip.NewHeader("Supported", supportedTags))
}

// SessionInterval is the running session timer's interval (0: none) and
// whether we are the refresher.
func (c *Call) SessionInterval() (time.Duration, bool) {
	st := &c.sessionTimer
	st.mu.Lock()
	defer st.mu.Unlock()
	return st.interval, st.refresher
}

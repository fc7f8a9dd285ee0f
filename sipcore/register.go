package sipcore

import (
	"context"
	"errors"
	"strconv"
	"sync"
	"time"

	"github.com/emiago/sipgo/sip"
)

// registration keeps the binding of the account alive: REGISTER with digest
// authentication, the server's expires honoured, refresh before expiry,
// Expires: 0 to remove.
type registration struct {
	ua *UA

	mu      sync.Mutex
	state   RegState
	reason  string
	want    bool
	callID  string
	fromTag string
	cseq    uint32
	expires int
	okRes   *sip.Response // the last 2xx to a REGISTER that bound us (nil when unbound)
	timer   *time.Timer
	busy    sync.Mutex     // one REGISTER transaction at a time
	auth    *authenticator // kept across refreshes (guarded by busy)
}

func newRegistration(ua *UA) *registration {
	return &registration{ua: ua, state: RegUnregistered, callID: newCallID(), fromTag: newTag()}
}

// State returns the current registration state.
func (r *registration) State() RegState {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.state
}

func (r *registration) wanted() bool {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.want
}

func (r *registration) setState(s RegState, reason string) {
	r.mu.Lock()
	changed := r.state != s || r.reason != reason
	r.state, r.reason = s, reason
	r.mu.Unlock()
	if changed && r.ua.ev.RegState != nil {
		r.ua.ev.RegState(s, reason)
	}
}

func (r *registration) stop() {
	r.mu.Lock()
	r.want = false
	if r.timer != nil {
		r.timer.Stop()
	}
	r.mu.Unlock()
}

// transportLost is called when the flow died: the binding cannot reach us
// any more, so a wanted registration is reported failed ("transport: ...")
// and its refresh stops; Reconnect registers again. The connection itself
// is reported through Events.Flow.
func (r *registration) transportLost(reason string) {
	r.mu.Lock()
	want := r.want
	if r.timer != nil {
		r.timer.Stop()
	}
	r.mu.Unlock()
	if want {
		r.setState(RegFailed, "transport: "+reason)
	}
}

// RegState returns the registration state.
func (ua *UA) RegState() RegState { return ua.reg.State() }

// RegistrationHeader returns the value of header name in the last 2xx answer
// to our REGISTER (refreshes included), e.g. the demo server's
// X-Webphone-Relay-Token; "" when there is none or we are not registered.
// The value is the server's: untrusted.
func (ua *UA) RegistrationHeader(name string) string {
	ua.reg.mu.Lock()
	res := ua.reg.okRes
	ua.reg.mu.Unlock()
	if res == nil {
		return ""
	}
	if h := res.GetHeader(name); h != nil {
		return h.Value()
	}
	return ""
}

// Register sends REGISTER and waits for the outcome, which is also reported
// through Events.RegState. The binding is then refreshed automatically.
func (ua *UA) Register() error {
	ua.reg.mu.Lock()
	ua.reg.want = true
	ua.reg.mu.Unlock()
	return ua.reg.send(ua.cfg.RegisterExpires, false)
}

// Unregister removes the binding (Expires: 0).
func (ua *UA) Unregister() error {
	ua.reg.stop()
	return ua.reg.send(0, false)
}

func (r *registration) send(expires int, refresh bool) error {
	r.busy.Lock()
	defer r.busy.Unlock()
	ua := r.ua
	if expires > 0 {
		if !refresh {
			r.setState(RegRegistering, "")
		}
	} else {
		r.setState(RegUnregistering, "")
	}
	for attempt := 0; attempt < 3; attempt++ {
		req := r.build(expires)
		ctx, cancel := context.WithTimeout(context.Background(), 40*time.Second)
		if r.auth == nil {
			r.auth = newAuthenticator(ua.cfg)
		}
		res, err := ua.doAuth(ctx, req, r.auth, nil)
		cancel()
		if res != nil && res.CSeq() != nil {
			r.mu.Lock()
			r.cseq = res.CSeq().SeqNo
			r.mu.Unlock()
		}
		if err != nil && res == nil {
			reason := err.Error()
			if errors.Is(err, ErrTimeout) || errors.Is(err, context.DeadlineExceeded) {
				reason = "timeout"
			}
			r.fail(reason)
			return errors.New(reason)
		}
		switch {
		case res.StatusCode == 423 && expires > 0:
			if min := res.GetHeader("Min-Expires"); min != nil {
				if n, perr := strconv.Atoi(min.Value()); perr == nil && n > expires {
					expires = n
					continue
				}
			}
		case res.IsSuccess():
			if expires == 0 {
				r.mu.Lock()
				r.okRes = nil
				r.mu.Unlock()
				r.setState(RegUnregistered, "")
				return nil
			}
			granted := r.grantedExpires(res, expires)
			r.mu.Lock()
			r.okRes = res
			r.expires = granted
			r.mu.Unlock()
			r.setState(RegRegistered, "")
			r.schedule(granted)
			return nil
		}
		reason := strconv.Itoa(res.StatusCode) + " " + res.Reason
		if err != nil {
			reason += " (" + err.Error() + ")"
		}
		r.fail(reason)
		return errors.New(reason)
	}
	r.fail("423 Interval Too Brief")
	return errors.New("registration interval refused")
}

func (r *registration) fail(reason string) {
	r.setState(RegFailed, reason)
	r.mu.Lock()
	want := r.want
	r.mu.Unlock()
	if want {
		// retry later, as a softphone does after a failure
		r.scheduleAfter(60 * time.Second)
	}
}

// build makes a REGISTER for the account's binding on the current flow.
func (r *registration) build(expires int) *sip.Request {
	ua := r.ua
	h, port := splitHostPort(ua.cfg.Domain)
	req := sip.NewRequest(sip.REGISTER, sip.Uri{Scheme: "sip", Host: h, Port: port})
	req.AppendHeader(ua.fromHeader(r.fromTag))
	req.AppendHeader(&sip.ToHeader{DisplayName: ua.displayName(), Address: ua.aor(), Params: sip.NewParams()})
	cid := sip.CallIDHeader(r.callID)
	req.AppendHeader(&cid)
	r.mu.Lock()
	r.cseq++
	seq := r.cseq
	r.mu.Unlock()
	req.AppendHeader(&sip.CSeqHeader{SeqNo: seq, MethodName: sip.REGISTER})
	c := ua.contactHeader()
	c.Params.Add("reg-id", "1")
	c.Params.Add("expires", strconv.Itoa(expires))
	req.AppendHeader(c)
	exp := sip.ExpiresHeader(expires)
	req.AppendHeader(&exp)
	req.AppendHeader(sip.NewHeader("Supported", "path, outbound, gruu"))
	req.AppendHeader(sip.NewHeader("Allow", allowedMethods))
	ua.addOutboundRoute(req)
	return req
}

// grantedExpires reads the lifetime the server granted to our contact.
func (r *registration) grantedExpires(res *sip.Response, asked int) int {
	ours := r.ua.contactURI()
	for _, h := range res.GetHeaders("Contact") {
		c, ok := h.(*sip.ContactHeader)
		if !ok {
			continue
		}
		if c.Address.User == ours.User && c.Address.Host == ours.Host {
			if v, ok := c.Params.Get("expires"); ok {
				if n, err := strconv.Atoi(v); err == nil && n > 0 {
					return n
				}
			}
		}
	}
	if e := res.GetHeader("Expires"); e != nil {
		if n, err := strconv.Atoi(e.Value()); err == nil && n > 0 {
			return n
		}
	}
	return asked
}

// schedule refreshes the binding before it expires.
func (r *registration) schedule(expires int) { r.scheduleAfter(refreshAfter(expires)) }

// refreshAfter is when a binding granted for expires seconds is refreshed:
// 30 s before expiry for long lifetimes, at 3/4 of short ones.
func refreshAfter(expires int) time.Duration {
	d := time.Duration(expires) * time.Second
	switch {
	case expires > 120:
		d -= 30 * time.Second
	case expires > 2:
		d = d * 3 / 4
	}
	return d
}

func (r *registration) scheduleAfter(d time.Duration) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.timer != nil {
		r.timer.Stop()
	}
	if !r.want {
		return
	}
	r.timer = time.AfterFunc(d, func() {
		if r.wanted() && r.ua.Connected() {
			_ = r.send(r.ua.cfg.RegisterExpires, r.State() == RegRegistered)
		}
	})
}

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

// Several accounts (registerex, extraregisteraccounts): each further account
// has its own sipcore.UA, connection and registration. Its incoming calls
// ring on lines of the shared line table like any other; outgoing calls and
// chat use the main account. An extra account whose connection drops (or
// never came up) reconnects on its own with the main connection's backoff,
// and at once when the main connection comes back; its UA then registers
// again. Each account's registration state goes to the page as a REGISTER
// notification with main=false (mizu_api.md §5.3) and to the log.

// maxExtraAccounts bounds registerex.
const maxExtraAccounts = 8

// accountSpec is one registerex entry:
// server,usr,pwd,ival,proxy,realm,authuser.
type accountSpec struct {
	server, user, password string
	interval               int
	proxy, realm, authUser string
}

// parseAccounts reads "server,usr,pwd,ival,proxy,realm,authuser;..." (the
// seed's ";" or the [v4.2] comment's "#" between accounts; trailing fields
// optional). server and usr are required.
func parseAccounts(s string) ([]accountSpec, error) {
	var out []accountSpec
	for _, entry := range strings.FieldsFunc(s, func(r rune) bool { return r == ';' || r == '#' }) {
		if strings.TrimSpace(entry) == "" {
			continue
		}
		f := strings.Split(entry, ",")
		for len(f) < 7 {
			f = append(f, "")
		}
		for i := range f {
			f[i] = strings.TrimSpace(f[i])
		}
		a := accountSpec{server: f[0], user: f[1], password: f[2], proxy: f[4], realm: f[5], authUser: f[6]}
		if a.server == "" || a.user == "" {
			return nil, errors.New("an account needs a server and a username")
		}
		if f[3] != "" {
			n, err := strconv.Atoi(f[3])
			if err != nil || n < 0 {
				return nil, errors.New("bad register interval " + strconv.Quote(f[3]))
			}
			a.interval = n
		}
		out = append(out, a)
	}
	if len(out) == 0 {
		return nil, errors.New("no account")
	}
	if len(out) > maxExtraAccounts {
		return nil, errors.New("more than " + strconv.Itoa(maxExtraAccounts) + " accounts")
	}
	return out, nil
}

// extraAccounts are the running further accounts, with their own lock.
type extraAccounts struct {
	mu  sync.Mutex
	uas []*extraAccount
}

// extraAccount is one further account: its UA, registration state and
// reconnection, with its own lock.
type extraAccount struct {
	name string // user@domain, for logs
	user string // the SIP user name, for the REGISTER notification
	ua   *sipcore.UA

	mu      sync.Mutex
	state   sipcore.RegState
	asked   bool         // Register was called: the UA renews it on reconnect
	reconn  *reconnector // restoring the lost connection, or nil
	stopped bool
}

// replace stops the running accounts and keeps the new ones.
func (x *extraAccounts) replace(next []*extraAccount) {
	x.mu.Lock()
	old := x.uas
	x.uas = next
	x.mu.Unlock()
	for _, a := range old {
		a.stop()
	}
}

// retryNow makes every account waiting to reconnect try at once: the main
// connection came back, so the network or server is likely back too.
func (x *extraAccounts) retryNow() {
	x.mu.Lock()
	all := append([]*extraAccount(nil), x.uas...)
	x.mu.Unlock()
	for _, a := range all {
		a.mu.Lock()
		r := a.reconn
		a.mu.Unlock()
		if r != nil {
			r.now()
		}
	}
}

// stopAll stops every further account (engine stop or close).
func (x *extraAccounts) stopAll() { x.replace(nil) }

// states lists each account with its registration state.
func (x *extraAccounts) states() map[string]sipcore.RegState {
	x.mu.Lock()
	defer x.mu.Unlock()
	out := map[string]sipcore.RegState{}
	for _, a := range x.uas {
		a.mu.Lock()
		out[a.name] = a.state
		a.mu.Unlock()
	}
	return out
}

// accountConfig builds an extra account's sipcore.Config from the main one.
func (e *Engine) accountConfig(a accountSpec) (sipcore.Config, []string, error) {
	cfg, err := BuildSIPConfig(e.params, e.instanceID())
	if err != nil {
		return cfg, nil, err
	}
	addrs := ServerAddresses(e.params)
	lower := strings.ToLower(a.server)
	if strings.HasPrefix(lower, "ws://") || strings.HasPrefix(lower, "wss://") || strings.HasPrefix(lower, "udp:") {
		addrs = []string{a.server}
		cfg.Address = a.server
	}
	cfg.Domain = stripScheme(a.server)
	cfg.Username, cfg.AuthUsername, cfg.Password = a.user, a.authUser, a.password
	cfg.Realm = a.realm
	cfg.OutboundProxy = ""
	if a.proxy != "" {
		px := a.proxy
		if !strings.HasPrefix(strings.ToLower(px), "sip:") {
			px = "sip:" + px
		}
		cfg.OutboundProxy = px + ";lr"
	}
	if a.interval > 0 {
		cfg.RegisterExpires = min(max(a.interval, 30), 3600)
	}
	cfg.Logger = e.sipcoreLogger()
	if err := cfg.Validate(); err != nil {
		return cfg, nil, err
	}
	return cfg, addrs, nil
}

// RegisterEx registers further accounts (registerex), replacing the ones
// registered before: "server,usr,pwd,ival,proxy,realm,authuser;..." (also
// "#" between accounts). It starts the engine when needed and returns false
// for a malformed list.
func (e *Engine) RegisterEx(accounts string) (ok bool) {
	defer e.recovered("registerex")
	specs, err := parseAccounts(accounts)
	if err != nil {
		e.logWarn("registerex: " + err.Error())
		return false
	}
	var next []*extraAccount
	type todo struct {
		a     *extraAccount
		addrs []string
		cfg   sipcore.Config
	}
	var work []todo
	for _, s := range specs {
		cfg, addrs, err := e.accountConfig(s)
		if err != nil {
			e.logWarn("registerex " + loggable(s.user) + ": " + err.Error())
			return false
		}
		a := &extraAccount{name: cfg.Username + "@" + cfg.Domain, user: cfg.Username, state: sipcore.RegUnregistered}
		work = append(work, todo{a, addrs, cfg})
		next = append(next, a)
	}
	if _, err := e.ensureStarted(); err != nil {
		e.logWarn("registerex: " + err.Error())
		return false
	}
	for _, w := range work {
		w.a.ua = sipcore.NewUA(w.cfg, e.failoverDialer(w.addrs), e.accountEvents(w.a))
	}
	e.extra.replace(next)
	for _, w := range work {
		a := w.a
		e.safeGo("registerex", func() {
			ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
			defer cancel()
			// the connection's FlowUp registers (accountEvents)
			if err := a.ua.Start(ctx); err != nil {
				e.logWarn("registerex " + a.name + ": " + err.Error())
				a.lost(e)
			}
		})
	}
	return true
}

// setState records the registration state and reports whether it changed.
func (a *extraAccount) setState(s sipcore.RegState) bool {
	a.mu.Lock()
	defer a.mu.Unlock()
	changed := a.state != s
	a.state = s
	return changed
}

// stop ends the account: no more reconnection, and its UA stops
// (unregistering when registered).
func (a *extraAccount) stop() {
	a.mu.Lock()
	a.stopped = true
	r := a.reconn
	a.reconn = nil
	a.mu.Unlock()
	if r != nil {
		r.cancel()
	}
	go a.ua.Stop()
}

// lost starts restoring the account's connection (once; not after stop).
func (a *extraAccount) lost(e *Engine) {
	a.mu.Lock()
	if a.stopped || a.reconn != nil {
		a.mu.Unlock()
		return
	}
	r := &reconnector{e: e, ua: a.ua, label: "account " + a.name + " "}
	a.reconn = r
	a.mu.Unlock()
	d := r.schedule()
	e.logWarn("account " + a.name + " reconnecting in " + seconds(d))
}

// up takes a connection that came up: the reconnection is over, and the
// first connection registers. It reports whether to register now.
func (a *extraAccount) up() (register bool) {
	a.mu.Lock()
	r := a.reconn
	a.reconn = nil
	register = !a.asked && !a.stopped
	a.asked = true
	a.mu.Unlock()
	if r != nil {
		r.cancel()
	}
	return register
}

// accountEvents are the main UA's call events with the account's own
// registration and connection handling: its state goes to the log and to
// the page as a REGISTER notification (main=false), never to
// onRegStateChange, which is the main account's.
func (e *Engine) accountEvents(a *extraAccount) sipcore.Events {
	ev := e.uaEvents(-1)
	ev.RegState = func(st sipcore.RegState, reason string) {
		defer e.recovered("registerex regstate")
		if !a.setState(st) && st != sipcore.RegFailed {
			return // a refresh
		}
		text := "account " + a.name + " " + string(st)
		if reason != "" {
			text += ": " + reason
		}
		if st == sipcore.RegFailed {
			e.logWarn(text)
		} else {
			e.logEvent(LogImportant, text)
		}
		if n, ok := extraRegNotification(st, a.user, reason); ok && e.registerNotificationsOn() {
			e.notify(n)
		}
	}
	ev.Flow = func(st sipcore.FlowState, cause error) {
		defer e.recovered("registerex flow")
		switch st {
		case sipcore.FlowLost:
			reason := "connection closed"
			if cause != nil {
				reason = cause.Error()
			}
			e.logWarn("account " + a.name + " connection lost: " + reason)
			a.lost(e)
		case sipcore.FlowUp, sipcore.FlowReplaced:
			if st == sipcore.FlowReplaced {
				e.logEvent(LogImportant, "account "+a.name+" reconnected")
			}
			if a.up() {
				e.safeGo("registerex", func() {
					if err := a.ua.Register(); err != nil {
						e.logWarn("registerex " + a.name + ": " + err.Error())
					}
				})
			}
		}
	}
	return ev
}

// extraRegNotification is the REGISTER notification of an extra account's
// registration state; ok is false for a state it does not report
// (unregistering).
func extraRegNotification(st sipcore.RegState, user, reason string) (string, bool) {
	switch st {
	case sipcore.RegRegistering:
		return AccountRegisterNotification(false, RegNotifyProgress, "Registering...", user, ""), true
	case sipcore.RegRegistered:
		return AccountRegisterNotification(false, RegNotifySuccess, "Registered", user, ""), true
	case sipcore.RegFailed:
		return AccountRegisterNotification(false, RegNotifyFailed, "Register failed", user, reason), true
	case sipcore.RegUnregistered:
		return AccountRegisterNotification(false, RegNotifyUnregistered, "Unregistered", user, ""), true
	}
	return "", false
}

// registerNotificationsOn: sendregisternotifications=0 turns the REGISTER
// notifications of the extra accounts off.
func (e *Engine) registerNotificationsOn() bool {
	return strings.TrimSpace(e.params.Get("sendregisternotifications")) != "0"
}

// startExtraAccounts registers the extraregisteraccounts parameter's
// accounts once the engine has started.
func (e *Engine) startExtraAccounts() {
	if v := strings.TrimSpace(e.params.Get("extraregisteraccounts")); v != "" {
		e.RegisterEx(v)
	}
}

// ExtraAccountStates reports each further account (user@domain) with its
// registration state.
func (e *Engine) ExtraAccountStates() map[string]sipcore.RegState { return e.extra.states() }

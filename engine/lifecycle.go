package engine

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"strings"
	"time"

	"github.com/opensoftphone/webphone/sipcore"
)

const storeInstanceKey = "engine.instanceid"

// Init loads the configuration object (webphone_config.js) and the page URL
// (wp_ parameters) and fires onAppStateChange("loaded"). Autostart happens
// later, in AutoStart, so that the page's "loaded" listeners (which usually
// set parameters) run first: Init schedules it after Options.AutoStartDelay
// unless that is negative; calling AutoStart earlier is fine (it runs once).
func (e *Engine) Init(config map[string]string, pageURL string) {
	defer e.recovered("init")
	e.params.LoadConfig(config)
	if pageURL != "" {
		e.params.LoadURL(pageURL)
	}
	e.mu.Lock()
	e.appState = "loaded"
	e.mu.Unlock()
	e.notify(StartNotification("api"))
	e.emit("onAppStateChange", "loaded")
	if d := e.opts.AutoStartDelay; d > 0 {
		e.opts.AfterFunc(d, func() {
			// after the "loaded" event itself has been handed over
			e.after(func() { e.AutoStart() })
		})
	}
}

// AutoStart applies autostart and callto/autoaction once (later calls do
// nothing): unless autostart=0 it starts the engine when a server is
// configured, then calls callto (autoaction 1 or 3) or sends the sendchat
// text to callto/to (autoaction 2). It reports whether the engine started.
func (e *Engine) AutoStart() (started bool) {
	defer e.recovered("autostart")
	e.mu.Lock()
	done := e.autoStarted
	e.autoStarted = true
	e.mu.Unlock()
	if done || e.params.Int("autostart", 1) == 0 || len(ServerAddresses(e.params)) == 0 {
		return false
	}
	if !e.Start() {
		return false
	}
	switch e.params.Int("autoaction", 0) {
	case 1, 3:
		if to := strings.TrimSpace(e.params.Get("callto")); to != "" {
			e.Call(to)
		}
	case 2:
		to := strings.TrimSpace(e.params.Get("callto"))
		if to == "" {
			to = strings.TrimSpace(e.params.Get("to"))
		}
		if msg := e.params.Get("sendchat"); to != "" && msg != "" {
			e.SendChat(to, msg)
		}
	}
	return true
}

// DelSettings deletes the persisted parameters (delsettings; levels 0-3 all
// clear the settings, the engine keeps no contacts or history) and stops a
// running engine: call Start again afterwards.
func (e *Engine) DelSettings(level int) (ok bool) {
	defer e.recovered("delsettings")
	if level < 0 || level > 3 {
		return false
	}
	e.params.ClearStored()
	e.params.ClearRuntime()
	e.Stop()
	return true
}

// SetParameter sets a parameter at runtime and persists it (setparameter).
// Credentials take effect at the next start/register.
func (e *Engine) SetParameter(name, value string) (ok bool) {
	defer e.recovered("setparameter")
	n := NormalizeParamName(name)
	if n == "preferred_storage" || n == "usepathinfilenames" {
		e.logWarn(n + " can be set only in the config object")
		return false
	}
	ok = e.params.SetParameter(name, value)
	if ok && n != "password" {
		e.logEvent(LogDetail, "setparameter "+n+"="+value)
	}
	return ok
}

// GetParameter returns a parameter's effective value, or "" (getparameter).
func (e *Engine) GetParameter(name string) (v string) {
	defer e.recovered("getparameter")
	return e.params.Get(name)
}

func (e *Engine) instanceID() string {
	if st := e.opts.Storage; st != nil {
		if id, ok := st.Get(storeInstanceKey); ok && id != "" {
			return id
		}
	}
	b := make([]byte, 16)
	_, _ = rand.Read(b)
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	h := hex.EncodeToString(b)
	id := "urn:uuid:" + h[:8] + "-" + h[8:12] + "-" + h[12:16] + "-" + h[16:20] + "-" + h[20:]
	if st := e.opts.Storage; st != nil {
		st.Set(storeInstanceKey, id)
	}
	return id
}

// Start starts the VoIP engine: connects (with failover along the server
// list), fires onAppStateChange("started") and registers when credentials
// are set and register != 0. It is idempotent and returns true when the
// start was accepted or is already done; false when no server is set.
func (e *Engine) Start() (ok bool) {
	defer e.recovered("start")
	_, err := e.ensureStarted()
	if err != nil {
		e.logError("start: " + err.Error())
		e.display("", "ERROR, "+err.Error())
		return false
	}
	return true
}

// ensureStarted creates and starts the UA when there is none, and returns
// the channel closed when the start attempt has finished.
func (e *Engine) ensureStarted() (<-chan struct{}, error) {
	e.mu.Lock()
	if e.closed {
		e.mu.Unlock()
		return nil, errors.New("engine closed")
	}
	if e.ua != nil {
		ch := e.startDone
		e.mu.Unlock()
		return ch, nil
	}
	cfg, err := BuildSIPConfig(e.params, e.instanceID())
	if err != nil {
		e.mu.Unlock()
		return nil, err
	}
	addrs := ServerAddresses(e.params)
	e.uaGen++
	gen := e.uaGen
	ua := sipcore.NewUA(cfg, e.failoverDialer(addrs), e.uaEvents(gen))
	e.ua = ua
	done := make(chan struct{})
	e.startDone = done
	e.startErr = nil
	e.wantReg = registerWanted(e.params)
	e.mu.Unlock()

	e.logEvent(LogImportant, "start engine: webrtc, server "+strings.Join(addrs, ","))
	e.setGlobalStatus("Initializing")
	e.safeGo("start", func() { e.runStart(ua, gen, done) })
	return done, nil
}

func (e *Engine) runStart(ua *sipcore.UA, gen int, done chan struct{}) {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	err := ua.Start(ctx)
	e.mu.Lock()
	current := e.ua == ua && e.uaGen == gen
	if err != nil {
		e.startErr = err
		if current {
			e.ua = nil // a later action retries from scratch
		}
	} else if current {
		e.appState = "started"
		e.readyGen = gen
	}
	wantReg := e.wantReg
	e.mu.Unlock()
	close(done)
	if err != nil {
		e.logError("connect failed: " + err.Error())
		ua.Stop()
		return
	}
	if !current {
		return
	}
	e.notify(StartNotification("sip"))
	e.emit("onAppStateChange", "started")
	e.setGlobalStatus("Ready.")
	if wantReg {
		e.doRegister(ua)
	}
}

func (e *Engine) doRegister(ua *sipcore.UA) {
	e.logEvent(LogDetail, "REGISTER sip:"+ua.Config().Domain)
	if err := ua.Register(); err != nil {
		e.logWarn("register: " + err.Error())
	}
}

// Stop hangs up every call, unregisters and closes the connection, then
// fires onAppStateChange("stopped"). It returns false if not started.
func (e *Engine) Stop() (ok bool) {
	defer e.recovered("stop")
	e.mu.Lock()
	ua := e.ua
	e.ua = nil
	e.uaGen++
	gen := e.uaGen
	if ua == nil {
		e.mu.Unlock()
		return false
	}
	ls := e.liveLinesLocked()
	e.mu.Unlock()
	for _, l := range ls {
		e.hangupLine(l, "User Hung Up")
	}
	e.safeGo("stop", func() {
		ua.Stop()
		e.mu.Lock()
		if e.uaGen != gen { // started again meanwhile: that UA owns the state
			e.mu.Unlock()
			return
		}
		wasReg := e.regEpisode
		e.regEpisode = false
		e.regState = sipcore.RegUnregistered
		e.appState = "stopped"
		e.signalRegLocked()
		e.mu.Unlock()
		if wasReg {
			e.emit("onRegStateChange", "unregistered", nil)
			e.notify(RegisterNotification(RegNotifyUnregistered, "Unregistered", e.localUser(), ""))
		}
		e.setGlobalStatus("Stopped")
		e.emit("onAppStateChange", "stopped")
	})
	return true
}

// Register sends REGISTER (starting the engine first if needed). Renewal is
// automatic.
func (e *Engine) Register() (ok bool) {
	defer e.recovered("register")
	e.mu.Lock()
	e.wantReg = true
	ua := e.ua
	e.mu.Unlock()
	if ua == nil {
		return e.Start()
	}
	done, err := e.ensureStarted()
	if err != nil {
		return false
	}
	e.safeGo("register", func() {
		<-done
		e.mu.Lock()
		cur := e.ua == ua
		e.mu.Unlock()
		if cur && ua.Connected() {
			e.doRegister(ua)
		}
	})
	return true
}

// Unregister removes the registration (REGISTER with Expires: 0).
func (e *Engine) Unregister() (ok bool) {
	defer e.recovered("unregister")
	e.mu.Lock()
	e.wantReg = false
	ua := e.ua
	done := e.startDone
	e.mu.Unlock()
	if ua == nil {
		return false
	}
	e.safeGo("unregister", func() {
		<-done
		if err := ua.Unregister(); err != nil {
			e.logWarn("unregister: " + err.Error())
		}
	})
	return true
}

// IsRegistered reports whether the account is registered now.
func (e *Engine) IsRegistered() (ok bool) {
	defer e.recovered("isregistered")
	e.mu.Lock()
	defer e.mu.Unlock()
	return e.regState == sipcore.RegRegistered
}

// GetRegFailReason returns the reason of the last failed registration or
// connection, or "".
func (e *Engine) GetRegFailReason() (s string) {
	defer e.recovered("getregfailreason")
	e.mu.Lock()
	defer e.mu.Unlock()
	return e.regFail
}

// signalRegLocked wakes everyone waiting for a registration change.
func (e *Engine) signalRegLocked() {
	close(e.regChanged)
	e.regChanged = make(chan struct{})
}

// waitReady blocks until ua is connected and, when registration is under
// way or required, until it has finished (up to regtimeout, at least 2 s).
// It returns an error text in the disconnect-reason form when calls cannot
// proceed.
func (e *Engine) waitReady(ctx context.Context) (*sipcore.UA, string) {
	done, err := e.ensureStarted()
	if err != nil {
		return nil, "-1 " + err.Error()
	}
	select {
	case <-done:
	case <-ctx.Done():
		return nil, "-1 call setup timeout"
	}
	e.mu.Lock()
	ua, startErr := e.ua, e.startErr
	e.mu.Unlock()
	if startErr != nil || ua == nil {
		return nil, "-1 Server address unreachable"
	}
	must := mustRegisterBeforeCalls(e.params)
	wait := time.Duration(e.params.Int("regtimeout", 6000)) * time.Millisecond
	if wait < 2*time.Second {
		wait = 2 * time.Second
	}
	timeout := time.NewTimer(wait)
	defer timeout.Stop()
	for {
		e.mu.Lock()
		st, want, ch := e.regState, e.wantReg, e.regChanged
		e.mu.Unlock()
		switch {
		case st == sipcore.RegRegistered:
			return ua, ""
		case st == sipcore.RegRegistering && want:
		case must && want && st != sipcore.RegFailed:
		case must:
			return nil, "-1 Register failed"
		default:
			return ua, ""
		}
		select {
		case <-ch:
		case <-timeout.C:
			if must {
				return nil, "-1 Register failed"
			}
			return ua, ""
		case <-ctx.Done():
			return nil, "-1 call setup timeout"
		}
	}
}

// onRegState handles sipcore registration changes.
func (e *Engine) onRegState(gen int, st sipcore.RegState, reason string) {
	e.mu.Lock()
	if gen != e.uaGen {
		e.mu.Unlock()
		return
	}
	prev := e.regState
	e.regState = st
	wasEpisode := e.regEpisode
	switch st {
	case sipcore.RegRegistered:
		e.regEpisode = true
		e.regFail = ""
	case sipcore.RegUnregistered, sipcore.RegFailed:
		e.regEpisode = false
	}
	if st == sipcore.RegFailed {
		e.regFail = reason
	}
	e.signalRegLocked()
	e.mu.Unlock()
	user := e.localUser()
	switch st {
	case sipcore.RegRegistering:
		if prev != sipcore.RegRegistering && !wasEpisode {
			e.setGlobalStatus("Registering...")
			e.notify(RegisterNotification(RegNotifyProgress, "Registering...", user, ""))
		}
	case sipcore.RegRegistered:
		if !wasEpisode {
			e.logEvent(LogImportant, "registered")
			e.emit("onRegStateChange", "registered", nil)
			e.setGlobalStatus("Registered.")
			e.notify(RegisterNotification(RegNotifySuccess, "Registered", user, ""))
		}
	case sipcore.RegUnregistered:
		if wasEpisode {
			e.emit("onRegStateChange", "unregistered", nil)
			e.setGlobalStatus("Unregistered")
			e.notify(RegisterNotification(RegNotifyUnregistered, "Unregistered", user, ""))
		}
	case sipcore.RegFailed:
		if isTransportFailure(reason) {
			e.transportLost(gen, wasEpisode, reason)
		}
		text := RegFailureText(reason)
		e.logError("register failed: " + reason)
		e.emit("onRegStateChange", "failed", reason)
		e.setGlobalStatus("Register failed: " + reason)
		e.notify(RegisterNotification(RegNotifyFailed, "Register failed", user, reason))
		e.display("", text)
	}
}

// RegFailureText maps a sipcore failure reason to the user-facing text of
// the documented vocabulary (R-REG-3).
func RegFailureText(reason string) string {
	r := strings.ToLower(reason)
	switch {
	case strings.HasPrefix(r, "transport"), strings.Contains(r, "connect"), strings.Contains(r, "dial"):
		return "Server address unreachable"
	case strings.Contains(r, "timeout"), strings.Contains(r, "no response"):
		return "No response from server"
	case strings.HasPrefix(r, "401"), strings.HasPrefix(r, "407"), strings.HasPrefix(r, "403"), strings.Contains(r, "auth"):
		return "Authentication failed"
	case strings.Contains(r, "lost"), strings.Contains(r, "closed"):
		return "Connection lost"
	case len(r) > 0 && r[0] >= '3' && r[0] <= '6':
		return "Register rejected"
	}
	return "Register failed"
}

func (e *Engine) localUser() string {
	u, _ := Credentials(e.params)
	return u
}

package engine

import (
	"context"
	"strings"
	"time"

	"github.com/opensoftphone/webphone/sipcore"
)

func (e *Engine) doRegister(ua *sipcore.UA) {
	e.logEvent(LogDetail, "REGISTER sip:"+ua.Config().Domain)
	if err := ua.Register(); err != nil {
		e.logWarn("register: " + err.Error())
	}
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
		case want && st != sipcore.RegFailed:
			// registration under way or about to start: register first
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

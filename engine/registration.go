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
	e.reg.setWanted(true)
	ua := e.app.currentUA()
	if ua == nil {
		return e.Start()
	}
	done, err := e.ensureStarted()
	if err != nil {
		return false
	}
	e.safeGo("register", func() {
		<-done
		switch {
		case e.app.currentUA() != ua:
		case ua.Connected():
			e.doRegister(ua)
		default:
			e.logEvent(LogDetail, "register: no connection; registering once it is back")
		}
	})
	return true
}

// Unregister removes the registration (REGISTER with Expires: 0).
func (e *Engine) Unregister() (ok bool) {
	defer e.recovered("unregister")
	e.reg.setWanted(false)
	ua, done := e.app.uaAndStart()
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
	return e.reg.registered()
}

// GetRegFailReason returns the reason of the last failed registration or
// connection, or "".
func (e *Engine) GetRegFailReason() (s string) {
	defer e.recovered("getregfailreason")
	return e.reg.failReason()
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
	ua, startErr := e.app.startResult()
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
		v := e.reg.view()
		st, want, ch := v.state, v.want, v.changed
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

// onRegState handles sipcore registration changes of the UA of generation
// gen: the registration machine takes the transition, and the page is told
// what it says.
func (e *Engine) onRegState(gen int, st sipcore.RegState, reason string) {
	news, ok := e.reg.apply(gen, st, reason)
	if !ok {
		return
	}
	e.announceReg(gen, news, reason)
}

// announceReg tells the page a registration transition: the general status,
// onRegStateChange, and the REGISTER notification.
func (e *Engine) announceReg(gen int, news regNews, reason string) {
	user := e.localUser()
	switch news {
	case regNewsRegistering:
		e.setGlobalStatus("Registering...")
		e.notify(RegisterNotification(RegNotifyProgress, "Registering...", user, ""))
	case regNewsRegistered:
		e.logEvent(LogImportant, "registered")
		e.emit("onRegStateChange", "registered", nil)
		e.setGlobalStatus("Registered.")
		e.notify(RegisterNotification(RegNotifySuccess, "Registered", user, ""))
	case regNewsUnregistered:
		e.emit("onRegStateChange", "unregistered", nil)
		e.setGlobalStatus("Unregistered")
		e.notify(RegisterNotification(RegNotifyUnregistered, "Unregistered", user, ""))
	case regNewsFailed:
		e.logError("register failed: " + reason)
		e.emit("onRegStateChange", "failed", reason)
		e.notify(RegisterNotification(RegNotifyFailed, "Register failed", user, reason))
		// A registration that failed with its connection is part of the
		// connection loss, which onFlow reports ("Connection lost") and
		// repairs; the status line keeps saying so.
		if ua := e.app.readyUA(gen); ua != nil && !ua.Connected() {
			return
		}
		e.setGlobalStatus("Register failed: " + reason)
		e.display("", RegFailureText(reason))
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

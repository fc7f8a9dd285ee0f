package engine

import (
	"strings"
	"testing"
	"time"

	"github.com/opensoftphone/webphone/sipcore"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// regStep is one registration event and what it must do: the news the
// machine returns, the STATUS "registered" code afterwards, and exactly
// what the page is told (onRegStateChange and onEvent, log lines left out).
type regStep struct {
	st     sipcore.RegState
	reason string
	news   regNews
	code   int
	page   []string
}

// TestRegMachineTransitions walks the registration machine through each
// transition, starting from a fresh engine (unregistered, registration
// wanted), and checks what the page is told on each.
func TestRegMachineTransitions(t *testing.T) {
	const (
		registering  = "onEvent[event STATUS,-1,Registering...]"
		regProgress  = "onEvent[event REGISTER,0,0,Registering...,true,,alice,]"
		registered   = "onRegStateChange[registered <nil>]"
		statusReg    = "onEvent[event STATUS,-1,Registered.]"
		regSuccess   = "onEvent[event REGISTER,0,1,Registered,true,,alice,]"
		unregistered = "onRegStateChange[unregistered <nil>]"
		statusUnreg  = "onEvent[event STATUS,-1,Unregistered]"
		regUnreg     = "onEvent[event REGISTER,0,3,Unregistered,true,,alice,]"
	)
	failed := func(reason, status, display string) []string {
		return []string{
			"onRegStateChange[failed " + reason + "]",
			"onEvent[event REGISTER,0,2,Register failed,true,,alice," + reason + "]",
			"onEvent[event STATUS,-1,Register failed: " + status + "]",
			"onEvent[display ," + display + "]",
		}
	}
	cases := []struct {
		name  string
		steps []regStep
	}{
		{"register, renew, unregister", []regStep{
			{sipcore.RegRegistering, "", regNewsRegistering, 4, []string{registering, regProgress}},
			{sipcore.RegRegistered, "", regNewsRegistered, 2, []string{registered, statusReg, regSuccess}},
			// a renewal within the episode tells the page nothing
			{sipcore.RegRegistering, "", regNewsNone, 4, nil},
			{sipcore.RegRegistered, "", regNewsNone, 2, nil},
			{sipcore.RegUnregistered, "", regNewsUnregistered, 6, []string{unregistered, statusUnreg, regUnreg}},
			// unregistered again: no second "unregistered"
			{sipcore.RegUnregistered, "", regNewsNone, 6, nil},
		}},
		{"a repeated Registering is told once", []regStep{
			{sipcore.RegRegistering, "", regNewsRegistering, 4, []string{registering, regProgress}},
			{sipcore.RegRegistering, "", regNewsNone, 4, nil},
		}},
		{"every failure is told, and ends the episode", []regStep{
			{sipcore.RegRegistering, "", regNewsRegistering, 4, []string{registering, regProgress}},
			{sipcore.RegFailed, "403 Forbidden", regNewsFailed, 7, failed("403 Forbidden", "403 Forbidden", "Authentication failed")},
			{sipcore.RegFailed, "timeout", regNewsFailed, 7, failed("timeout", "timeout", "No response from server")},
			{sipcore.RegRegistering, "", regNewsRegistering, 4, []string{registering, regProgress}},
			{sipcore.RegRegistered, "", regNewsRegistered, 2, []string{registered, statusReg, regSuccess}},
			{sipcore.RegFailed, "503 Service Unavailable", regNewsFailed, 7, failed("503 Service Unavailable", "503 Service Unavailable", "Register rejected")},
			// the next success is a new episode: told again
			{sipcore.RegRegistered, "", regNewsRegistered, 2, []string{registered, statusReg, regSuccess}},
		}},
		{"unregistered without an episode is not told", []regStep{
			{sipcore.RegUnregistered, "", regNewsNone, 6, nil},
		}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			rec := &recorder{}
			e := New(Options{Emit: rec.emit, AutoStartDelay: -1})
			defer e.Close()
			require.True(t, e.SetParameter("username", "alice"))
			e.reg.setWanted(true)
			for i, s := range tc.steps {
				rec.reset()
				news, ok := e.reg.apply(0, s.st, s.reason)
				require.True(t, ok)
				assert.Equal(t, s.news, news, "step %d news", i)
				assert.Equal(t, s.code, e.reg.code(), "step %d code", i)
				e.announceReg(0, news, s.reason)
				assert.Equal(t, s.page, pageEvents(t, e, rec), "step %d page", i)
				assert.Equal(t, s.st == sipcore.RegRegistered, e.IsRegistered(), "step %d IsRegistered", i)
			}
		})
	}
}

// TestRegMachineIgnoresOtherUA: an event of a UA that is no longer the
// current one changes nothing and tells the page nothing.
func TestRegMachineIgnoresOtherUA(t *testing.T) {
	rec := &recorder{}
	e := New(Options{Emit: rec.emit, AutoStartDelay: -1})
	defer e.Close()
	e.reg.follow(2)
	_, ok := e.reg.apply(1, sipcore.RegRegistered, "")
	assert.False(t, ok)
	e.onRegState(1, sipcore.RegFailed, "403 Forbidden")
	assert.Empty(t, pageEvents(t, e, rec))
	assert.False(t, e.IsRegistered())
	assert.Equal(t, "", e.GetRegFailReason())
}

// TestRegMachineStopped: Stop ends an episode ("unregistered" is due) and
// wakes the waiters; without an episode nothing is due.
func TestRegMachineStopped(t *testing.T) {
	r := newRegMachine()
	r.setWanted(true)
	_, _ = r.apply(0, sipcore.RegRegistered, "")
	ch := r.view().changed
	assert.True(t, r.stopped())
	select {
	case <-ch:
	default:
		t.Fatal("stopped did not wake the waiters")
	}
	v := r.view()
	assert.Equal(t, sipcore.RegUnregistered, v.state)
	assert.True(t, v.want)
	assert.Equal(t, 6, r.code())
	assert.False(t, r.stopped())
	r.setWanted(false)
	assert.Equal(t, 1, r.code())
}

// TestRegMachineFailReason: the last failure is kept until a success.
func TestRegMachineFailReason(t *testing.T) {
	r := newRegMachine()
	_, _ = r.apply(0, sipcore.RegFailed, "408 Request Timeout")
	assert.Equal(t, "408 Request Timeout", r.failReason())
	_, _ = r.apply(0, sipcore.RegRegistering, "")
	assert.Equal(t, "408 Request Timeout", r.failReason())
	_, _ = r.apply(0, sipcore.RegRegistered, "")
	assert.Equal(t, "", r.failReason())
}

// pageEvents waits until everything queued so far reached the page and
// returns those events, without log lines.
func pageEvents(t *testing.T, e *Engine, rec *recorder) []string {
	t.Helper()
	flushed := make(chan struct{})
	e.after(func() { close(flushed) })
	select {
	case <-flushed:
	case <-time.After(waitLong):
		t.Fatal("the event queue did not drain")
	}
	var out []string
	for _, ev := range rec.all() {
		if s := ev.String(); !strings.HasPrefix(s, "onEvent[log ") {
			out = append(out, s)
		}
	}
	return out
}

package engine

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/opensoftphone/webphone/sipcore"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// offlineEngine is an engine without network, on a manual clock.
func offlineEngine(t *testing.T) (*Engine, *recorder, *fakeClock) {
	t.Helper()
	rec := &recorder{}
	clk := newFakeClock()
	e := New(Options{Emit: rec.emit, Now: clk.Now, AfterFunc: clk.AfterFunc, Storage: NewMapStorage()})
	t.Cleanup(e.Close)
	return e, rec, clk
}

// addLine reserves a line the way Call/onIncoming do, without SIP.
func addLine(e *Engine, dir int, peer, callID string) *line {
	e.lines.mu.Lock()
	defer e.lines.mu.Unlock()
	l := e.lines.allocLocked(dir)
	l.peer, l.callID = peer, callID // nothing reported yet
	return l
}

func TestNewCallsTakeTheFirstFreeLineAndBecomeCurrent(t *testing.T) {
	e, _, _ := offlineEngine(t)
	a := addLine(e, 1, "1111", "c1")
	b := addLine(e, 1, "2222", "c2")
	assert.Equal(t, 1, a.n)
	assert.Equal(t, 2, b.n)
	assert.Equal(t, 2, e.GetLine(), "the newest call is the active line")
	require.True(t, e.Hangup(1))
	c := addLine(e, 2, "3333", "c3")
	assert.Equal(t, 1, c.n, "a freed line is reused")
	assert.Equal(t, 1, e.GetLine())
}

func TestSetLineByNumberCallIDAndPeer(t *testing.T) {
	e, _, _ := offlineEngine(t)
	addLine(e, 1, "1111", "cid-a")
	addLine(e, 1, "2222", "cid-b")
	assert.True(t, e.SetLine("cid-a"))
	assert.Equal(t, 1, e.GetLine())
	assert.True(t, e.SetLine("2222"))
	assert.Equal(t, 2, e.GetLine())
	assert.True(t, e.SetLine("sip:1111@example.com"))
	assert.Equal(t, 1, e.GetLine())
	assert.True(t, e.SetLine("2"))
	assert.Equal(t, 2, e.GetLine())
	assert.False(t, e.SetLine("nobody"))
	assert.False(t, e.SetLine("-3"))
	assert.False(t, e.SetLine(""))
	assert.Equal(t, 2, e.GetLine(), "a failed setline changes nothing")
}

func TestMinusOneAndMinusTwoAreRememberedOnlyBriefly(t *testing.T) {
	e, _, clk := offlineEngine(t)
	addLine(e, 1, "1111", "c1")
	addLine(e, 1, "2222", "c2")
	require.True(t, e.SetLine("-2"))
	assert.Equal(t, -2, e.GetLine())
	clk.Advance(selectorTTL + time.Second)
	assert.Equal(t, 2, e.GetLine(), "afterwards getline reports the best line")
}

func TestHangupMinusTwoEndsAllLinesWithOneCDREach(t *testing.T) {
	e, rec, _ := offlineEngine(t)
	addLine(e, 1, "1111", "c1")
	addLine(e, 2, "2222", "c2")
	addLine(e, 1, "3333", "c3")
	assert.True(t, e.IsInCall())
	assert.True(t, e.Hangup(-2))
	assert.False(t, e.IsInCall())
	e.Close()
	assert.Len(t, rec.find(callState("disconnected")), 3)
	cdrs := rec.find(func(ev event) bool { return ev.cb == "onCdr" })
	require.Len(t, cdrs, 3)
	lines := []any{cdrs[0].args[7], cdrs[1].args[7], cdrs[2].args[7]}
	assert.ElementsMatch(t, []any{1, 2, 3}, lines)
}

func TestSetLineMinusTwoThenHangupEndsAll(t *testing.T) {
	e, _, _ := offlineEngine(t)
	addLine(e, 1, "1111", "c1")
	addLine(e, 1, "2222", "c2")
	require.True(t, e.SetLine("-2"))
	assert.True(t, e.Hangup(-1))
	assert.False(t, e.IsInCall())
}

func TestHangupLineRules(t *testing.T) {
	e, _, _ := offlineEngine(t)
	addLine(e, 1, "1111", "c1")
	addLine(e, 1, "2222", "c2")
	assert.False(t, e.Hangup(5), "an explicit line without a call")
	assert.True(t, e.Hangup(1))
	assert.Equal(t, -1, e.CallIDToLine("c1"))
	assert.Equal(t, 2, e.CallIDToLine("c2"))
	require.True(t, e.SetLine("1"))
	assert.True(t, e.Hangup(-1), "the current line is empty: the call on another line is ended")
	assert.False(t, e.IsInCall())
	assert.False(t, e.Hangup(-1), "nothing left")
}

func TestLineToCallIDAndBack(t *testing.T) {
	e, _, _ := offlineEngine(t)
	addLine(e, 1, "1111", "cid-1")
	assert.Equal(t, "cid-1", e.LineToCallID(1))
	assert.Equal(t, "cid-1", e.LineToCallID(-1))
	assert.Equal(t, "", e.LineToCallID(7))
	assert.Equal(t, 1, e.CallIDToLine("cid-1"))
	assert.Less(t, e.CallIDToLine("nope"), 0)
	assert.Less(t, e.CallIDToLine(""), 0)
}

func TestLocalHangupBeforeSetupStillReportsSetupThenDisconnectedAndCDR(t *testing.T) {
	e, rec, clk := offlineEngine(t)
	l := addLine(e, 1, "1002", "")
	clk.Advance(1500 * time.Millisecond)
	require.True(t, e.Hangup(l.n))
	e.Close()
	var order []string
	for _, ev := range rec.all() {
		if ev.cb == "onCallStateChange" || ev.cb == "onCdr" {
			order = append(order, ev.cb+":"+toStr(ev.args[0]))
		}
	}
	assert.Equal(t, []string{"onCallStateChange:setup", "onCallStateChange:disconnected", "onCdr:"}, order)
	cdr := rec.find(func(ev event) bool { return ev.cb == "onCdr" })[0]
	assert.Equal(t, []any{"", "1002", 1500, 0, 1, "1002", "-1 User Hung Up", 1, "", "1"}, cdr.args)
	assert.Len(t, rec.find(notification("CDR,1,1002,")), 1)
	assert.Len(t, rec.find(notification("STATUS,1,CallDisconnect,1002,")), 1)
	assert.Contains(t, e.GetLastCallDetails(), "Reason: -1 User Hung Up")
}

func toStr(v any) string {
	s, _ := v.(string)
	return s
}

func TestRingTimeoutEndsAnUnansweredCall(t *testing.T) {
	e, rec, clk := offlineEngine(t)
	e.SetParameter("ringtimeout", "30000")
	l := addLine(e, 2, "1002", "c1")
	e.startRingTimer(l)
	clk.Advance(29 * time.Second)
	assert.True(t, e.IsInCall())
	clk.Advance(2 * time.Second)
	assert.False(t, e.IsInCall())
	e.Close()
	cdr := rec.find(func(ev event) bool { return ev.cb == "onCdr" })
	require.Len(t, cdr, 1)
	assert.Equal(t, "-1 ring timeout", cdr[0].args[6])
	assert.Equal(t, "3", cdr[0].args[9], "timeout is disconnect party 3")
}

func TestMuteWithoutMediaIsRememberedPerLine(t *testing.T) {
	e, rec, _ := offlineEngine(t)
	assert.False(t, e.Mute(true, 2), "no call")
	addLine(e, 1, "1111", "c1")
	assert.False(t, e.IsMuted())
	assert.True(t, e.Mute(true, -1))
	assert.True(t, e.IsMuted())
	e.lines.mu.Lock()
	l := e.lines.lines[1]
	assert.True(t, l.muteMic, "defmute defaults to the microphone")
	assert.False(t, l.muteSpk)
	e.lines.mu.Unlock()
	assert.False(t, e.Mute(true, 5), "direction 5 disables mute")
	assert.True(t, e.Mute(false, 0))
	assert.False(t, e.IsMuted())
	e.Close()
	assert.Len(t, rec.find(func(ev event) bool {
		return ev.cb == "onCallStateChange" && ev.args[0] == "muted" && ev.args[4] == 1
	}), 1)
}

func TestOldCallStateNamesWithApibehaviourZero(t *testing.T) {
	e, rec, _ := offlineEngine(t)
	e.SetParameter("apibehaviour", "0")
	addLine(e, 1, "1111", "c1")
	e.Hangup(-1)
	e.Close()
	var names []string
	for _, ev := range rec.find(func(ev event) bool { return ev.cb == "onCallStateChange" }) {
		names = append(names, ev.args[0].(string))
	}
	assert.Equal(t, []string{"callSetup", "setup", "callDisconnected", "disconnected"}, names)
}

func TestCallWithInvalidTargetFailsWithDisplayMessage(t *testing.T) {
	e, rec, _ := offlineEngine(t)
	assert.False(t, e.Call("1002"), "no server: a number cannot be dialled")
	assert.False(t, e.Call(""))
	e.Close()
	assert.NotEmpty(t, rec.find(func(ev event) bool {
		return ev.cb == "onEvent" && ev.args[0] == "display" && ev.args[1] == ",Invalid phone number or SIP URI or username"
	}))
	assert.False(t, e.IsInCall())
}

func TestGettersBeforeStart(t *testing.T) {
	e, _, _ := offlineEngine(t)
	assert.Equal(t, "webrtc", e.GetEngineName())
	assert.Equal(t, "STATUS,-1,Initializing", e.GetStatus())
	assert.Equal(t, -1, e.GetLine())
	assert.False(t, e.IsRegistered())
	assert.False(t, e.IsInCall())
	assert.False(t, e.IsOnHold())
	assert.False(t, e.Hold(true))
	assert.False(t, e.Accept())
	assert.False(t, e.DTMF("1", -1))
	assert.Equal(t, "ERROR: no SIP message received", e.GetSIPHeader("From", true))
	assert.Equal(t, "ERROR: SIP message not found", e.GetSIPMessage(-1, 0, true))
	assert.Equal(t, "", e.GetLastCallDetails())
	assert.False(t, e.Start(), "no server configured")
	assert.False(t, e.Stop())
}

func TestSetSIPHeaderScopes(t *testing.T) {
	e, _, _ := offlineEngine(t)
	assert.True(t, e.SetSIPHeader("X-A: 1; X-B: 2"))
	assert.Equal(t, "X-A=1,X-B=2", hdrString(e.SIPHeaders()))
	assert.True(t, e.SetSIPHeader("X-A: 3"))
	assert.Equal(t, "X-B=2,X-A=3", hdrString(e.SIPHeaders()), "same name replaces")
	assert.True(t, e.SetSIPHeader("X-B:"))
	assert.Equal(t, "X-A=3", hdrString(e.SIPHeaders()), "empty value removes")
	assert.True(t, e.SetSIPHeader("X-V: a;b\r\nX-W: c\r\n"))
	assert.Equal(t, "X-A=3,X-V=a;b,X-W=c", hdrString(e.SIPHeaders()), "CRLF separated values may contain ;")

	l := addLine(e, 1, "1111", "c1")
	assert.True(t, e.SetSIPHeader("X-Line: 1"))
	assert.Equal(t, "X-A=3,X-V=a;b,X-W=c", hdrString(e.SIPHeaders()), "a call on the current line: line scope")
	e.lines.mu.Lock()
	assert.Equal(t, "X-Line=1", hdrString(l.headers))
	e.lines.mu.Unlock()
	e.Hangup(-2)
	assert.True(t, e.SetSIPHeader(""))
	assert.Empty(t, e.SIPHeaders(), "'' clears the global scope")
	assert.False(t, e.SetSIPHeader("garbage"))
}

func TestDelSettingsClearsStoredParameters(t *testing.T) {
	st := NewMapStorage()
	e := New(Options{Storage: st})
	t.Cleanup(e.Close)
	require.True(t, e.SetParameter("username", "x"))
	assert.False(t, e.SetParameter("preferred_storage", "2"), "config-only parameter")
	require.True(t, e.DelSettings(1))
	assert.Equal(t, "", NewParams(st).Get("username"))
	assert.Equal(t, "", e.GetParameter("username"))
	assert.False(t, e.DelSettings(9))
}

func TestInitSchedulesAutostartAfterLoaded(t *testing.T) {
	rec := &recorder{}
	clk := newFakeClock()
	dialed := make(chan string, 4)
	e := New(Options{Emit: rec.emit, Now: clk.Now, AfterFunc: clk.AfterFunc,
		Dialer: func(_ context.Context, addr string, _ sipcore.Receiver) (sipcore.Transport, error) {
			dialed <- addr
			return nil, errors.New("refused")
		}})
	t.Cleanup(e.Close)
	e.Init(map[string]string{"webrtcserveraddress": "ws://127.0.0.1:9/ws"}, "")
	flush(e)
	e.SetParameter("webrtcserveraddress", "ws://127.0.0.2:9/ws") // a "loaded" listener
	assert.Empty(t, dialed, "nothing starts before the delay")
	clk.Advance(100 * time.Millisecond)
	select {
	case addr := <-dialed:
		assert.Equal(t, "ws://127.0.0.2:9/ws", addr, "autostart used the listener's value")
	case <-time.After(waitLong):
		t.Fatal("autostart did not dial")
	}
	assert.False(t, e.AutoStart(), "autostart runs once")
}

func TestLogLinesFollowLoglevel(t *testing.T) {
	e, rec, _ := offlineEngine(t)
	e.logEvent(LogDetail, "detail one")
	e.logError("bad thing")
	e.SetParameter("loglevel", "5")
	e.logEvent(LogTrace, "trace two")
	e.Close()
	var logs []any
	for _, ev := range rec.find(named("onEvent", "log")) {
		logs = append(logs, ev.args[1])
	}
	assert.Equal(t, []any{"ERROR, bad thing", "EVENT, setparameter loglevel=5", "EVENT, trace two"}, logs)
	assert.Contains(t, e.GetLogs(), "EVENT, detail one", "getlogs keeps every level")
}

func TestPanickingEmitDoesNotStopTheEngine(t *testing.T) {
	var got []string
	e := New(Options{Emit: func(cb string, args ...any) {
		if cb == "onCallStateChange" {
			panic("page listener bug")
		}
		got = append(got, cb)
	}})
	addLine(e, 1, "1111", "c1")
	assert.True(t, e.Hangup(-1))
	e.Close()
	assert.Contains(t, got, "onCdr", "later events still arrive")
	assert.Contains(t, e.GetLogs(), "page listener bug")
}

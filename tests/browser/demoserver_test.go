package browser

import (
	"context"
	"strconv"
	"testing"
	"time"

	"github.com/opensoftphone/webphone/demoserver"
)

// startDemo serves a fresh site (www/ + the test page) from the embedded
// demo server on a free 127.0.0.1 port, with the demo accounts 1001..1005
// (password "pass"+user).
func startDemo(t *testing.T) *demoserver.Server {
	t.Helper()
	srv, err := demoserver.New(demoserver.Options{Addr: "127.0.0.1:0", WWWDir: makeSite(t)})
	if err != nil {
		t.Fatal(err)
	}
	if err := srv.Start(context.Background()); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = srv.Close() })
	return srv
}

func demoParams(srv *demoserver.Server, user string) map[string]string {
	return map[string]string{
		"serveraddress":       srv.Domain(),
		"webrtcserveraddress": srv.WSURL(),
		"username":            user,
		"password":            "pass" + user,
		"loglevel":            "5",
	}
}

// Two pages register to the demo server and call each other: ringing,
// accept, each hears the other's tone, hold/unhold, hangup and a CDR on
// each side.
func TestDemoServerCallBetweenTwoPages(t *testing.T) {
	srv := startDemo(t)
	const toneA, toneB = 440.0, 1000.0
	a := openPage(t, "page 1001", srv.HTTPURL(), toneWAV(t, toneA, 48000), demoParams(srv, "1001"))
	b := openPage(t, "page 1002", srv.HTTPURL(), toneWAV(t, toneB, 48000), demoParams(srv, "1002"))
	a.waitRegistered(20 * time.Second)
	b.waitRegistered(20 * time.Second)

	if got := a.api(`call("1002")`); got != "true" {
		t.Fatalf("call(\"1002\") = %s, want true", got)
	}
	in := b.waitEvent("an incoming call (setup or ringing, direction 2)", 20*time.Second, func(e event) bool {
		return e.Cb == "onCallStateChange" && (e.arg(0) == "setup" || e.arg(0) == "ringing") && e.arg(1) == "2"
	})
	if in.arg(2) != "1001" {
		t.Errorf("incoming call peername = %q, want 1001 (%v)", in.arg(2), in)
	}
	out := a.waitCallState("ringing", 1, 10*time.Second)
	if out.arg(2) != "1002" {
		t.Errorf("outgoing ringing peername = %q, want 1002 (%v)", out.arg(2), out)
	}
	if got := b.api(`accept()`); got != "true" {
		t.Fatalf("accept() = %s, want true", got)
	}
	ca := a.waitCallState("connected", 1, 20*time.Second)
	cb := b.waitCallState("connected", 2, 20*time.Second)
	if ca.arg(5) == "" || ca.arg(5) != cb.arg(5) {
		t.Errorf("Call-IDs of the two sides: %q and %q, want the same non-empty one", ca.arg(5), cb.arg(5))
	}
	lineA, lineB := ca.arg(4), cb.arg(4)
	if _, err := strconv.Atoi(lineA); err != nil {
		t.Fatalf("connected event line %q is not a number (%v)", lineA, ca)
	}

	t.Logf("1001 hears: %v", a.waitHears(lineA, toneB, 20*time.Second))
	t.Logf("1002 hears: %v", b.waitHears(lineB, toneA, 20*time.Second))

	// hold on 1001: its offer turns sendonly, 1002 answers recvonly and
	// stops sending, so 1001 no longer hears 1002's tone.
	if got := a.api(`hold(true)`); got != "true" {
		t.Fatalf("hold(true) = %s, want true", got)
	}
	waitTrue(t, a, `webphone_api.isonhold()`, 10*time.Second)
	// isonhold() turns true at once; the re-INVITE completes a bit later.
	waitFor(t, "1001's negotiated SDP to turn sendonly/inactive", 10*time.Second, func() bool {
		d := audioDirection(a.sdp(lineA).Local)
		return d == "sendonly" || d == "inactive"
	})
	waitFor(t, "1002's SDP answer to turn recvonly/inactive", 10*time.Second, func() bool {
		d := audioDirection(b.sdp(lineB).Local)
		return d == "recvonly" || d == "inactive"
	})
	t.Logf("1001 on hold hears: %v", a.waitSilent(lineA, toneB, 10*time.Second))

	if got := a.api(`hold(false)`); got != "true" {
		t.Fatalf("hold(false) = %s, want true", got)
	}
	waitTrue(t, a, `!webphone_api.isonhold()`, 10*time.Second)
	waitFor(t, "1001's and 1002's negotiated SDP to turn sendrecv again", 10*time.Second, func() bool {
		return audioDirection(a.sdp(lineA).Local) == "sendrecv" && audioDirection(b.sdp(lineB).Local) == "sendrecv"
	})
	t.Logf("1001 after unhold hears: %v", a.waitHears(lineA, toneB, 20*time.Second))
	t.Logf("1002 after unhold hears: %v", b.waitHears(lineB, toneA, 20*time.Second))

	if got := a.api(`hangup()`); got != "true" {
		t.Fatalf("hangup() = %s, want true", got)
	}
	a.waitCallState("disconnected", 1, 10*time.Second)
	b.waitCallState("disconnected", 2, 10*time.Second)

	// onCdr(caller, called, connecttime, duration, direction, peerdisplayname, reason, line, callid)
	cdrA := a.waitEvent("onCdr", 10*time.Second, func(e event) bool { return e.Cb == "onCdr" })
	cdrB := b.waitEvent("onCdr", 10*time.Second, func(e event) bool { return e.Cb == "onCdr" })
	checkCDR(t, "1001", cdrA, "1001", "1002", 1, ca.arg(5), true)
	checkCDR(t, "1002", cdrB, "1001", "1002", 2, cb.arg(5), true)
	if n := a.count(isCdr); n != 1 {
		t.Errorf("1001 got %d onCdr, want 1", n)
	}
	if n := b.count(isCdr); n != 1 {
		t.Errorf("1002 got %d onCdr, want 1", n)
	}
}

func isCdr(e event) bool { return e.Cb == "onCdr" }

// checkCDR checks an onCdr(caller, called, connecttime, duration, direction,
// peerdisplayname, reason, line, callid) event.
func checkCDR(t *testing.T, who string, e event, caller, called string, direction int, callID string, connected bool) {
	t.Helper()
	if len(e.Args) < 9 {
		t.Errorf("%s: onCdr has %d arguments, want at least 9: %v", who, len(e.Args), e)
		return
	}
	if e.arg(0) != caller || e.arg(1) != called {
		t.Errorf("%s: onCdr caller/called = %q/%q, want %q/%q (%v)", who, e.arg(0), e.arg(1), caller, called, e)
	}
	if e.arg(4) != strconv.Itoa(direction) {
		t.Errorf("%s: onCdr direction = %q, want %d (%v)", who, e.arg(4), direction, e)
	}
	if callID != "" && e.arg(8) != callID {
		t.Errorf("%s: onCdr callid = %q, want %q (%v)", who, e.arg(8), callID, e)
	}
	if d, err := strconv.Atoi(e.arg(3)); err != nil || (connected && d <= 0) {
		t.Errorf("%s: onCdr duration = %q, want a positive number of ms (%v)", who, e.arg(3), e)
	}
}

// waitTrue waits until a JavaScript expression is true on the page.
func waitTrue(t *testing.T, p *page, expr string, timeout time.Duration) {
	t.Helper()
	waitFor(t, p.name+": "+expr, timeout, func() bool {
		var ok bool
		p.eval(expr, &ok)
		return ok
	})
}

// waitFor polls cond until it holds or fails the test.
func waitFor(t *testing.T, what string, timeout time.Duration, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(timeout)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out after %v waiting for %s", timeout, what)
		}
		time.Sleep(150 * time.Millisecond)
	}
}

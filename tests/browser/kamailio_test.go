package browser

import (
	"fmt"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/opensoftphone/webphone/tests/infra"
)

// baresipStatusRe matches baresip's periodic call status line.
var baresipStatusRe = regexp.MustCompile(`\[\d+:\d\d:\d\d\] audio=\d+/\d+ \(bit/s\)\s*`)

// The Kamailio accounts of these tests.
var kamailioUsers = map[string]string{"alice": "alice-secret", "bob": "bob-secret"}

// kamailioRig is Kamailio with rtpengine, a baresip "bob" on UDP, and the
// test site served over HTTP.
type kamailioRig struct {
	k    *infra.Kamailio
	b    *infra.Baresip
	base string
}

// startKamailioRig starts rtpengine, Kamailio anchoring media in it, and
// baresip registered as bob (sending a 440 Hz tone, recording what it
// receives).
func startKamailioRig(t *testing.T, autoAnswer bool) *kamailioRig {
	t.Helper()
	r := infra.StartRtpengine(t)
	k := infra.StartKamailio(t, infra.KamailioOptions{Users: kamailioUsers, RtpengineNG: r.NGAddr})
	b := infra.StartBaresip(t, infra.BaresipOptions{
		User: "bob", Password: kamailioUsers["bob"], Registrar: k.UDPAddr, AutoAnswer: autoAnswer,
	})
	rig := &kamailioRig{k: k, b: b, base: serveStatic(t, makeSite(t))}
	t.Cleanup(func() {
		if t.Failed() {
			t.Logf("---- baresip log\n%s", tail(baresipStatusRe.ReplaceAllString(b.Log(), ""), 8000))
			t.Logf("---- kamailio log\n%s", tail(k.Log(), 8000))
			t.Logf("---- rtpengine log\n%s", tail(r.Log(), 4000))
		}
	})
	return rig
}

// pageParams are the page's parameters for a Kamailio account.
func (rig *kamailioRig) pageParams(user, password string) map[string]string {
	return map[string]string{
		"serveraddress":       rig.k.Domain,
		"webrtcserveraddress": rig.k.WSURL,
		"username":            user,
		"password":            password,
		"loglevel":            "5",
	}
}

// waitBaresipHears waits until one of baresip's dumps of received audio
// holds freq.
func waitBaresipHears(t *testing.T, b *infra.Baresip, freq float64, timeout time.Duration) {
	t.Helper()
	waitFor(t, "baresip to receive the page's tone", timeout, func() bool {
		for _, f := range b.ReceivedWAVs() {
			if infra.HasTone(f, freq) {
				return true
			}
		}
		return false
	})
}

// waitBaresipDTMF waits until baresip reported receiving digits (in order,
// after what it had received before).
func waitBaresipDTMF(t *testing.T, b *infra.Baresip, before, digits string, timeout time.Duration) {
	t.Helper()
	deadline := time.Now().Add(timeout)
	for {
		got := b.ReceivedDTMF()
		if strings.HasPrefix(got, before) && strings.Contains(got[len(before):], digits) {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("baresip received DTMF %q, want %q after %q", got, digits, before)
		}
		time.Sleep(150 * time.Millisecond)
	}
}

// The page registers to Kamailio over WebSocket and calls baresip (UDP,
// media bridged by rtpengine): audio both ways, DTMF as RFC 4733 and as SIP
// INFO, then baresip hangs up and the page reports it with a CDR.
func TestKamailioPageCallsBaresip(t *testing.T) {
	rig := startKamailioRig(t, true)
	const pageTone, baresipTone = 1000.0, 440.0
	p := openPage(t, "page alice", rig.base, toneWAV(t, pageTone, 48000), rig.pageParams("alice", kamailioUsers["alice"]))
	p.waitRegistered(20 * time.Second)

	if got := p.api(`call("bob")`); got != "true" {
		t.Fatalf(`call("bob") = %s, want true`, got)
	}
	conn := p.waitCallState("connected", 1, 20*time.Second)
	if conn.arg(2) != "bob" {
		t.Errorf("connected peername = %q, want bob (%v)", conn.arg(2), conn)
	}
	if _, err := rig.b.WaitEvent("CALL_ESTABLISHED", 10*time.Second); err != nil {
		t.Fatalf("baresip: %v", err)
	}
	line := conn.arg(4)
	t.Logf("page hears: %v", p.waitHears(line, baresipTone, 20*time.Second))
	waitBaresipHears(t, rig.b, pageTone, 20*time.Second)

	// DTMF: RFC 4733 telephone-events (dtmfmode 4), then SIP INFO (1).
	if got := p.api(`setparameter("dtmfmode", "4")`); got != "true" {
		t.Fatalf("setparameter(dtmfmode, 4) = %s", got)
	}
	if got := p.api(`dtmf("12")`); got != "true" {
		t.Fatalf(`dtmf("12") = %s, want true`, got)
	}
	waitBaresipDTMF(t, rig.b, "", "12", 10*time.Second)
	if n := p.sipInfoCount(); n != 0 {
		t.Errorf("dtmfmode 4 (RFC 4733) sent %d SIP INFO requests, want none", n)
	}
	before := rig.b.ReceivedDTMF()
	if got := p.api(`setparameter("dtmfmode", "1")`); got != "true" {
		t.Fatalf("setparameter(dtmfmode, 1) = %s", got)
	}
	if got := p.api(`dtmf("34")`); got != "true" {
		t.Fatalf(`dtmf("34") = %s, want true`, got)
	}
	waitBaresipDTMF(t, rig.b, before, "34", 10*time.Second)
	if n := p.sipInfoCount(); n < 1 {
		t.Errorf("dtmfmode 1 (SIP INFO) sent no SIP INFO request (engine log)")
	}

	if err := rig.b.Hangup(); err != nil {
		t.Fatalf("baresip hangup: %v", err)
	}
	disc := p.waitCallState("disconnected", 1, 10*time.Second)
	if disc.arg(5) != conn.arg(5) {
		t.Errorf("disconnected Call-ID %q, want %q", disc.arg(5), conn.arg(5))
	}
	cdr := p.waitEvent("onCdr", 10*time.Second, isCdr)
	checkCDR(t, "alice", cdr, "alice", "bob", 1, conn.arg(5), true)
	if got := p.api(`isincall()`); got != "false" {
		t.Errorf("isincall() after the remote hangup = %s, want false", got)
	}
}

// baresip calls the page: the page sees the incoming call, accepts it, audio
// flows both ways, and the page hangs up.
func TestKamailioBaresipCallsPage(t *testing.T) {
	rig := startKamailioRig(t, false)
	const pageTone, baresipTone = 1000.0, 440.0
	p := openPage(t, "page alice", rig.base, toneWAV(t, pageTone, 48000), rig.pageParams("alice", kamailioUsers["alice"]))
	p.waitRegistered(20 * time.Second)

	if err := rig.b.Dial("sip:alice@" + rig.k.UDPAddr); err != nil {
		t.Fatalf("baresip dial: %v", err)
	}
	in := p.waitEvent("an incoming call (setup or ringing, direction 2)", 20*time.Second, func(e event) bool {
		return e.Cb == "onCallStateChange" && (e.arg(0) == "setup" || e.arg(0) == "ringing") && e.arg(1) == "2"
	})
	if in.arg(2) != "bob" {
		t.Errorf("incoming call peername = %q, want bob (%v)", in.arg(2), in)
	}
	if got := p.api(`accept()`); got != "true" {
		t.Fatalf("accept() = %s, want true", got)
	}
	conn := p.waitCallState("connected", 2, 20*time.Second)
	if _, err := rig.b.WaitEvent("CALL_ESTABLISHED", 10*time.Second); err != nil {
		t.Fatalf("baresip: %v", err)
	}
	t.Logf("page hears: %v", p.waitHears(conn.arg(4), baresipTone, 20*time.Second))
	waitBaresipHears(t, rig.b, pageTone, 20*time.Second)

	if got := p.api(`hangup()`); got != "true" {
		t.Fatalf("hangup() = %s, want true", got)
	}
	if _, err := rig.b.WaitEvent("CALL_CLOSED", 10*time.Second); err != nil {
		t.Fatalf("baresip did not see the hangup: %v", err)
	}
	p.waitCallState("disconnected", 2, 10*time.Second)
	cdr := p.waitEvent("onCdr", 10*time.Second, isCdr)
	checkCDR(t, "alice", cdr, "bob", "alice", 2, conn.arg(5), true)
}

// Registration failures end in a clear onRegStateChange("failed", reason):
// a wrong password (Kamailio answers 403), and a WebSocket address nobody
// listens on. Neither page hangs: the API keeps answering.
func TestKamailioRegistrationFailures(t *testing.T) {
	k := infra.StartKamailio(t, infra.KamailioOptions{Users: kamailioUsers})
	base := serveStatic(t, makeSite(t))
	wav := toneWAV(t, 1000, 48000)
	params := func(ws, password string) map[string]string {
		return map[string]string{
			"serveraddress": k.Domain, "webrtcserveraddress": ws,
			"username": "alice", "password": password, "loglevel": "5",
		}
	}
	dead := fmt.Sprintf("ws://127.0.0.1:%d", infra.FreeTCPPort(t)) // nothing listens there
	wrong := openPage(t, "page with a wrong password", base, wav, params(k.WSURL, "not-the-password"))
	unreachable := openPage(t, "page with an unreachable server", base, wav, params(dead, kamailioUsers["alice"]))

	isFailed := func(e event) bool { return e.Cb == "onRegStateChange" && e.arg(0) == "failed" }
	isRegistered := func(e event) bool { return e.Cb == "onRegStateChange" && e.arg(0) == "registered" }
	for _, c := range []struct {
		p      *page
		reason []string // the reason mentions one of these
	}{
		{wrong, []string{"403", "Forbidden"}},
		{unreachable, nil},
	} {
		// onRegStateChange(state, reason)
		f := c.p.waitEvent(`onRegStateChange("failed", reason)`, 30*time.Second, isFailed)
		reason := f.arg(1)
		t.Logf("%s: %v", c.p.name, f)
		if strings.TrimSpace(reason) == "" {
			t.Errorf("%s: onRegStateChange(\"failed\") without a reason: %v", c.p.name, f)
		}
		if c.reason != nil && !strings.Contains(reason, c.reason[0]) && !strings.Contains(reason, c.reason[1]) {
			t.Errorf("%s: failure reason %q does not mention %q or %q", c.p.name, reason, c.reason[0], c.reason[1])
		}
		if n := c.p.count(isRegistered); n != 0 {
			t.Errorf("%s: %d onRegStateChange(\"registered\"), want none", c.p.name, n)
		}
		if got := c.p.api(`isregistered()`); got != "false" {
			t.Errorf("%s: isregistered() = %s, want false", c.p.name, got)
		}
		var status string
		c.p.eval(`webphone_api.getStatus()`, &status)
		if !strings.HasPrefix(status, "STATUS,") {
			t.Errorf("%s: getStatus() = %q, want a STATUS string", c.p.name, status)
		}
	}
}

// sipInfoCount counts the SIP INFO requests in the engine's log (loglevel 5
// logs every SIP message).
func (p *page) sipInfoCount() int {
	p.t.Helper()
	var logs string
	p.eval(`webphone_api.getlogs()`, &logs)
	return strings.Count(logs, "SIP out: INFO sip:")
}

package browser

import (
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/opensoftphone/webphone/tests/infra"
)

// isRegistered matches onRegStateChange("registered").
func isRegistered(e event) bool { return e.Cb == "onRegStateChange" && e.arg(0) == "registered" }

// waitLog waits until the page's getlogs() contains text and returns the
// first log line holding it.
func (p *page) waitLog(text string, timeout time.Duration) string {
	p.t.Helper()
	var found string
	waitFor(p.t, p.name+": log line "+text, timeout, func() bool {
		var logs string
		p.eval(`webphone_api.getlogs()`, &logs)
		for _, l := range strings.Split(logs, "\n") {
			if strings.Contains(l, text) {
				found = l
				return true
			}
		}
		return false
	})
	return found
}

// logEntryRe matches the first line of a getlogs() entry.
var logEntryRe = regexp.MustCompile(`^\d\d:\d\d:\d\d\.\d{3} `)

// lastRegisterBindings counts the bindings (Contact URIs) the registrar
// listed in the last 200 OK to a REGISTER the page received (its SIP trace
// at loglevel 5); -1 when there is none.
func lastRegisterBindings(p *page) int {
	p.t.Helper()
	var logs string
	p.eval(`webphone_api.getlogs()`, &logs)
	n := -1
	var msg []string
	flush := func() {
		text := strings.Join(msg, "\n")
		msg = nil
		if !regexp.MustCompile(`(?mi)^CSeq:\s*\d+\s+REGISTER`).MatchString(text) {
			return
		}
		n = 0
		for _, l := range strings.Split(text, "\n") {
			if strings.HasPrefix(strings.ToLower(l), "contact:") || strings.HasPrefix(strings.ToLower(l), "m:") {
				n += strings.Count(l, "<sip:")
			}
		}
	}
	in := false
	for _, l := range strings.Split(logs, "\n") {
		l = strings.TrimRight(l, "\r")
		if logEntryRe.MatchString(l) {
			if in {
				flush()
			}
			in = strings.Contains(l, "SIP in: SIP/2.0 200 OK")
		}
		if in {
			msg = append(msg, l)
		}
	}
	if in {
		flush()
	}
	return n
}

// waitRelayConnections waits until the relay has forwarded n connections
// in all and carries one now.
func waitRelayConnections(t *testing.T, r *infra.Relay, n int, timeout time.Duration) {
	t.Helper()
	if err := r.WaitFor("the page's connection", timeout, func(accepted, _, active int) bool {
		return accepted >= n && active == 1
	}); err != nil {
		t.Fatal(err)
	}
}

// The page calls baresip through a relay of ours in front of Kamailio's
// WebSocket port; the relay is cut mid-call (the page's WebSocket dies, as
// on a network drop), and turns the page away once more before letting it
// in. The page reconnects and registers again, refreshes the call on the
// new connection so Kamailio routes the dialog to it, the audio goes on both
// ways, and baresip's later BYE reaches the page, which ends the line with
// a CDR.
func TestKamailioCallSurvivesCutConnection(t *testing.T) {
	rig := startKamailioRig(t, true)
	relay := infra.StartRelay(t, rig.k.WSAddr)
	const pageTone, baresipTone = 1000.0, 440.0
	params := rig.pageParams("alice", kamailioUsers["alice"])
	params["webrtcserveraddress"] = relay.URL
	p := openPage(t, "page alice", rig.base, toneWAV(t, pageTone, 48000), params)
	p.waitRegistered(20 * time.Second)

	if got := p.api(`call("bob")`); got != "true" {
		t.Fatalf(`call("bob") = %s, want true`, got)
	}
	conn := p.waitCallState("connected", 1, 20*time.Second)
	if _, err := rig.b.WaitEvent("CALL_ESTABLISHED", 10*time.Second); err != nil {
		t.Fatalf("baresip: %v", err)
	}
	line := conn.arg(4)
	p.waitHears(line, baresipTone, 20*time.Second)
	waitBaresipHears(t, rig.b, pageTone, 20*time.Second)

	// Cut the connection, and turn the first reconnection attempt away.
	relay.Refuse()
	if n := relay.Cut(); n != 1 {
		t.Fatalf("relay carried %d connections, want 1 (the page's)", n)
	}
	if err := relay.WaitFor("a refused reconnection", 20*time.Second, func(_, refused, _ int) bool { return refused >= 1 }); err != nil {
		t.Fatal(err)
	}
	relay.Accept()
	waitRelayConnections(t, relay, 2, 30*time.Second)
	waitFor(t, "the page registered again", 20*time.Second, func() bool { return p.count(isRegistered) >= 2 })
	t.Logf("page: %s", p.waitLog("call refreshed on the new connection", 20*time.Second))
	// Kamailio replaced the binding (same +sip.instance and reg-id) rather
	// than adding one for the new connection beside the dead one.
	if n := lastRegisterBindings(p); n != 1 {
		t.Errorf("the last REGISTER 200 OK lists %d bindings, want 1", n)
	}
	if got := p.api(`isincall()`); got != "true" {
		t.Fatalf("isincall() after the reconnection = %s, want true", got)
	}
	if n := p.count(func(e event) bool { return e.Cb == "onCallStateChange" && e.arg(0) == "disconnected" }); n != 0 {
		t.Fatalf("the call ended across the reconnection: %d disconnected events", n)
	}

	// Audio both ways after the refresh: the page hears baresip now, and
	// baresip's recording holds the page's tone after this moment.
	files := rig.b.ReceivedWAVs()
	if len(files) == 0 {
		t.Fatal("baresip records no received audio")
	}
	rec := files[len(files)-1]
	mark, err := infra.WAVDuration(rec)
	if err != nil {
		t.Fatalf("baresip recording: %v", err)
	}
	t.Logf("page hears after the reconnection: %v", p.waitHears(line, baresipTone, 20*time.Second))
	waitFor(t, "baresip to hear the page after the reconnection", 20*time.Second, func() bool {
		return infra.HasToneSince(rec, pageTone, mark)
	})

	// baresip hangs up: its BYE follows the refreshed target to the new
	// connection.
	if err := rig.b.Hangup(); err != nil {
		t.Fatalf("baresip hangup: %v", err)
	}
	disc := p.waitCallState("disconnected", 1, 15*time.Second)
	if disc.arg(5) != conn.arg(5) {
		t.Errorf("disconnected Call-ID %q, want %q", disc.arg(5), conn.arg(5))
	}
	cdr := p.waitEvent("onCdr", 10*time.Second, isCdr)
	checkCDR(t, "alice", cdr, "alice", "bob", 1, conn.arg(5), true)
	if !strings.HasPrefix(cdr.arg(6), "BYE") {
		t.Errorf("CDR reason %q, want baresip's BYE", cdr.arg(6))
	}
	if got := p.api(`isincall()`); got != "false" {
		t.Errorf("isincall() after baresip's BYE = %s, want false", got)
	}
}

// Kamailio restarts while the page is idle: the page's WebSocket drops,
// Kamailio forgets every registration, and the page connects and registers
// again by itself; baresip can then reach it through Kamailio.
func TestKamailioRestartWhileIdleRegistersAgain(t *testing.T) {
	rig := startKamailioRig(t, false)
	p := openPage(t, "page alice", rig.base, toneWAV(t, 1000, 48000), rig.pageParams("alice", kamailioUsers["alice"]))
	p.waitRegistered(20 * time.Second)

	rig.k.Restart(t)
	waitFor(t, "the page registered again", 45*time.Second, func() bool { return p.count(isRegistered) >= 2 })
	if got := p.api(`isregistered()`); got != "true" {
		t.Fatalf("isregistered() = %s, want true", got)
	}

	// The new Kamailio knows the page: baresip's call reaches it.
	if err := rig.b.Dial("sip:alice@" + rig.k.UDPAddr); err != nil {
		t.Fatalf("baresip dial: %v", err)
	}
	p.waitEvent("an incoming call after the restart", 20*time.Second, func(e event) bool {
		return e.Cb == "onCallStateChange" && (e.arg(0) == "setup" || e.arg(0) == "ringing") && e.arg(1) == "2"
	})
	if got := p.api(`reject()`); got != "true" {
		t.Fatalf("reject() = %s, want true", got)
	}
	if _, err := rig.b.WaitEvent("CALL_CLOSED", 10*time.Second); err != nil {
		t.Fatalf("baresip did not see the reject: %v", err)
	}
}

// A page that does not register (register=0) gets its dropped connection
// back too, and can place a call over it.
func TestKamailioUnregisteredPageReconnects(t *testing.T) {
	rig := startKamailioRig(t, true)
	relay := infra.StartRelay(t, rig.k.WSAddr)
	params := rig.pageParams("alice", kamailioUsers["alice"])
	params["webrtcserveraddress"] = relay.URL
	params["register"] = "0"
	p := openPage(t, "page alice (register=0)", rig.base, toneWAV(t, 1000, 48000), params)
	waitRelayConnections(t, relay, 1, 20*time.Second)
	p.waitEvent("Ready.", 20*time.Second, func(e event) bool {
		return e.Cb == "onEvent" && e.arg(0) == "event" && e.arg(1) == "STATUS,-1,Ready."
	})

	if n := relay.Cut(); n != 1 {
		t.Fatalf("relay carried %d connections, want 1 (the page's)", n)
	}
	waitRelayConnections(t, relay, 2, 30*time.Second)
	p.waitLog("reconnected", 20*time.Second)
	if n := p.count(isRegistered); n != 0 {
		t.Errorf("register=0 page registered %d times", n)
	}

	if got := p.api(`call("bob")`); got != "true" {
		t.Fatalf(`call("bob") = %s, want true`, got)
	}
	conn := p.waitCallState("connected", 1, 20*time.Second)
	if _, err := rig.b.WaitEvent("CALL_ESTABLISHED", 10*time.Second); err != nil {
		t.Fatalf("baresip: %v", err)
	}
	if got := p.api(`hangup()`); got != "true" {
		t.Fatalf("hangup() = %s, want true", got)
	}
	if _, err := rig.b.WaitEvent("CALL_CLOSED", 10*time.Second); err != nil {
		t.Fatalf("baresip did not see the hangup: %v", err)
	}
	cdr := p.waitEvent("onCdr", 10*time.Second, isCdr)
	checkCDR(t, "alice", cdr, "alice", "bob", 1, conn.arg(5), true)
}

// The same for a call baresip placed to the page: the page, the callee,
// refreshes the dialog on its new connection, so baresip's BYE reaches it.
func TestKamailioIncomingCallSurvivesCutConnection(t *testing.T) {
	rig := startKamailioRig(t, false)
	relay := infra.StartRelay(t, rig.k.WSAddr)
	params := rig.pageParams("alice", kamailioUsers["alice"])
	params["webrtcserveraddress"] = relay.URL
	p := openPage(t, "page alice", rig.base, toneWAV(t, 1000, 48000), params)
	p.waitRegistered(20 * time.Second)

	if err := rig.b.Dial("sip:alice@" + rig.k.UDPAddr); err != nil {
		t.Fatalf("baresip dial: %v", err)
	}
	p.waitEvent("an incoming call", 20*time.Second, func(e event) bool {
		return e.Cb == "onCallStateChange" && (e.arg(0) == "setup" || e.arg(0) == "ringing") && e.arg(1) == "2"
	})
	if got := p.api(`accept()`); got != "true" {
		t.Fatalf("accept() = %s, want true", got)
	}
	conn := p.waitCallState("connected", 2, 20*time.Second)
	if _, err := rig.b.WaitEvent("CALL_ESTABLISHED", 10*time.Second); err != nil {
		t.Fatalf("baresip: %v", err)
	}
	p.waitHears(conn.arg(4), 440, 20*time.Second)

	if n := relay.Cut(); n != 1 {
		t.Fatalf("relay carried %d connections, want 1 (the page's)", n)
	}
	waitRelayConnections(t, relay, 2, 30*time.Second)
	t.Logf("page: %s", p.waitLog("call refreshed on the new connection", 30*time.Second))
	t.Logf("page hears after the reconnection: %v", p.waitHears(conn.arg(4), 440, 20*time.Second))

	if err := rig.b.Hangup(); err != nil {
		t.Fatalf("baresip hangup: %v", err)
	}
	p.waitCallState("disconnected", 2, 15*time.Second)
	cdr := p.waitEvent("onCdr", 10*time.Second, isCdr)
	checkCDR(t, "alice", cdr, "bob", "alice", 2, conn.arg(5), true)
	if !strings.HasPrefix(cdr.arg(6), "BYE") {
		t.Errorf("CDR reason %q, want baresip's BYE", cdr.arg(6))
	}
}

var iceUfragRe = regexp.MustCompile(`(?m)^a=ice-ufrag:(\S+)\r?$`)

func iceUfrag(sdp string) string {
	if m := iceUfragRe.FindStringSubmatch(sdp); m != nil {
		return m[1]
	}
	return ""
}

// When the media path broke too (a change of network: ICE disconnected),
// the refresh after the reconnection is a re-INVITE with an ICE restart:
// rtpengine answers with new ICE credentials, the media connects again and
// the audio goes on both ways. The test declares the page's ICE broken (it
// cannot take the loopback network away from one browser); everything
// after that is the real path.
func TestKamailioCallRestartsICEAfterCutConnection(t *testing.T) {
	rig := startKamailioRig(t, true)
	relay := infra.StartRelay(t, rig.k.WSAddr)
	const pageTone, baresipTone = 1000.0, 440.0
	params := rig.pageParams("alice", kamailioUsers["alice"])
	params["webrtcserveraddress"] = relay.URL
	p := openPage(t, "page alice", rig.base, toneWAV(t, pageTone, 48000), params)
	p.waitRegistered(20 * time.Second)
	if got := p.api(`call("bob")`); got != "true" {
		t.Fatalf(`call("bob") = %s, want true`, got)
	}
	conn := p.waitCallState("connected", 1, 20*time.Second)
	if _, err := rig.b.WaitEvent("CALL_ESTABLISHED", 10*time.Second); err != nil {
		t.Fatalf("baresip: %v", err)
	}
	line := conn.arg(4)
	p.waitHears(line, baresipTone, 20*time.Second)
	before := p.sdp(line)
	if iceUfrag(before.Local) == "" || iceUfrag(before.Remote) == "" {
		t.Fatalf("no ICE credentials in the SDP:\n%s\n----\n%s", before.Local, before.Remote)
	}

	var ok bool
	p.eval(`(function () { var pc = webphone_api.getrtcpeerconnection(`+line+`); if (!pc) return false;
		Object.defineProperty(pc, 'iceConnectionState', { get: function () { return 'disconnected'; }, configurable: true });
		return true; })()`, &ok)
	if !ok {
		t.Fatal("no RTCPeerConnection for the line")
	}
	if n := relay.Cut(); n != 1 {
		t.Fatalf("relay carried %d connections, want 1", n)
	}
	waitRelayConnections(t, relay, 2, 30*time.Second)
	t.Logf("page: %s", p.waitLog("call refreshed on the new connection", 30*time.Second))
	p.eval(`(function () { delete webphone_api.getrtcpeerconnection(`+line+`).iceConnectionState; return true; })()`, &ok)
	if l := p.waitLog("call refreshed on the new connection", time.Second); !strings.Contains(l, "ICE restart") {
		t.Fatalf("the refresh was not an ICE restart: %s", l)
	}
	after := p.sdp(line)
	if iceUfrag(after.Local) == iceUfrag(before.Local) {
		t.Errorf("the page kept its ICE ufrag %q", iceUfrag(after.Local))
	}
	if iceUfrag(after.Remote) == iceUfrag(before.Remote) {
		t.Errorf("rtpengine kept its ICE ufrag %q", iceUfrag(after.Remote))
	}
	waitTrue(t, p, `(function () { var s = webphone_api.getrtcpeerconnection(`+line+`).iceConnectionState;
		return s === 'connected' || s === 'completed'; })()`, 20*time.Second)

	files := rig.b.ReceivedWAVs()
	if len(files) == 0 {
		t.Fatal("baresip records no received audio")
	}
	rec := files[len(files)-1]
	mark, err := infra.WAVDuration(rec)
	if err != nil {
		t.Fatalf("baresip recording: %v", err)
	}
	t.Logf("page hears after the ICE restart: %v", p.waitHears(line, baresipTone, 20*time.Second))
	waitFor(t, "baresip to hear the page after the ICE restart", 20*time.Second, func() bool {
		return infra.HasToneSince(rec, pageTone, mark)
	})

	if got := p.api(`hangup()`); got != "true" {
		t.Fatalf("hangup() = %s, want true", got)
	}
	if _, err := rig.b.WaitEvent("CALL_CLOSED", 10*time.Second); err != nil {
		t.Fatalf("baresip did not see the hangup: %v", err)
	}
}

// Kamailio restarts in the middle of a call: the dialog state lives in the
// endpoints and the Record-Route headers, not in Kamailio, so once the page
// is back on the new Kamailio and has refreshed the call, baresip's BYE
// reaches it.
func TestKamailioRestartMidCallKeepsTheCall(t *testing.T) {
	rig := startKamailioRig(t, true)
	p := openPage(t, "page alice", rig.base, toneWAV(t, 1000, 48000), rig.pageParams("alice", kamailioUsers["alice"]))
	p.waitRegistered(20 * time.Second)
	if got := p.api(`call("bob")`); got != "true" {
		t.Fatalf(`call("bob") = %s, want true`, got)
	}
	conn := p.waitCallState("connected", 1, 20*time.Second)
	if _, err := rig.b.WaitEvent("CALL_ESTABLISHED", 10*time.Second); err != nil {
		t.Fatalf("baresip: %v", err)
	}
	p.waitHears(conn.arg(4), 440, 20*time.Second)

	rig.k.Restart(t)
	waitFor(t, "the page registered again", 45*time.Second, func() bool { return p.count(isRegistered) >= 2 })
	t.Logf("page: %s", p.waitLog("call refreshed on the new connection", 30*time.Second))
	p.waitHears(conn.arg(4), 440, 20*time.Second)

	if err := rig.b.Hangup(); err != nil {
		t.Fatalf("baresip hangup: %v", err)
	}
	p.waitCallState("disconnected", 1, 15*time.Second)
	cdr := p.waitEvent("onCdr", 10*time.Second, isCdr)
	checkCDR(t, "alice", cdr, "alice", "bob", 1, conn.arg(5), true)
	if !strings.HasPrefix(cdr.arg(6), "BYE") {
		t.Errorf("CDR reason %q, want baresip's BYE", cdr.arg(6))
	}
}

package browser

import (
	"strings"
	"testing"
	"time"

	"github.com/opensoftphone/webphone/tests/infra"
)

// isExtraRegister matches the REGISTER notification of the extra account
// user with state (1 registered, 2 failed): main=false.
func isExtraRegister(user, state string) func(e event) bool {
	return func(e event) bool {
		if e.Cb != "onEvent" || e.arg(0) != "event" {
			return false
		}
		f := strings.Split(e.arg(1), ",")
		return len(f) >= 7 && f[0] == "REGISTER" && f[2] == state && f[4] == "false" && f[6] == user
	}
}

// The page registers alice and, with registerex, carol, both through a
// relay in front of Kamailio's WebSocket port. The relay cuts both
// connections: the page reports carol's registration failed (REGISTER
// notification, main=false), reconnects both accounts and registers them
// again, and a call from baresip to carol reaches the page.
func TestKamailioRegisterExAccountReconnectsAfterCut(t *testing.T) {
	r := infra.StartRtpengine(t)
	k := infra.StartKamailio(t, infra.KamailioOptions{Users: transferUsers, RtpengineNG: r.NGAddr})
	bob := infra.StartBaresip(t, infra.BaresipOptions{User: "bob", Password: transferUsers["bob"], Registrar: k.UDPAddr})
	relay := infra.StartRelay(t, k.WSAddr)
	p := openPage(t, "page alice", serveStatic(t, makeSite(t)), toneWAV(t, pageTone, 48000), map[string]string{
		"serveraddress": k.Domain, "webrtcserveraddress": relay.URL,
		"username": "alice", "password": transferUsers["alice"], "loglevel": "5",
	})
	t.Cleanup(func() {
		if t.Failed() {
			t.Logf("---- kamailio log\n%s", tail(k.Log(), 6000))
		}
	})
	p.waitRegistered(20 * time.Second)
	if got := p.api(`registerex("` + k.Domain + `,carol,` + transferUsers["carol"] + `")`); got != "true" {
		t.Fatalf("registerex(...) = %s, want true", got)
	}
	p.waitEvent("carol registered", 20*time.Second, isExtraRegister("carol", "1"))
	if err := relay.WaitFor("both accounts' connections", 10*time.Second, func(_, _, active int) bool { return active == 2 }); err != nil {
		t.Fatal(err)
	}

	if n := relay.Cut(); n != 2 {
		t.Fatalf("relay carried %d connections, want 2 (alice's and carol's)", n)
	}
	p.waitEvent("carol's registration failed", 20*time.Second, isExtraRegister("carol", "2"))
	waitFor(t, "carol registered again", 40*time.Second, func() bool {
		return p.count(isExtraRegister("carol", "1")) >= 2
	})
	waitFor(t, "alice registered again", 20*time.Second, func() bool { return p.count(isRegistered) >= 2 })
	if n := p.count(func(e event) bool {
		return e.Cb == "onRegStateChange" && e.arg(0) == "failed" && strings.Contains(e.arg(1), "carol")
	}); n != 0 {
		t.Errorf("carol's state reached onRegStateChange (%d events), which is alice's", n)
	}

	// Kamailio routes carol's calls to the new connection.
	if err := bob.Dial("sip:carol@" + k.UDPAddr); err != nil {
		t.Fatalf("baresip dial: %v", err)
	}
	in := p.waitEvent("the call to carol", 20*time.Second, func(e event) bool {
		return e.Cb == "onCallStateChange" && (e.arg(0) == "setup" || e.arg(0) == "ringing") && e.arg(1) == "2"
	})
	if in.arg(2) != "bob" {
		t.Errorf("incoming call from %q, want bob", in.arg(2))
	}
	if got := p.api(`reject()`); got != "true" {
		t.Fatalf("reject() = %s, want true", got)
	}
	if _, err := bob.WaitEvent("CALL_CLOSED", 10*time.Second); err != nil {
		t.Fatalf("baresip did not see the reject: %v", err)
	}
}

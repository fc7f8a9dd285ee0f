package browser

import (
	"strings"
	"testing"
	"time"

	"github.com/emiago/sipgo/sip"
	"github.com/opensoftphone/webphone/sipcore"
)

// The same page input through Kamailio: a display name with a line break
// from the page's parameters never reaches Kamailio, and a display name
// full of quotes and angle brackets is sent escaped, so Kamailio parses the
// REGISTER (the page registers) and routes the INVITE to baresip (the call
// connects). Every frame Kamailio received is checked.
func TestKamailioInjectedDisplayNameNeverReachesTheServer(t *testing.T) {
	rig := startKamailioRig(t, true)
	tap := startWSTap(t, rig.k.WSURL)
	const wait = 20 * time.Second
	params := rig.pageParams("alice", kamailioUsers["alice"])
	params["webrtcserveraddress"] = tap.URL()
	params["displayname"] = "a\r\nX-Injected: yes"
	p := openPage(t, "page alice", rig.base, toneWAV(t, 1000, 48000), params)
	p.waitRegistered(wait)
	p.waitEvent("the reason for the refused display name", wait, func(e event) bool {
		return e.Cb == "onEvent" && e.arg(0) == "display" &&
			strings.Contains(e.arg(1), "ERROR, parameter: displayname: contains a line break")
	})

	const quoted = `x"><y \ "z", <sip:evil@example.com>`
	if got := p.api(`setparameter('displayname', ` + jsString(quoted) + `)`); got != "true" {
		t.Fatalf("setparameter(%q) = %s, want true", quoted, got)
	}
	if got := p.api(`stop()`); got != "true" {
		t.Fatalf("stop() = %s", got)
	}
	waitTrue(t, p, `!webphone_api.isregistered()`, wait)
	before := len(tap.requests("REGISTER"))
	if got := p.api(`start()`); got != "true" {
		t.Fatalf("start() = %s", got)
	}
	waitTrue(t, p, `webphone_api.isregistered()`, wait)
	waitFor(t, "a REGISTER with the new display name", wait, func() bool { return len(tap.requests("REGISTER")) > before })

	if got := p.api(`call("bob")`); got != "true" {
		t.Fatalf(`call("bob") = %s, want true`, got)
	}
	p.waitCallState("connected", 1, wait)
	invites := tap.requests("INVITE")
	if len(invites) == 0 {
		t.Fatal("Kamailio received no INVITE")
	}
	msg, err := sip.ParseMessage([]byte(invites[len(invites)-1]))
	if err != nil {
		t.Fatalf("the INVITE does not parse: %v", err)
	}
	req := msg.(*sip.Request)
	if got := sipcore.UnescapeDisplayName(req.From().DisplayName); got != quoted {
		t.Errorf("From display name %q, want %q", got, quoted)
	}
	if got := req.From().Address.User; got != "alice" {
		t.Errorf("From user %q, want alice (the name did not rewrite the URI)", got)
	}
	if got := req.Recipient.User; got != "bob" {
		t.Errorf("Request-URI user %q, want bob", got)
	}
	if got := p.api(`hangup()`); got != "true" {
		t.Errorf("hangup() = %s", got)
	}
	tap.checkClean(t)
}

package browser

import (
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/opensoftphone/webphone/tests/infra"
)

// The tones of the transfer tests: each party sends its own, so a recording
// tells whom a party heard.
const pageTone, bobTone, carolTone = 1000.0, 440.0, 660.0

// transferUsers are the Kamailio accounts of the transfer tests.
var transferUsers = map[string]string{"alice": "alice-secret", "bob": "bob-secret", "carol": "carol-secret"}

// transferRig is Kamailio with rtpengine, two baresips answering by
// themselves (bob sending 440 Hz, carol 660 Hz) and the page site.
type transferRig struct {
	k          *infra.Kamailio
	bob, carol *infra.Baresip
	base       string
}

func startTransferRig(t *testing.T) *transferRig {
	t.Helper()
	r := infra.StartRtpengine(t)
	k := infra.StartKamailio(t, infra.KamailioOptions{Users: transferUsers, RtpengineNG: r.NGAddr})
	carolWAV := filepath.Join(t.TempDir(), "carol.wav")
	if err := infra.WriteToneWAV(carolWAV, carolTone, 90, 8000); err != nil {
		t.Fatal(err)
	}
	rig := &transferRig{k: k, base: serveStatic(t, makeSite(t))}
	rig.bob = infra.StartBaresip(t, infra.BaresipOptions{User: "bob", Password: transferUsers["bob"],
		Registrar: k.UDPAddr, AutoAnswer: true})
	rig.carol = infra.StartBaresip(t, infra.BaresipOptions{User: "carol", Password: transferUsers["carol"],
		Registrar: k.UDPAddr, AutoAnswer: true, AudioWAV: carolWAV})
	t.Cleanup(func() {
		if t.Failed() {
			t.Logf("---- baresip bob log\n%s", tail(baresipStatusRe.ReplaceAllString(rig.bob.Log(), ""), 8000))
			t.Logf("---- baresip carol log\n%s", tail(baresipStatusRe.ReplaceAllString(rig.carol.Log(), ""), 6000))
			t.Logf("---- kamailio log\n%s", tail(k.Log(), 6000))
		}
	})
	return rig
}

// openAlice opens the page registered as alice, sending pageTone.
func (rig *transferRig) openAlice(t *testing.T) *page {
	t.Helper()
	p := openPage(t, "page alice", rig.base, toneWAV(t, pageTone, 48000), map[string]string{
		"serveraddress": rig.k.Domain, "webrtcserveraddress": rig.k.WSURL,
		"username": "alice", "password": transferUsers["alice"], "loglevel": "5",
	})
	p.waitRegistered(20 * time.Second)
	return p
}

// callBaresip makes the page call user (a baresip answering by itself) and
// waits until the page hears tone on the new line; it returns the line.
func callBaresip(t *testing.T, p *page, b *infra.Baresip, user string, line int, tone float64) string {
	t.Helper()
	if got := p.api(`call("` + user + `")`); got != "true" {
		t.Fatalf(`call(%q) = %s, want true`, user, got)
	}
	conn := p.waitEvent("line "+strconv.Itoa(line)+" connected", 20*time.Second, func(e event) bool {
		return e.Cb == "onCallStateChange" && e.arg(0) == "connected" && e.arg(4) == strconv.Itoa(line)
	})
	if _, err := b.WaitEvent("CALL_ESTABLISHED", 10*time.Second); err != nil {
		t.Fatalf("baresip %s: %v", user, err)
	}
	p.waitHears(conn.arg(4), tone, 20*time.Second)
	return conn.arg(4)
}

// cdrOfLine waits for the page's CDR of a line and returns its reason.
func cdrOfLine(t *testing.T, p *page, line string) string {
	t.Helper()
	ev := p.waitEvent("CDR of line "+line, 20*time.Second, func(e event) bool {
		return e.Cb == "onCdr" && e.arg(7) == line
	})
	return ev.arg(6)
}

// Blind transfer (the default transfertype): the page talks to bob, then
// transfer(carol): bob follows the REFER and calls carol, the page ends
// its call on the NOTIFY's 200 ("transfer done"), and bob and carol hear
// each other.
func TestKamailioBlindTransferBaresipToBaresip(t *testing.T) {
	rig := startTransferRig(t)
	p := rig.openAlice(t)
	line := callBaresip(t, p, rig.bob, "bob", 1, bobTone)
	waitBaresipHears(t, rig.bob, pageTone, 20*time.Second)

	// bob has no outbound proxy: the target names Kamailio's port, or
	// baresip would send the INVITE to port 5060 of the bare domain
	carol := "sip:carol@" + rig.k.UDPAddr
	if got := p.api(`transfer("` + carol + `")`); got != "true" {
		t.Fatalf(`transfer(%q) = %s, want true`, carol, got)
	}
	if reason := cdrOfLine(t, p, line); !strings.Contains(reason, "transfer done") {
		t.Errorf("the transferred line ended with %q, want ... transfer done", reason)
	}
	p.waitEvent("Call transfer completed", 5*time.Second, func(e event) bool {
		return e.Cb == "onEvent" && strings.HasPrefix(e.arg(1), "STATUS,1,Call transfer completed")
	})
	if _, err := rig.carol.WaitEvent("CALL_ESTABLISHED", 10*time.Second); err != nil {
		t.Fatalf("carol: %v", err)
	}
	waitBaresipHears(t, rig.carol, bobTone, 20*time.Second)
	waitBaresipHears(t, rig.bob, carolTone, 20*time.Second)
	if got := p.api(`isincall()`); got != "false" {
		t.Errorf("isincall() after the transfer = %s, want false", got)
	}
}

// Being transferred: bob sends the page a REFER to carol; the page places
// the new call, reports its progress by NOTIFY, and hears carol (and carol
// the page); the call with bob ends.
func TestKamailioPageFollowsRefer(t *testing.T) {
	rig := startTransferRig(t)
	p := rig.openAlice(t)
	callBaresip(t, p, rig.bob, "bob", 1, bobTone)

	if _, err := rig.bob.Command("transfer", "sip:carol@"+rig.k.UDPAddr); err != nil {
		t.Fatalf("baresip transfer: %v", err)
	}
	conn := p.waitEvent("the referred call (line 2) connected", 20*time.Second, func(e event) bool {
		return e.Cb == "onCallStateChange" && e.arg(0) == "connected" && e.arg(4) == "2"
	})
	if conn.arg(2) != "carol" {
		t.Errorf("the new call's peer is %q, want carol", conn.arg(2))
	}
	if _, err := rig.carol.WaitEvent("CALL_ESTABLISHED", 10*time.Second); err != nil {
		t.Fatalf("carol: %v", err)
	}
	t.Logf("page hears: %v", p.waitHears("2", carolTone, 20*time.Second))
	waitBaresipHears(t, rig.carol, pageTone, 20*time.Second)
	// bob learns of the success from the page's NOTIFY (sipfrag 200) and
	// closes its call as transferred
	closed, err := rig.bob.WaitEvent("CALL_CLOSED", 10*time.Second)
	if err != nil {
		t.Fatalf("bob: %v", err)
	}
	if !strings.Contains(strings.ToLower(closed.Param), "transfer") {
		t.Errorf("bob closed the call with %q, want its \"Call transfered\" (the 200 sipfrag)", closed.Param)
	}
	t.Logf("the old call ended: %s", cdrOfLine(t, p, "1"))
}

// A transfer to nobody fails (Kamailio answers bob's INVITE 404; bob's
// NOTIFY says so): the page takes the call off hold and keeps it, and it
// hears bob again.
func TestKamailioFailedTransferReverts(t *testing.T) {
	rig := startTransferRig(t)
	p := rig.openAlice(t)
	line := callBaresip(t, p, rig.bob, "bob", 1, bobTone)

	nobody := "sip:nobody@" + rig.k.UDPAddr
	if got := p.api(`transfer("` + nobody + `")`); got != "true" {
		t.Fatalf(`transfer(%q) = %s, want true`, nobody, got)
	}
	p.waitEvent("Call transfer failed", 20*time.Second, func(e event) bool {
		return e.Cb == "onEvent" && strings.HasPrefix(e.arg(1), "STATUS,1,Call transfer failed")
	})
	waitFor(t, "the line off hold", 10*time.Second, func() bool { return p.api(`isonhold()`) == "false" })
	p.waitHears(line, bobTone, 20*time.Second)
	if n := p.count(func(e event) bool { return e.Cb == "onCallStateChange" && e.arg(0) == "disconnected" }); n != 0 {
		t.Errorf("%d disconnected events after a failed transfer, want none", n)
	}
	if got := p.api(`isincall()`); got != "true" {
		t.Errorf("isincall() = %s, want true", got)
	}
}

// Attended transfer with two lines: the page talks to bob and to carol,
// then transfer("") tells carol (current line) to call bob with Replaces of
// the page's dialog with bob. baresip 1.0 ignores Replaces (it has no
// support for it), so bob takes the call as a second one; bob and carol
// hear each other and the page ends both of its lines.
func TestKamailioAttendedTransferTwoLines(t *testing.T) {
	rig := startTransferRig(t)
	p := rig.openAlice(t)
	// the Refer-To is bob's URI as dialled: with Kamailio's port, since
	// carol (baresip) has no outbound proxy
	callBaresip(t, p, rig.bob, "sip:bob@"+rig.k.UDPAddr, 1, bobTone)
	callBaresip(t, p, rig.carol, "carol", 2, carolTone)

	if got := p.api(`transfer("")`); got != "true" {
		t.Fatalf(`transfer("") = %s, want true`, got)
	}
	for _, l := range []string{"1", "2"} {
		if reason := cdrOfLine(t, p, l); !strings.Contains(reason, "transfer done") && !strings.Contains(reason, "bye received") {
			t.Errorf("line %s ended with %q, want transfer done", l, reason)
		}
	}
	waitBaresipHears(t, rig.bob, carolTone, 20*time.Second)
	waitBaresipHears(t, rig.carol, bobTone, 20*time.Second)
}

// openUserPage opens a page registered at k as user, sending tone.
func openUserPage(t *testing.T, k *infra.Kamailio, base, user string, tone float64, extra map[string]string) *page {
	t.Helper()
	params := map[string]string{
		"serveraddress": k.Domain, "webrtcserveraddress": k.WSURL,
		"username": user, "password": transferUsers[user], "loglevel": "5",
	}
	for k, v := range extra {
		params[k] = v
	}
	p := openPage(t, "page "+user, base, toneWAV(t, tone, 48000), params)
	p.waitRegistered(20 * time.Second)
	return p
}

// lineConnected waits for onCallStateChange("connected") of a line.
func lineConnected(p *page, line string) event {
	return p.waitEvent("line "+line+" connected", 20*time.Second, func(e event) bool {
		return e.Cb == "onCallStateChange" && e.arg(0) == "connected" && e.arg(4) == line
	})
}

// Attended transfer between three pages (transfertype 5): alice talks to
// bob, transfer("carol") holds bob and calls carol; alice's hangup() of that
// consultation call sends bob a REFER with Replaces of alice's dialog with
// carol, bob calls carol with that Replaces header, and carol's page swaps
// its call with alice for bob's without ringing. bob and carol hear each
// other; alice has no call left.
func TestKamailioAttendedTransferBetweenPages(t *testing.T) {
	r := infra.StartRtpengine(t)
	k := infra.StartKamailio(t, infra.KamailioOptions{Users: transferUsers, RtpengineNG: r.NGAddr})
	base := serveStatic(t, makeSite(t))
	auto := map[string]string{"autoaccept": "true"}
	bob := openUserPage(t, k, base, "bob", bobTone, auto)
	carol := openUserPage(t, k, base, "carol", carolTone, auto)
	alice := openUserPage(t, k, base, "alice", pageTone, map[string]string{"transfertype": "5"})

	if got := alice.api(`call("bob")`); got != "true" {
		t.Fatalf(`call("bob") = %s`, got)
	}
	lineConnected(alice, "1")
	alice.waitHears("1", bobTone, 20*time.Second)

	if got := alice.api(`transfer("carol")`); got != "true" {
		t.Fatalf(`transfer("carol") = %s, want true`, got)
	}
	lineConnected(alice, "2")
	if got := alice.api(`isonhold()`); got != "false" { // the current line is the consultation call
		t.Errorf("isonhold() of the consultation line = %s", got)
	}
	alice.waitHears("2", carolTone, 20*time.Second)

	if got := alice.api(`hangup()`); got != "true" {
		t.Fatalf("hangup() = %s", got)
	}
	lineConnected(bob, "2")
	lineConnected(carol, "2")
	t.Logf("bob hears: %v", bob.waitHears("2", carolTone, 20*time.Second))
	t.Logf("carol hears: %v", carol.waitHears("2", bobTone, 20*time.Second))
	if n := carol.count(func(e event) bool { return e.Cb == "onCallStateChange" && e.arg(0) == "ringing" && e.arg(4) == "2" }); n != 0 {
		t.Errorf("carol's replacing call rang (%d ringing events)", n)
	}
	if reason := cdrOfLine(t, carol, "1"); !strings.Contains(reason, "transfer done") {
		t.Errorf("carol's replaced call ended with %q, want transfer done", reason)
	}
	for _, l := range []string{"1", "2"} {
		t.Logf("alice line %s ended: %s", l, cdrOfLine(t, alice, l))
	}
	if got := alice.api(`isincall()`); got != "false" {
		t.Errorf("alice isincall() = %s, want false", got)
	}
	var invite string
	bob.eval(`webphone_api.getlastsentinvite()`, &invite)
	if !strings.Contains(invite, "Replaces: ") {
		t.Errorf("bob's INVITE to carol has no Replaces header:\n%s", invite)
	}
}

package sipp

import (
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/opensoftphone/webphone/tests/infra"
)

// The far end answers 422 with Min-SE 3600: the phone asks again with 3600
// s (sipp checks the headers) and the call connects.
func TestSipp422ThenSuccess(t *testing.T) {
	s := scenario(t, "uas_422_then_200.xml")
	p := newPhone(t, s, nil)
	if !p.e.Call("2000") {
		t.Fatal("call refused")
	}
	p.waitEvent(t, "onCallStateChange|connected|")
	p.e.Hangup(-1)
	p.waitEvent(t, "onCdr|", "BYE User Hung Up")
	finish(t, s)
}

// A hold the far end refuses (488) leaves the call not held and its offer
// withdrawn from the media; a hold that meets 491 glare is retried after the
// RFC 3261 back-off and succeeds.
func TestSippFailedHoldThenGlareRetried(t *testing.T) {
	s := scenario(t, "uas_488_491_hold.xml")
	p := newPhone(t, s, nil)
	if !p.e.Call("2000") {
		t.Fatal("call refused")
	}
	p.waitEvent(t, "onCallStateChange|connected|")
	if !p.e.Hold(true) {
		t.Fatal("hold refused locally")
	}
	p.waitEvent(t, "Failed to hold call")
	waitFor(t, "hold undone", func() bool { return !p.e.IsOnHold() })
	if p.media.rolledBack() != 1 {
		t.Fatalf("the refused hold offer was withdrawn %d times", p.media.rolledBack())
	}

	before := p.media.applied()
	if !p.e.Hold(true) {
		t.Fatal("second hold refused locally")
	}
	waitFor(t, "the retried hold's answer", func() bool { return p.media.applied() > before })
	if !p.e.IsOnHold() {
		t.Fatal("not on hold after the retried re-INVITE succeeded")
	}
	if p.media.rolledBack() != 1 {
		t.Fatal("a hold that succeeded must not withdraw its offer")
	}
	p.e.Hangup(-1)
	p.waitEvent(t, "onCdr|")
	finish(t, s)
}

// A reliable 183 with SDP: the phone PRACKs it (sipp requires the PRACK),
// plays the early media (the answer reaches the media, the line is marked,
// "Early media started"), and the 200 without SDP connects the call.
func TestSippReliable183EarlyMediaThen200(t *testing.T) {
	s := scenario(t, "uas_183_100rel_early_media.xml")
	p := newPhone(t, s, nil)
	if !p.e.Call("2000") {
		t.Fatal("call refused")
	}
	p.waitEvent(t, "onCallStateChange|ringing|")
	p.waitEvent(t, "Early media started")
	if p.media.applied() != 1 {
		t.Fatalf("early answer applied %d times", p.media.applied())
	}
	p.waitEvent(t, "onCallStateChange|connected|")
	if p.media.applied() != 1 {
		t.Fatal("the 200 without SDP must leave the early answer as it is")
	}
	p.e.Hangup(-1)
	p.waitEvent(t, "onCdr|")
	finish(t, s)
}

// The far end puts us on hold with its own re-INVITE; we answer recvonly
// (sipp checks it), the page hears of it, and the far end's BYE ends the
// call.
func TestSippFarEndReInvite(t *testing.T) {
	s := scenario(t, "uas_far_end_reinvite.xml")
	p := newPhone(t, s, nil)
	if !p.e.Call("2000") {
		t.Fatal("call refused")
	}
	p.waitEvent(t, "onCallStateChange|connected|")
	p.waitEvent(t, "Placed on hold by remote party")
	p.waitEvent(t, "onCdr|", "bye received")
	finish(t, s)
}

// No media arrives: mediatimeout (4 s, so 2 s before the first packet)
// warns at half that (line status "No media"), then ends the call with BYE
// and a CDR that says why.
func TestSippNoMediaEndsTheCallWithMediaTimeout(t *testing.T) {
	s := scenario(t, "uas_no_media.xml")
	p := newPhone(t, s, map[string]string{"mediatimeout": "4"})
	if !p.e.Call("2000") {
		t.Fatal("call refused")
	}
	p.waitEvent(t, "onCallStateChange|connected|")
	cdr := p.waitEvent(t, "onCdr|")
	if !strings.Contains(cdr, "|BYE media timeout|") {
		t.Fatalf("CDR without the reason: %s", cdr)
	}
	warn, end := p.index("STATUS,1,No media,"), p.index("onCdr|")
	if warn < 0 || warn > end {
		t.Fatalf("no warning before the call ended (warning at %d, CDR at %d)", warn, end)
	}
	finish(t, s)
}

// The far end fails the call with 503: redialonfail (default 1) places it
// once more, and the redial connects. The redial is a new call (a new
// Call-ID), so sipp plays two calls (-m 2): the first refused, the second
// answered.
func TestSippRedialAfter503(t *testing.T) {
	s := scenario(t, "uas_503_then_200.xml", "-m", "2")
	p := newPhone(t, s, nil)
	if !p.e.Call("2000") {
		t.Fatal("call refused")
	}
	p.waitEvent(t, "onCdr|", "503 Service Unavailable")
	p.waitEvent(t, "onCallStateChange|connected|")
	p.e.Hangup(-1)
	p.waitEvent(t, "onCdr|", "BYE User Hung Up")
	finish(t, s)
}

// The far end calls the phone: a session interval below 90 s gets 422 with
// Min-SE 90; the retry's 90 s session is answered with refresher=uac and
// Require: timer; the far end's UPDATE refresh is answered with
// Session-Expires (sipp checks every header), and its BYE ends the call.
func TestSippIncomingCallWithSessionTimer(t *testing.T) {
	port := infra.FreeUDPPort(t)
	p := newPhoneAt(t, "udp:127.0.0.1:"+strconv.Itoa(port), map[string]string{"autoaccept": "true"})
	if !p.e.Start() {
		t.Fatal("start refused")
	}
	var local string
	select {
	case local = <-p.local:
	case <-time.After(waitLong):
		t.Fatal("the phone never connected")
	}
	s := infra.StartSippClient(t, "testdata/uac_session_timer.xml", port, local, 60*time.Second)
	p.waitEvent(t, "onCallStateChange|connected|")
	p.waitEvent(t, "onCdr|", "bye received")
	finish(t, s)
}

// The far end rings and never answers: ringtimeoutout ends the call with
// CANCEL (sipp requires it) and a CDR that says "ring timeout".
func TestSippRingTimeoutCancels(t *testing.T) {
	s := scenario(t, "uas_ring_no_answer.xml")
	p := newPhone(t, s, map[string]string{"ringtimeoutout": "1000"})
	if !p.e.Call("2000") {
		t.Fatal("call refused")
	}
	p.waitEvent(t, "onCallStateChange|ringing|")
	p.waitEvent(t, "onCdr|", "ring timeout")
	finish(t, s)
}

// The far end calls and requires 100rel: the 180 is reliable (sipp checks
// Require and RSeq), sipp's PRACK is answered, then the call is accepted.
func TestSippIncomingCallRequiring100rel(t *testing.T) {
	port := infra.FreeUDPPort(t)
	p := newPhoneAt(t, "udp:127.0.0.1:"+strconv.Itoa(port), nil)
	if !p.e.Start() {
		t.Fatal("start refused")
	}
	var local string
	select {
	case local = <-p.local:
	case <-time.After(waitLong):
		t.Fatal("the phone never connected")
	}
	s := infra.StartSippClient(t, "testdata/uac_100rel_required.xml", port, local, 60*time.Second)
	p.waitEvent(t, "onCallStateChange|ringing|")
	// accept once the PRACK was answered, so sipp sees the two 200s in order
	prackOK := regexp.MustCompile(`SIP out: SIP/2\.0 200 OK\r\n(?:[^\r\n]+\r\n)*?CSeq: 2 PRACK`)
	waitFor(t, "the PRACK answered", func() bool { return prackOK.MatchString(p.e.GetLogs()) })
	if !p.e.Accept() {
		t.Fatal("accept refused")
	}
	p.waitEvent(t, "onCallStateChange|connected|")
	p.waitEvent(t, "onCdr|", "bye received")
	finish(t, s)
}

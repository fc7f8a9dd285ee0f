package browser

import (
	"fmt"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/opensoftphone/webphone/tests/infra"
)

// The tone linphone sends (its file-mode "microphone").
const linphoneTone = 550.0

// linphoneUsers are the Kamailio accounts of the linphone tests: pages
// alice and carol, linphone dave.
var linphoneUsers = map[string]string{"alice": "alice-secret", "carol": "carol-secret", "dave": "dave-secret"}

// linphonec's console lines for calls (with the call id).
var (
	linphoneConnectedRe = regexp.MustCompile(`Call (\d+) with (\S+) connected`)
	linphoneEndedRe     = regexp.MustCompile(`Call (\d+) with \S+ ended`)
)

// linphoneRig is Kamailio with rtpengine, linphone registered as dave over
// UDP (sending linphoneTone, recording what it receives) and the site.
type linphoneRig struct {
	k    *infra.Kamailio
	l    *infra.Linphone
	base string
}

func startLinphoneRig(t *testing.T, autoAnswer bool) *linphoneRig {
	t.Helper()
	r := infra.StartRtpengine(t)
	k := infra.StartKamailio(t, infra.KamailioOptions{Users: linphoneUsers, RtpengineNG: r.NGAddr})
	wav := t.TempDir() + "/dave.wav"
	if err := infra.WriteToneWAV(wav, linphoneTone, 120, 8000); err != nil {
		t.Fatal(err)
	}
	l := infra.StartLinphone(t, infra.LinphoneOptions{User: "dave", Password: linphoneUsers["dave"],
		Registrar: k.UDPAddr, AudioWAV: wav, AutoAnswer: autoAnswer})
	t.Cleanup(func() {
		if t.Failed() {
			t.Logf("---- linphonec console\n%s", tail(l.Log(), 4000))
			t.Logf("---- liblinphone log\n%s", l.DebugTail(12000))
			t.Logf("---- kamailio log\n%s", tail(k.Log(), 6000))
			t.Logf("---- rtpengine log\n%s", tail(r.Log(), 3000))
		}
	})
	return &linphoneRig{k: k, l: l, base: serveStatic(t, makeSite(t))}
}

// openUser opens a page registered at the rig's Kamailio as user, sending
// tone.
func (rig *linphoneRig) openUser(t *testing.T, user string, tone float64, extra map[string]string) *page {
	t.Helper()
	params := map[string]string{
		"serveraddress": rig.k.Domain, "webrtcserveraddress": rig.k.WSURL,
		"username": user, "password": linphoneUsers[user], "loglevel": "5",
	}
	for k, v := range extra {
		params[k] = v
	}
	p := openPage(t, "page "+user, rig.base, toneWAV(t, tone, 48000), params)
	p.waitRegistered(20 * time.Second)
	return p
}

// waitLinphoneHears waits until linphone hears freq (in the last seconds it
// recorded).
func waitLinphoneHears(t *testing.T, l *infra.Linphone, freq float64, timeout time.Duration) {
	t.Helper()
	deadline := time.Now().Add(timeout)
	for !l.HearsTone(freq) {
		if time.Now().After(deadline) {
			detail := ""
			if f, err := l.ReceivedWAV(); err != nil {
				detail = err.Error()
			} else if hz, err := infra.DominantFrequency(f); err != nil {
				detail = err.Error()
			} else {
				detail = fmt.Sprintf("it hears %.0f Hz", hz)
			}
			t.Fatalf("linphone does not hear %.0f Hz within %v (%s)", freq, timeout, detail)
		}
		time.Sleep(200 * time.Millisecond)
	}
}

// The page calls linphone through Kamailio + rtpengine; linphone answers by
// itself: audio both ways, and the page's hangup ends linphone's call.
func TestKamailioPageCallsLinphone(t *testing.T) {
	rig := startLinphoneRig(t, true)
	p := rig.openUser(t, "alice", pageTone, nil)
	mark := rig.l.Mark()
	if got := p.api(`call("dave")`); got != "true" {
		t.Fatalf(`call("dave") = %s, want true`, got)
	}
	conn := p.waitCallState("connected", 1, 20*time.Second)
	if conn.arg(2) != "dave" {
		t.Errorf("connected peername = %q, want dave", conn.arg(2))
	}
	if _, err := rig.l.WaitOutput(linphoneConnectedRe, mark, 10*time.Second); err != nil {
		t.Fatalf("linphone: %v", err)
	}
	t.Logf("page hears linphone: %v", p.waitHears(conn.arg(4), linphoneTone, 20*time.Second))
	waitLinphoneHears(t, rig.l, pageTone, 20*time.Second)

	if got := p.api(`hangup()`); got != "true" {
		t.Fatalf("hangup() = %s, want true", got)
	}
	if _, err := rig.l.WaitOutput(linphoneEndedRe, mark, 10*time.Second); err != nil {
		t.Fatalf("linphone did not see the hangup: %v", err)
	}
	p.waitCallState("disconnected", 1, 10*time.Second)
}

// linphone calls the page, which accepts: audio both ways; linphone hangs
// up and the page reports it.
func TestKamailioLinphoneCallsPage(t *testing.T) {
	rig := startLinphoneRig(t, false)
	p := rig.openUser(t, "alice", pageTone, nil)
	rig.l.Call("sip:alice@" + rig.k.Domain)
	in := p.waitEvent("an incoming call (setup or ringing, direction 2)", 20*time.Second, func(e event) bool {
		return e.Cb == "onCallStateChange" && (e.arg(0) == "setup" || e.arg(0) == "ringing") && e.arg(1) == "2"
	})
	if in.arg(2) != "dave" {
		t.Errorf("incoming call peername = %q, want dave (%v)", in.arg(2), in)
	}
	mark := rig.l.Mark()
	if got := p.api(`accept()`); got != "true" {
		t.Fatalf("accept() = %s, want true", got)
	}
	conn := p.waitCallState("connected", 2, 20*time.Second)
	if _, err := rig.l.WaitOutput(linphoneConnectedRe, 0, 10*time.Second); err != nil {
		t.Fatalf("linphone: %v", err)
	}
	t.Logf("page hears linphone: %v", p.waitHears(conn.arg(4), linphoneTone, 20*time.Second))
	waitLinphoneHears(t, rig.l, pageTone, 20*time.Second)

	rig.l.Terminate()
	p.waitCallState("disconnected", 2, 10*time.Second)
	if _, err := rig.l.WaitOutput(linphoneEndedRe, mark, 10*time.Second); err != nil {
		t.Fatalf("linphone: %v", err)
	}
}

// Attended transfer with linphone as the transferee (transfertype 5): alice
// talks to linphone, transfer("carol") holds linphone and calls carol;
// alice's hangup() of the consultation call sends linphone a REFER with
// Replaces of alice's dialog with carol. linphone calls carol with that
// Replaces header and carol's page swaps its call with alice for
// linphone's without ringing: linphone and carol hear each other, alice
// has no call left.
func TestKamailioAttendedTransferLinphoneReplaces(t *testing.T) {
	rig := startLinphoneRig(t, true)
	carol := rig.openUser(t, "carol", carolTone, map[string]string{"autoaccept": "true"})
	alice := rig.openUser(t, "alice", pageTone, map[string]string{"transfertype": "5"})

	if got := alice.api(`call("dave")`); got != "true" {
		t.Fatalf(`call("dave") = %s`, got)
	}
	lineConnected(alice, "1")
	alice.waitHears("1", linphoneTone, 20*time.Second)
	waitLinphoneHears(t, rig.l, pageTone, 20*time.Second)

	if got := alice.api(`transfer("carol")`); got != "true" {
		t.Fatalf(`transfer("carol") = %s, want true`, got)
	}
	lineConnected(alice, "2")
	alice.waitHears("2", carolTone, 20*time.Second)

	mark := rig.l.Mark()
	if got := alice.api(`hangup()`); got != "true" {
		t.Fatalf("hangup() = %s", got)
	}
	lineConnected(carol, "2")
	if _, err := rig.l.WaitOutput(regexp.MustCompile(`Call (\d+) with \S*carol\S* connected`), mark, 20*time.Second); err != nil {
		t.Fatalf("linphone's call to carol: %v", err)
	}
	if _, err := rig.l.WaitOutput(regexp.MustCompile(`Call 1 with \S*alice\S* ended`), mark, 20*time.Second); err != nil {
		t.Fatalf("linphone's call with alice: %v", err)
	}
	// the call with carol (the current one) records into a new file from
	// now on: the streams of the call with alice, restarted on hold and
	// ended, wrote the one before
	rig.l.NewRecording()
	t.Logf("carol hears linphone: %v", carol.waitHears("2", linphoneTone, 20*time.Second))
	waitLinphoneHears(t, rig.l, carolTone, 20*time.Second)
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
	trace := rig.l.DebugTail(1 << 30)
	if !regexp.MustCompile(`(?i)Refer-To:[^\n]*Replaces`).MatchString(trace) {
		t.Errorf("linphone received no REFER whose Refer-To carries Replaces")
	}
	if !regexp.MustCompile(`(?m)^INVITE sip:carol[^\n]*\n(?:[^\n]+\n)*?Replaces: `).MatchString(trace) {
		t.Errorf("linphone's INVITE to carol has no Replaces header")
	}
}

// Attended transfer with linphone as the party whose call is replaced:
// alice talks to linphone (line 1) and to carol (line 2), then transfer("")
// tells carol to call linphone with Replaces of alice's dialog with
// linphone. linphone (which does not answer by itself here) honours
// Replaces: it takes carol's call in place of alice's without being asked
// to answer, and linphone and carol hear each other.
func TestKamailioAttendedTransferToLinphoneHonoursReplaces(t *testing.T) {
	rig := startLinphoneRig(t, false)
	carol := rig.openUser(t, "carol", carolTone, map[string]string{"autoaccept": "true"})
	alice := rig.openUser(t, "alice", pageTone, nil)

	mark := rig.l.Mark()
	if got := alice.api(`call("dave")`); got != "true" {
		t.Fatalf(`call("dave") = %s`, got)
	}
	if _, err := rig.l.WaitOutput(regexp.MustCompile(`Receiving new incoming call`), mark, 20*time.Second); err != nil {
		t.Fatalf("linphone: %v", err)
	}
	rig.l.Answer()
	lineConnected(alice, "1")
	alice.waitHears("1", linphoneTone, 20*time.Second)
	if got := alice.api(`call("carol")`); got != "true" {
		t.Fatalf(`call("carol") = %s`, got)
	}
	lineConnected(alice, "2")
	alice.waitHears("2", carolTone, 20*time.Second)

	mark = rig.l.Mark()
	if got := alice.api(`transfer("")`); got != "true" {
		t.Fatalf(`transfer("") = %s, want true`, got)
	}
	lineConnected(carol, "2")
	in, err := rig.l.WaitOutput(regexp.MustCompile(`Receiving new incoming call from (\S+), assigned id (\d+)`), mark, 20*time.Second)
	if err != nil {
		t.Fatalf("linphone: %v", err)
	}
	if !strings.Contains(in[1], "carol") {
		t.Errorf("linphone's new call is from %s, want carol", in[1])
	}
	if _, err := rig.l.WaitOutput(regexp.MustCompile(`Call `+in[2]+` with \S+ connected`), mark, 20*time.Second); err != nil {
		t.Fatalf("linphone did not connect carol's replacing call: %v", err)
	}
	if _, err := rig.l.WaitOutput(regexp.MustCompile(`Call 1 with \S*alice\S* ended`), mark, 20*time.Second); err != nil {
		t.Fatalf("linphone's call with alice: %v", err)
	}
	rig.l.NewRecording() // the call with carol, from now on
	t.Logf("carol hears linphone: %v", carol.waitHears("2", linphoneTone, 20*time.Second))
	waitLinphoneHears(t, rig.l, carolTone, 20*time.Second)
	for _, l := range []string{"1", "2"} {
		if reason := cdrOfLine(t, alice, l); !strings.Contains(reason, "transfer done") && !strings.Contains(reason, "bye received") {
			t.Errorf("alice's line %s ended with %q, want transfer done", l, reason)
		}
	}
	trace := rig.l.DebugTail(1 << 30)
	if !regexp.MustCompile(`(?m)^INVITE sip:dave[^\n]*\n(?:[^\n]+\n)*?Replaces: `).MatchString(trace) {
		t.Errorf("linphone received no INVITE with a Replaces header")
	}
}

package browser

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/opensoftphone/webphone/demoserver"
	"github.com/opensoftphone/webphone/tests/infra"
)

// startDemoUDP is startDemo with SIP over UDP as well (for baresip and
// sipp).
func startDemoUDP(t *testing.T) *demoserver.Server {
	t.Helper()
	srv, err := demoserver.New(demoserver.Options{Addr: "127.0.0.1:0", UDPAddr: "127.0.0.1:0", WWWDir: makeSite(t)})
	if err != nil {
		t.Fatal(err)
	}
	if err := srv.Start(context.Background()); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = srv.Close() })
	return srv
}

// presenceIs matches onPresenceStateChange(peer, state, ...).
func presenceIs(peer, state string) func(e event) bool {
	return func(e event) bool { return e.Cb == "onPresenceStateChange" && e.arg(0) == peer && e.arg(1) == state }
}

// blfIs matches onBLFStateChange(peer, direction, state, ...).
func blfIs(peer, direction, state string) func(e event) bool {
	return func(e event) bool {
		return e.Cb == "onBLFStateChange" && e.arg(0) == peer && e.arg(1) == direction && e.arg(2) == state
	}
}

// eventNotification matches onEvent("event", msg) with msg starting with
// prefix.
func eventNotification(prefix string) func(e event) bool {
	return func(e event) bool {
		return e.Cb == "onEvent" && e.arg(0) == "event" && strings.HasPrefix(e.arg(1), prefix)
	}
}

// presenceScenario: b watches a; a sets Away, then DND; b sees each
// change; a stops and b sees a offline.
func presenceScenario(t *testing.T, a, b *page, aUser string) {
	if got := b.api(`checkpresence(" , ")`); got != `""` {
		t.Errorf(`checkpresence(" , ") = %s, want ""`, got)
	}
	// the v4.2 answer: the summary of the states known now
	if got := b.api(`checkpresence("` + aUser + `")`); !strings.HasPrefix(got, `"`+aUser+`,`) {
		t.Fatalf("checkpresence = %s, want the summary %q", got, aUser+",<state>")
	}
	if got := a.api(`setpresencestatus("Away")`); got != "true" {
		t.Fatalf("setpresencestatus(Away) = %s, want true", got)
	}
	b.waitEvent(aUser+" Away", 20*time.Second, presenceIs(aUser, "Away"))
	b.waitEvent("PRESENCE notification", 5*time.Second, eventNotification("PRESENCE,"+aUser+",Away,"))
	// asked again: the summary and the callback tell the state known now
	if got := b.api(`checkpresence("` + aUser + `", (u, s) => { window.__cp = u + "=" + s; })`); got != `"`+aUser+`,Away"` {
		t.Errorf("checkpresence after Away = %s, want %q", got, aUser+",Away")
	}
	var cp string
	for deadline := time.Now().Add(5 * time.Second); cp != aUser+"=Away" && time.Now().Before(deadline); {
		b.eval(`new Promise(r => setTimeout(() => r(String(window.__cp)), 50))`, &cp)
	}
	if cp != aUser+"=Away" {
		t.Errorf("checkpresence callback got %q, want %q", cp, aUser+"=Away")
	}
	if got := a.api(`setpresencestatus("DND")`); got != "true" {
		t.Fatalf("setpresencestatus(DND) = %s, want true", got)
	}
	b.waitEvent(aUser+" DoNotDisturb", 20*time.Second, presenceIs(aUser, "DoNotDisturb"))
	if got := a.api(`setpresencestatus("busy")`); got != "false" {
		t.Errorf("setpresencestatus(busy) = %s, want false (the vocabulary is case-sensitive)", got)
	}
	offlineBefore := b.count(presenceIs(aUser, "Offline"))
	if got := a.api(`stop()`); got != "true" {
		t.Fatalf("stop() = %s, want true", got)
	}
	b.waitEvent(aUser+" offline after stop", 20*time.Second, func(e event) bool {
		return presenceIs(aUser, "Offline")(e) && b.count(presenceIs(aUser, "Offline")) > offlineBefore
	})
}

func TestDemoServerPresenceBetweenTwoPages(t *testing.T) {
	srv := startDemo(t)
	a := openPage(t, "page 1001", srv.HTTPURL(), toneWAV(t, 440, 48000), demoParams(srv, "1001"))
	b := openPage(t, "page 1002", srv.HTTPURL(), toneWAV(t, 440, 48000), demoParams(srv, "1002"))
	a.waitRegistered(20 * time.Second)
	b.waitRegistered(20 * time.Second)
	presenceScenario(t, a, b, "1001")
}

// blfScenario: the page watches bob's line; carol (baresip) calls bob
// (baresip): ringing (early), busy (confirmed) once bob answers, idle
// (terminated) after the hangup.
func blfScenario(t *testing.T, watcher *page, bobUser string, bob, carol *infra.Baresip) {
	if got := watcher.api(`checkblf("` + bobUser + `")`); got != "true" {
		t.Fatalf("checkblf = %s, want true", got)
	}
	if err := carol.Dial(bob.AOR); err != nil {
		t.Fatalf("carol dials bob: %v", err)
	}
	if _, err := bob.WaitEvent("CALL_INCOMING", 20*time.Second); err != nil {
		t.Fatalf("bob does not ring: %v", err)
	}
	early := watcher.waitEvent("ringing lamp", 20*time.Second, blfIs(bobUser, "receiver", "early"))
	t.Logf("ringing: %v", early)
	if err := bob.Answer(); err != nil {
		t.Fatalf("bob answers: %v", err)
	}
	watcher.waitEvent("busy lamp", 20*time.Second, blfIs(bobUser, "receiver", "confirmed"))
	if err := carol.Hangup(); err != nil {
		t.Fatalf("carol hangs up: %v", err)
	}
	watcher.waitEvent("idle lamp", 20*time.Second, func(e event) bool {
		return e.Cb == "onBLFStateChange" && e.arg(0) == bobUser && e.arg(2) == "terminated" &&
			watcher.count(func(x event) bool { return x.Cb == "onBLFStateChange" && x.arg(2) == "confirmed" }) > 0
	})
	watcher.waitEvent("BLF notification", 5*time.Second, eventNotification("BLF,"+bobUser+",receiver,confirmed,"))
}

func TestDemoServerBusyLampOfABaresipLine(t *testing.T) {
	srv := startDemoUDP(t)
	bob := infra.StartBaresip(t, infra.BaresipOptions{User: "1003", Password: "pass1003", Registrar: srv.UDPAddr()})
	carol := infra.StartBaresip(t, infra.BaresipOptions{User: "1004", Password: "pass1004", Registrar: srv.UDPAddr()})
	w := openPage(t, "page 1002", srv.HTTPURL(), toneWAV(t, 440, 48000), demoParams(srv, "1002"))
	w.waitRegistered(20 * time.Second)
	t.Cleanup(func() {
		if t.Failed() {
			t.Logf("---- bob\n%s", tail(baresipStatusRe.ReplaceAllString(bob.Log(), ""), 6000))
			t.Logf("---- carol\n%s", tail(baresipStatusRe.ReplaceAllString(carol.Log(), ""), 4000))
		}
	})
	blfScenario(t, w, "1003", bob, carol)
}

// mwiScenario: sipp sends an unsolicited message-summary NOTIFY for user
// (answering the server's challenge as authUser), and the page reports the
// voicemail counts as an MWI notification.
func mwiScenario(t *testing.T, p *page, server, domain, user, authUser, authPass string) {
	dir := t.TempDir()
	scen := filepath.Join(dir, "mwi.xml")
	if err := os.WriteFile(scen, []byte(mwiScenarioXML), 0o644); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 40*time.Second)
	defer cancel()
	port := infra.FreeUDPPort(t)
	cmd := exec.CommandContext(ctx, "sipp", "-sf", scen, "-m", "1", "-i", "127.0.0.1", "-p", strconv.Itoa(port),
		"-s", user, "-au", authUser, "-ap", authPass, "-key", "domain", domain, "-key", "from", authUser,
		"-timeout", "30", "-timeout_error", "-nostdin", "-trace_err", server)
	cmd.Dir = dir
	out, err := cmd.CombinedOutput()
	if err != nil {
		logs, _ := filepath.Glob(filepath.Join(dir, "*_errors.log"))
		var msgs string
		for _, l := range logs {
			b, _ := os.ReadFile(l)
			msgs += string(b)
		}
		t.Fatalf("sipp: %v\n%s\n%s", err, tail(string(out), 3000), tail(msgs, 3000))
	}
	ev := p.waitEvent("MWI notification", 20*time.Second, eventNotification("MWI,3,5,1,"))
	t.Logf("voicemail: %v", ev)
}

// mwiScenarioXML is the sipp scenario: NOTIFY message-summary (3 new, 5
// old), answered after a digest challenge.
const mwiScenarioXML = `<?xml version="1.0" encoding="ISO-8859-1" ?>
<scenario name="message-summary NOTIFY">
  <send retrans="500">
    <![CDATA[

      NOTIFY sip:[service]@[domain] SIP/2.0
      Via: SIP/2.0/[transport] [local_ip]:[local_port];branch=[branch]
      From: <sip:[from]@[domain]>;tag=[pid]mwi[call_number]
      To: <sip:[service]@[domain]>
      Call-ID: [call_id]
      CSeq: 1 NOTIFY
      Contact: <sip:[from]@[local_ip]:[local_port]>
      Max-Forwards: 70
      Event: message-summary
      Subscription-State: active
      Content-Type: application/simple-message-summary
      Content-Length: [len]

      Messages-Waiting: yes
      Message-Account: sip:voicemail@[domain]
      Voice-Message: 3/5 (1/0)

    ]]>
  </send>
  <recv response="407" auth="true" optional="true" next="auth" timeout="10000"/>
  <recv response="401" auth="true" optional="true" next="auth" timeout="10000"/>
  <recv response="200" next="done" timeout="10000"/>
  <label id="auth"/>
  <send retrans="500">
    <![CDATA[

      NOTIFY sip:[service]@[domain] SIP/2.0
      Via: SIP/2.0/[transport] [local_ip]:[local_port];branch=[branch]
      From: <sip:[from]@[domain]>;tag=[pid]mwi[call_number]
      To: <sip:[service]@[domain]>
      Call-ID: [call_id]
      CSeq: 2 NOTIFY
      Contact: <sip:[from]@[local_ip]:[local_port]>
      Max-Forwards: 70
      [authentication]
      Event: message-summary
      Subscription-State: active
      Content-Type: application/simple-message-summary
      Content-Length: [len]

      Messages-Waiting: yes
      Message-Account: sip:voicemail@[domain]
      Voice-Message: 3/5 (1/0)

    ]]>
  </send>
  <recv response="200" timeout="10000"/>
  <label id="done"/>
</scenario>
`

func TestDemoServerVoicemailNotifyFromSipp(t *testing.T) {
	srv := startDemoUDP(t)
	p := openPage(t, "page 1002", srv.HTTPURL(), toneWAV(t, 440, 48000), demoParams(srv, "1002"))
	p.waitRegistered(20 * time.Second)
	mwiScenario(t, p, srv.UDPAddr(), srv.Domain(), "1002", "1005", "pass1005")
}

// chatReportScenario: a message to a registered peer is reported sent, one
// to an offline user failed with the server's reason; sendsms reaches the
// peer's onSMS.
func chatReportScenario(t *testing.T, a, b *page, bUser, offlineUser string) {
	if got := a.api(`sendchat("` + bUser + `", "hello")`); got != "true" {
		t.Fatalf("sendchat = %s", got)
	}
	a.waitEvent("sent report", 20*time.Second, eventNotification("CHATREPORT,-1,"+bUser+",2,"))
	if got := a.api(`sendchat("` + offlineUser + `", "anyone?")`); got != "true" {
		t.Fatalf("sendchat = %s", got)
	}
	failed := a.waitEvent("failed report", 40*time.Second, eventNotification("CHATREPORT,-1,"+offlineUser+",3,"))
	if reason := failed.arg(1)[strings.LastIndex(failed.arg(1), ",")+1:]; reason == "" {
		t.Errorf("failure report without a reason: %v", failed)
	}
	if got := a.api(`sendsms("` + bUser + `", "sms, text")`); got != "true" {
		t.Fatalf("sendsms = %s", got)
	}
	sms := b.waitEvent("onSMS", 20*time.Second, func(e event) bool { return e.Cb == "onSMS" })
	if sms.arg(1) != "sms, text" {
		t.Errorf("onSMS = %v, want the text", sms)
	}
}

func TestDemoServerChatReportsAndSMS(t *testing.T) {
	srv := startDemo(t)
	a := openPage(t, "page 1001", srv.HTTPURL(), toneWAV(t, 440, 48000), demoParams(srv, "1001"))
	b := openPage(t, "page 1002", srv.HTTPURL(), toneWAV(t, 440, 48000), demoParams(srv, "1002"))
	a.waitRegistered(20 * time.Second)
	b.waitRegistered(20 * time.Second)
	chatReportScenario(t, a, b, "1002", "1004")
}

// Peer mode: through a proxy without a presence agent each page answers
// the presence SUBSCRIBE for its own user.
func TestPlainProxyPresenceBetweenTwoPages(t *testing.T) {
	srv, err := demoserver.New(demoserver.Options{Addr: "127.0.0.1:0", WWWDir: makeSite(t), PlainProxy: true})
	if err != nil {
		t.Fatal(err)
	}
	if err := srv.Start(context.Background()); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = srv.Close() })
	a := openPage(t, "page 1001", srv.HTTPURL(), toneWAV(t, 440, 48000), demoParams(srv, "1001"))
	b := openPage(t, "page 1002", srv.HTTPURL(), toneWAV(t, 440, 48000), demoParams(srv, "1002"))
	a.waitRegistered(20 * time.Second)
	b.waitRegistered(20 * time.Second)
	presenceScenario(t, a, b, "1001")
}

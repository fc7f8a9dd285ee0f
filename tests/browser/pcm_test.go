package browser

import (
	"bytes"
	"context"
	"net"
	"net/http"
	"net/netip"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/opensoftphone/webphone/demoserver"
	"github.com/opensoftphone/webphone/mediacore"
	"github.com/opensoftphone/webphone/rtprelay"
	"github.com/opensoftphone/webphone/tests/infra"
)

// startDemoPCM is startDemoUDP with the built-in RTP relay on a port range
// of its own (busy ports in it are skipped).
func startDemoPCM(t *testing.T) *demoserver.Server {
	t.Helper()
	base := infra.FreeUDPPort(t)
	base += base % 2
	if base > 65000 {
		base = 30000
	}
	srv, err := demoserver.New(demoserver.Options{
		Addr: "127.0.0.1:0", UDPAddr: "127.0.0.1:0", WWWDir: makeSite(t),
		RelayPorts: rtprelay.PortRange{Min: base, Max: base + 199},
	})
	if err != nil {
		t.Fatal(err)
	}
	if err := srv.Start(context.Background()); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = srv.Close() })
	return srv
}

// pcmStatRe reads the PCM engine's statistics line (docs/pcm-engine.md).
var pcmStatRe = regexp.MustCompile(`pcm stat line (\d+): sent (\d+) rec (\d+) .* heard (\d+) Hz amp ([0-9.]+) share ([0-9.]+)`)

// pcmStat is one statistics line of the page's PCM engine.
type pcmStat struct {
	line, sent, rec int
	heard           float64
	amp, share      float64
}

// pcmStats returns the page's PCM statistics lines so far, oldest first.
func (p *page) pcmStats() []pcmStat {
	p.t.Helper()
	var logs []string
	p.eval(`T.logs.filter(function (l) { return /pcm stat line/.test(l); })`, &logs)
	var out []pcmStat
	for _, l := range logs {
		m := pcmStatRe.FindStringSubmatch(l)
		if m == nil {
			continue
		}
		n := func(i int) int { v, _ := strconv.Atoi(m[i]); return v }
		f := func(i int) float64 { v, _ := strconv.ParseFloat(m[i], 64); return v }
		out = append(out, pcmStat{line: n(1), sent: n(2), rec: n(3), heard: f(4), amp: f(5), share: f(6)})
	}
	return out
}

// waitPCMHears waits for a statistics line after the first `after` lines
// in which the page's Go side heard freq (Goertzel over the decoded PCM,
// within 10 Hz) as a clear tone; it returns how many lines there were.
func (p *page) waitPCMHears(freq float64, after int, timeout time.Duration) int {
	p.t.Helper()
	n := after
	waitFor(p.t, p.name+"'s Go side to hear "+strconv.Itoa(int(freq))+" Hz", timeout, func() bool {
		st := p.pcmStats()
		for i := after; i < len(st); i++ {
			s := st[i]
			if s.heard >= freq-10 && s.heard <= freq+10 && s.amp > 0.02 && s.share > 0.3 {
				n = len(st)
				return true
			}
		}
		return false
	})
	return n
}

// waitPCMQuiet waits until two consecutive statistics lines after the
// first `after` count the same packets received: nothing arrives.
func (p *page) waitPCMQuiet(after int, timeout time.Duration) int {
	p.t.Helper()
	n := after
	waitFor(p.t, p.name+" to receive no RTP", timeout, func() bool {
		st := p.pcmStats()
		for i := after + 1; i < len(st); i++ {
			if st[i].rec == st[i-1].rec {
				n = len(st)
				return true
			}
		}
		return false
	})
	return n
}

// The bar of issue 11 on the demo server: a page on the PCM engine calls
// baresip over plain RTP/AVP through the demo server's relay (no
// rtpengine, no WebRTC): baresip records the page's tone, the page's Go
// side hears baresip's tone, RFC 4733 digits both ways, hold and resume,
// and hangup frees the relay's ports.
func TestPCMEnginePageCallsBaresipThroughTheDemoRelay(t *testing.T) {
	srv := startDemoPCM(t)
	b := infra.StartBaresip(t, infra.BaresipOptions{User: "1003", Password: "pass1003", Registrar: srv.UDPAddr(), AutoAnswer: true})
	params := demoParams(srv, "1001")
	params["enginepriority_pcm"] = "3"
	p := openPage(t, "page 1001 (pcm)", srv.HTTPURL(), toneWAV(t, pcmPageTone, 48000), params)
	pcmCallBaresip(t, p, b, "1003", func() int { return srv.RelayStats().Streams })
}

// The same call from a cross-origin isolated page (COOP same-origin, COEP
// require-corp, served beside the demo server): the worklet and Go share
// SharedArrayBuffer rings instead of posting messages.
func TestPCMEngineIsolatedPageUsesSharedRings(t *testing.T) {
	srv := startDemoPCM(t)
	b := infra.StartBaresip(t, infra.BaresipOptions{User: "1003", Password: "pass1003", Registrar: srv.UDPAddr(), AutoAnswer: true})
	params := demoParams(srv, "1001")
	params["enginepriority_pcm"] = "3"
	p := openPage(t, "page 1001 (pcm, isolated)", serveIsolated(t, makeSite(t)), toneWAV(t, pcmPageTone, 48000), params)
	pcmCallBaresip(t, p, b, "1003", func() int { return srv.RelayStats().Streams })
	var isolated bool
	p.eval(`self.crossOriginIsolated === true`, &isolated)
	var lines []string
	p.eval(`T.logs.filter(function (l) { return /audio worklet at .* over sharedarraybuffer/.test(l); })`, &lines)
	if !isolated || len(lines) == 0 {
		t.Fatalf("crossOriginIsolated %v; worklet lines over sharedarraybuffer: %v", isolated, lines)
	}
}

// serveIsolated is serveStatic with the headers that make a page cross-origin
// isolated.
func serveIsolated(t *testing.T, dir string) string {
	t.Helper()
	ln, err := net.Listen("tcp4", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	files := http.FileServer(http.Dir(dir))
	hs := &http.Server{
		Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if strings.HasSuffix(r.URL.Path, ".wasm") {
				w.Header().Set("Content-Type", "application/wasm")
			}
			w.Header().Set("Cache-Control", "no-store")
			w.Header().Set("Cross-Origin-Opener-Policy", "same-origin")
			w.Header().Set("Cross-Origin-Embedder-Policy", "require-corp")
			files.ServeHTTP(w, r)
		}),
		ReadHeaderTimeout: 10 * time.Second,
	}
	done := make(chan struct{})
	go func() {
		defer close(done)
		_ = hs.Serve(ln)
	}()
	t.Cleanup(func() {
		_ = hs.Close()
		<-done
	})
	return "http://" + ln.Addr().String() + "/"
}

// The same through Kamailio without rtpengine: the standalone relay
// (rtprelay.Server as cmd/webphone-rtprelay runs it: a secret, the
// 127.0.0.0/8 destinations) beside Kamailio, which passes the SDP through.
func TestPCMEnginePageCallsBaresipThroughKamailioAndTheStandaloneRelay(t *testing.T) {
	k := infra.StartKamailio(t, infra.KamailioOptions{Users: kamailioUsers})
	b := infra.StartBaresip(t, infra.BaresipOptions{User: "bob", Password: kamailioUsers["bob"], Registrar: k.UDPAddr, AutoAnswer: true})
	t.Cleanup(func() {
		if t.Failed() {
			t.Logf("---- kamailio log\n%s", tail(k.Log(), 6000))
		}
	})
	relay, relayURL, _ := startStandaloneRelay(t, "relay-secret")
	params := map[string]string{
		"serveraddress": k.Domain, "webrtcserveraddress": k.WSURL, "username": "alice",
		"password": kamailioUsers["alice"], "loglevel": "5",
		"enginepriority_pcm": "3", "rtprelay": relayURL, "rtprelaytoken": "relay-secret",
	}
	p := openPage(t, "page alice (pcm)", serveStatic(t, makeSite(t)), toneWAV(t, pcmPageTone, 48000), params)
	pcmCallBaresip(t, p, b, "bob", func() int { return relay.Stats().Streams })
}

// startStandaloneRelay serves an rtprelay.Server the way
// cmd/webphone-rtprelay does (admission by a secret, destinations in
// 127.0.0.0/8) on 127.0.0.1 until the test ends; it returns the server and
// its ws:// URL, and a function that stops it (once; also at the end).
func startStandaloneRelay(t *testing.T, secret string) (*rtprelay.Server, string, func()) {
	t.Helper()
	allow, err := rtprelay.ParseNetworks("127.0.0.0/8")
	if err != nil {
		t.Fatal(err)
	}
	base := infra.FreeUDPPort(t)
	base += base % 2
	if base > 65000 {
		base = 30000
	}
	srv, err := rtprelay.NewServer(rtprelay.Config{
		PublicIP:  netip.MustParseAddr("127.0.0.1"),
		Ports:     rtprelay.PortRange{Min: base, Max: base + 99},
		Admission: rtprelay.SecretOrOrigin{Secret: secret, Policy: allow},
	})
	if err != nil {
		t.Fatal(err)
	}
	ln, err := net.Listen("tcp4", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	mux := http.NewServeMux()
	mux.Handle("/rtp", srv)
	hs := &http.Server{Handler: mux, ReadHeaderTimeout: 10 * time.Second}
	done := make(chan struct{})
	go func() {
		defer close(done)
		_ = hs.Serve(ln)
	}()
	var once sync.Once
	stop := func() {
		once.Do(func() {
			_ = hs.Close()
			<-done
			_ = srv.Close()
		})
	}
	t.Cleanup(stop)
	return srv, "ws://" + ln.Addr().String() + "/rtp", stop
}

// The page's and baresip's tones in the PCM tests.
const pcmPageTone, pcmBaresipTone = 1000.0, 440.0

// pcmCallBaresip is the bar of issue 11 for a registered-to-be page on the
// PCM engine and an auto-answering baresip reachable as dial; streams
// counts the relay's allocated streams.
func pcmCallBaresip(t *testing.T, p *page, b *infra.Baresip, dial string, streams func() int) {
	t.Helper()
	t.Cleanup(func() {
		if t.Failed() {
			t.Logf("---- baresip log\n%s", tail(baresipStatusRe.ReplaceAllString(b.Log(), ""), 6000))
		}
	})
	p.waitRegistered(20 * time.Second)
	if got := p.api(`getenginename()`); got != `"pcm"` {
		t.Fatalf("getenginename() = %s, want pcm", got)
	}

	if got := p.api(`call("` + dial + `")`); got != "true" {
		t.Fatalf(`call(%q) = %s, want true`, dial, got)
	}
	conn := p.waitCallState("connected", 1, 20*time.Second)
	if _, err := b.WaitEvent("CALL_ESTABLISHED", 10*time.Second); err != nil {
		t.Fatalf("baresip: %v", err)
	}
	var invite string
	p.eval(`webphone_api.getlastsentinvite()`, &invite)
	for _, want := range []string{"m=audio ", " RTP/AVP ", "c=IN IP4 127.0.0.1", "telephone-event/8000"} {
		if !strings.Contains(invite, want) {
			t.Errorf("the page's INVITE lacks %q:\n%s", want, invite)
		}
	}
	for _, bad := range []string{"ice-ufrag", "fingerprint", "SAVPF"} {
		if strings.Contains(invite, bad) {
			t.Errorf("the page's INVITE has %q (not plain RTP):\n%s", bad, invite)
		}
	}
	if n := streams(); n != 1 {
		t.Errorf("the relay holds %d streams during the call, want 1", n)
	}
	port := 0
	if m := regexp.MustCompile(`m=audio (\d+) RTP/AVP`).FindStringSubmatch(invite); m != nil {
		port, _ = strconv.Atoi(m[1])
	}
	if port == 0 {
		t.Fatalf("no relay port in the page's INVITE:\n%s", invite)
	}

	waitBaresipHearsPage(t, b, p, pcmPageTone, 30*time.Second)
	seen := p.waitPCMHears(pcmBaresipTone, 0, 20*time.Second)
	var worklet []string
	p.eval(`T.logs.filter(function (l) { return /audio worklet at|pcm stat line/.test(l); })`, &worklet)
	t.Logf("page's PCM engine:\n%s", strings.Join(worklet, "\n"))

	// RFC 4733 both ways
	if got := p.api(`dtmf("12")`); got != "true" {
		t.Fatalf(`dtmf("12") = %s, want true`, got)
	}
	waitBaresipDTMF(t, b, "", "12", 10*time.Second)
	if n := p.sipInfoCount(); n != 0 {
		t.Errorf("the PCM engine sent %d SIP INFO for dtmf(), want RFC 4733 only", n)
	}
	if err := b.SendDTMF("5#"); err != nil {
		t.Fatal(err)
	}
	p.waitEvent("onDTMF 5", 10*time.Second, func(e event) bool { return e.Cb == "onDTMF" && e.arg(0) == "5" && e.arg(1) == "1" })
	p.waitEvent("onDTMF #", 10*time.Second, func(e event) bool { return e.Cb == "onDTMF" && e.arg(0) == "#" && e.arg(1) == "1" })

	// hold: baresip answers recvonly and stops sending; resume brings its
	// tone back
	if got := p.api(`hold(true)`); got != "true" {
		t.Fatalf("hold(true) = %s", got)
	}
	seen = p.waitPCMQuiet(seen, 20*time.Second)
	if got := p.api(`hold(false)`); got != "true" {
		t.Fatalf("hold(false) = %s", got)
	}
	p.waitPCMHears(pcmBaresipTone, seen, 20*time.Second)

	if got := p.api(`hangup()`); got != "true" {
		t.Fatalf("hangup() = %s, want true", got)
	}
	if _, err := b.WaitEvent("CALL_CLOSED", 10*time.Second); err != nil {
		t.Fatalf("baresip did not see the hangup: %v", err)
	}
	p.waitEvent("disconnected", 10*time.Second, func(e event) bool {
		return e.Cb == "onCallStateChange" && e.arg(0) == "disconnected" && e.arg(5) == conn.arg(5)
	})
	waitFor(t, "the relay to free the call's ports", 10*time.Second, func() bool { return streams() == 0 })
	// the ports themselves are free again: they can be bound
	for _, pt := range []int{port, port + 1} {
		c, err := net.ListenPacket("udp4", net.JoinHostPort("127.0.0.1", strconv.Itoa(pt)))
		if err != nil {
			t.Errorf("relay port %d is still held after the hangup: %v", pt, err)
			continue
		}
		_ = c.Close()
	}
}

// A page on the PCM engine whose relay does not answer falls back to
// WebRTC for the call, with a warning that says why, and getenginename
// says webrtc; with WebRTC disabled (enginepriority_webrtc 0) the call
// fails instead, with the same reason.
func TestPCMEngineFallsBackToWebRTCWhenTheRelayIsUnreachable(t *testing.T) {
	srv := startDemo(t)
	dead := "ws://127.0.0.1:" + strconv.Itoa(infra.FreeTCPPort(t)) + "/rtp" // nobody listens
	params := demoParams(srv, "1001")
	params["enginepriority_pcm"] = "3"
	params["rtprelay"] = dead
	a := openPage(t, "page 1001 (pcm, dead relay)", srv.HTTPURL(), toneWAV(t, 440, 48000), params)
	b := openPage(t, "page 1002 (webrtc)", srv.HTTPURL(), toneWAV(t, 1000, 48000), demoParams(srv, "1002"))
	a.waitRegistered(20 * time.Second)
	b.waitRegistered(20 * time.Second)
	if got := a.api(`getenginename()`); got != `"pcm"` {
		t.Fatalf("getenginename() before any call = %s, want pcm", got)
	}
	if got := a.api(`call("1002")`); got != "true" {
		t.Fatalf(`call("1002") = %s`, got)
	}
	b.waitCallState("ringing", 2, 20*time.Second)
	if got := b.api(`accept()`); got != "true" {
		t.Fatalf("accept() = %s", got)
	}
	conn := a.waitCallState("connected", 1, 20*time.Second)
	a.waitEventLog("the fallback warning", func(l string) bool {
		return strings.HasPrefix(l, "WARNING, pcm engine: relay unreachable") && strings.Contains(l, dead) &&
			strings.Contains(l, "this call uses the webrtc engine")
	})
	if got := a.api(`getenginename()`); got != `"webrtc"` {
		t.Errorf("getenginename() after the fallback = %s, want webrtc", got)
	}
	t.Logf("the fallen-back call carries audio: %v", b.waitHears(conn.arg(4), 440, 20*time.Second))
	if got := a.api(`hangup()`); got != "true" {
		t.Fatalf("hangup() = %s", got)
	}
	a.waitCallState("disconnected", 1, 10*time.Second)

	// WebRTC disabled: no fallback, the call ends with the reason
	if got := a.api(`setparameter("enginepriority_webrtc", "0")`); got != "true" {
		t.Fatalf("setparameter = %s", got)
	}
	if got := a.api(`call("1002")`); got != "true" {
		t.Fatalf(`call("1002") = %s`, got)
	}
	a.waitEventLog("the failure warning", func(l string) bool {
		return strings.HasPrefix(l, "WARNING, pcm engine: relay unreachable") && strings.Contains(l, "the call fails")
	})
	a.waitEvent("the second call to end", 10*time.Second, func(e event) bool {
		return e.Cb == "onCallStateChange" && e.arg(0) == "disconnected" && e.arg(5) != conn.arg(5)
	})
}

// waitEventLog waits for a log line (onEvent "log") of the page that match
// accepts.
func (p *page) waitEventLog(what string, match func(line string) bool) {
	p.t.Helper()
	waitFor(p.t, p.name+": "+what, 10*time.Second, func() bool {
		var logs []string
		p.eval(`T.logs`, &logs)
		for _, l := range logs {
			if match(l) {
				return true
			}
		}
		return false
	})
}

// baresip calls a page on the PCM engine (SIP through the demo server, RTP
// through a standalone relay): the page answers baresip's offer, the tones
// go both ways; then the relay goes away mid-call and the page says so.
func TestPCMEngineAnswersBaresipAndReportsALostRelay(t *testing.T) {
	srv := startDemoUDP(t)
	b := infra.StartBaresip(t, infra.BaresipOptions{User: "1003", Password: "pass1003", Registrar: srv.UDPAddr()})
	t.Cleanup(func() {
		if t.Failed() {
			t.Logf("---- baresip log\n%s", tail(baresipStatusRe.ReplaceAllString(b.Log(), ""), 6000))
		}
	})
	relay, relayURL, stopRelay := startStandaloneRelay(t, "relay-secret")
	params := demoParams(srv, "1001")
	params["enginepriority_pcm"] = "3"
	params["rtprelay"] = relayURL
	params["rtprelaytoken"] = "relay-secret"
	p := openPage(t, "page 1001 (pcm)", srv.HTTPURL(), toneWAV(t, pcmPageTone, 48000), params)
	p.waitRegistered(20 * time.Second)

	if err := b.Dial("sip:1001@" + srv.UDPAddr()); err != nil {
		t.Fatalf("baresip dial: %v", err)
	}
	p.waitCallState("ringing", 2, 20*time.Second)
	if got := p.api(`accept()`); got != "true" {
		t.Fatalf("accept() = %s", got)
	}
	p.waitCallState("connected", 2, 20*time.Second)
	if _, err := b.WaitEvent("CALL_ESTABLISHED", 10*time.Second); err != nil {
		t.Fatalf("baresip: %v", err)
	}
	if n := relay.Stats().Streams; n != 1 {
		t.Errorf("the relay holds %d streams, want 1", n)
	}
	waitBaresipHearsPage(t, b, p, pcmPageTone, 30*time.Second)
	p.waitPCMHears(pcmBaresipTone, 0, 20*time.Second)

	stopRelay()
	p.waitEventLog("the lost relay warning", func(l string) bool {
		return strings.HasPrefix(l, "WARNING, pcm engine: line 1: the relay stream ended") && strings.Contains(l, "the call has no audio")
	})
	if err := b.Hangup(); err != nil {
		t.Fatalf("baresip hangup: %v", err)
	}
	p.waitCallState("disconnected", 2, 10*time.Second)
}

// voicerecord on the PCM engine: the call is recorded in Go (both
// directions mixed at 8 kHz) and uploaded as WAV at the hangup, with the
// same VREC events, form and headers as WebRTC recordings.
func TestPCMEngineVoiceRecordUploadsAWAVOfBothSides(t *testing.T) {
	srv := startDemoPCM(t)
	up := startUploadServer(t)
	b := infra.StartBaresip(t, infra.BaresipOptions{User: "1003", Password: "pass1003", Registrar: srv.UDPAddr(), AutoAnswer: true})
	params := demoParams(srv, "1001")
	params["enginepriority_pcm"] = "3"
	p := openPage(t, "page 1001 (pcm)", srv.HTTPURL(), toneWAV(t, pcmPageTone, 48000), params)
	p.waitRegistered(20 * time.Second)
	if got := p.api(`voicerecord(true, "` + up.srv.URL + `/rec")`); got != "true" {
		t.Fatalf("voicerecord = %s, want true", got)
	}
	if got := p.api(`call("1003")`); got != "true" {
		t.Fatalf(`call("1003") = %s, want true`, got)
	}
	conn := p.waitCallState("connected", 1, 20*time.Second)
	p.waitEvent("VREC record begin", 10*time.Second, func(e event) bool {
		return e.Cb == "onEvent" && e.arg(1) == "VREC,"+conn.arg(4)+",1"
	})
	waitBaresipHearsPage(t, b, p, pcmPageTone, 30*time.Second)
	seen := p.waitPCMHears(pcmBaresipTone, 0, 20*time.Second)
	p.waitPCMHears(pcmBaresipTone, seen, 20*time.Second) // two more seconds of both tones
	if got := p.api(`hangup()`); got != "true" {
		t.Fatalf("hangup() = %s, want true", got)
	}
	done := p.waitEvent("VREC upload OK or failed", 30*time.Second, func(e event) bool {
		return e.Cb == "onEvent" && (strings.HasPrefix(e.arg(1), "VREC,-1,3,") || strings.HasPrefix(e.arg(1), "VREC,-1,4,"))
	})
	if !strings.HasPrefix(done.arg(1), "VREC,-1,3,3,") {
		t.Fatalf("the upload failed: %v", done)
	}
	ups := up.uploads()
	if len(ups) != 1 {
		t.Fatalf("the endpoint got %d uploads, want 1", len(ups))
	}
	u := ups[0]
	if !strings.HasSuffix(u.filename, ".wav") || u.headers.Get("X-Callid") != conn.arg(5) {
		t.Errorf("upload %q with X-Callid %q, want a .wav of call %s", u.filename, u.headers.Get("X-Callid"), conn.arg(5))
	}
	pcm, err := mediacore.ReadWAV8k(bytes.NewReader(u.data))
	if err != nil {
		t.Fatalf("the upload is not a WAV: %v", err)
	}
	t.Logf("recording: %d bytes, %.1f s", len(u.data), float64(len(pcm))/8000)
	if len(pcm) < 16000 {
		t.Fatalf("the recording holds %d samples, want more than 2 s", len(pcm))
	}
	ref := mediacore.ToneAmplitude(pcm, 700)
	for _, f := range []float64{pcmPageTone, pcmBaresipTone} {
		if a := mediacore.ToneAmplitude(pcm, f); a < 0.01 || a < 10*ref {
			t.Errorf("the recording does not hold the %.0f Hz tone: amplitude %.4f (700 Hz %.4f)", f, a, ref)
		}
	}
}

// Two pages on the PCM engine call each other through the demo server: each
// page's RTP goes through its own relay stream to the other's (relay port
// to relay port), and each page's Go side hears the other's tone.
func TestPCMEngineTwoPagesCallEachOther(t *testing.T) {
	srv := startDemoPCM(t)
	pa, pb := demoParams(srv, "1001"), demoParams(srv, "1002")
	pa["enginepriority_pcm"], pb["enginepriority_pcm"] = "3", "3"
	a := openPage(t, "page 1001 (pcm)", srv.HTTPURL(), toneWAV(t, 440, 48000), pa)
	b := openPage(t, "page 1002 (pcm)", srv.HTTPURL(), toneWAV(t, 1000, 48000), pb)
	a.waitRegistered(20 * time.Second)
	b.waitRegistered(20 * time.Second)
	if got := a.api(`call("1002")`); got != "true" {
		t.Fatalf(`call("1002") = %s`, got)
	}
	b.waitCallState("ringing", 2, 20*time.Second)
	if got := b.api(`accept()`); got != "true" {
		t.Fatalf("accept() = %s", got)
	}
	a.waitCallState("connected", 1, 20*time.Second)
	b.waitCallState("connected", 2, 20*time.Second)
	if n := srv.RelayStats().Streams; n != 2 {
		t.Errorf("the relay holds %d streams, want one per page", n)
	}
	a.waitPCMHears(1000, 0, 20*time.Second)
	b.waitPCMHears(440, 0, 20*time.Second)
	if got := b.api(`hangup()`); got != "true" {
		t.Fatalf("hangup() = %s", got)
	}
	a.waitCallState("disconnected", 1, 10*time.Second)
	waitFor(t, "the relay to free both streams", 10*time.Second, func() bool { return srv.RelayStats().Streams == 0 })
}

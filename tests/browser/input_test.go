package browser

import (
	"context"
	"net"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	cdppage "github.com/chromedp/cdproto/page"
	"github.com/chromedp/chromedp"
	"github.com/emiago/sipgo/sip"
	"github.com/gobwas/ws"
	"github.com/gobwas/ws/wsutil"

	"github.com/opensoftphone/webphone/demoserver"
	"github.com/opensoftphone/webphone/sipcore"
	"github.com/opensoftphone/webphone/sipcore/nettransport"
)

// wsTap is a SIP-over-WebSocket relay between a page and the demo server
// that records every frame the server receives from the page.
type wsTap struct {
	ln     net.Listener
	target string

	mu     sync.Mutex
	frames []string
	conns  []net.Conn
}

// startWSTap listens on a free 127.0.0.1 port and relays to target (the
// demo server's WebSocket URL); it is closed when the test ends.
func startWSTap(t *testing.T, target string) *wsTap {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	w := &wsTap{ln: ln, target: target}
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			go w.serve(c)
		}
	}()
	t.Cleanup(func() {
		_ = ln.Close()
		w.mu.Lock()
		defer w.mu.Unlock()
		for _, c := range w.conns {
			_ = c.Close()
		}
	})
	return w
}

// URL is the WebSocket address pages use instead of the server's.
func (w *wsTap) URL() string { return "ws://" + w.ln.Addr().String() + "/ws" }

func (w *wsTap) serve(c net.Conn) {
	up := ws.Upgrader{Protocol: func(p []byte) bool { return string(p) == "sip" }}
	if _, err := up.Upgrade(c); err != nil {
		_ = c.Close()
		return
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	srv, _, _, err := ws.Dialer{Protocols: []string{"sip"}}.Dial(ctx, w.target)
	cancel()
	if err != nil {
		_ = c.Close()
		return
	}
	w.mu.Lock()
	w.conns = append(w.conns, c, srv)
	w.mu.Unlock()
	go func() {
		defer c.Close()
		for {
			data, op, err := wsutil.ReadServerData(srv)
			if err != nil || wsutil.WriteServerMessage(c, op, data) != nil {
				return
			}
		}
	}()
	defer srv.Close()
	for {
		data, op, err := wsutil.ReadClientData(c)
		if err != nil {
			return
		}
		w.mu.Lock()
		w.frames = append(w.frames, string(data))
		w.mu.Unlock()
		if wsutil.WriteClientMessage(srv, op, data) != nil {
			return
		}
	}
}

// requests returns the SIP requests of method the server received.
func (w *wsTap) requests(method string) []string {
	w.mu.Lock()
	defer w.mu.Unlock()
	var out []string
	for _, f := range w.frames {
		if strings.HasPrefix(f, method+" ") {
			out = append(out, f)
		}
	}
	return out
}

// checkClean fails the test for any received message that carries an
// injected header line or does not parse.
func (w *wsTap) checkClean(t *testing.T) {
	t.Helper()
	w.mu.Lock()
	frames := append([]string(nil), w.frames...)
	w.mu.Unlock()
	for _, f := range frames {
		if strings.Trim(f, "\r\n") == "" {
			continue
		}
		head, _, _ := strings.Cut(f, "\r\n\r\n")
		for _, l := range strings.Split(head, "\r\n")[1:] {
			if strings.HasPrefix(strings.ToLower(l), "x-injected") {
				t.Errorf("the server received an injected header:\n%s", f)
			}
		}
		if _, err := sip.ParseMessage([]byte(f)); err != nil {
			t.Errorf("the server received an unparsable message (%v):\n%s", err, f)
		}
	}
}

// A page whose display name comes with a line break from its URL
// (wp_displayname) and then through setparameter registers without it: the
// values are refused with a readable reason, not stored, and nothing the
// server receives carries the injected header. A display name with quotes
// and angle brackets is sent escaped: the REGISTER parses and registers.
func TestInjectedDisplayNameNeverReachesTheServer(t *testing.T) {
	srv := startDemo(t)
	tap := startWSTap(t, srv.WSURL())
	const wait = 20 * time.Second
	params := demoParams(srv, "1001")
	params["webrtcserveraddress"] = tap.URL()
	params["displayname"] = "a\r\nX-Injected: yes"
	p := openUIPage(t, "softphone 1001", srv.HTTPURL(), "softphone.html", toneWAV(t, 440, 48000), params, "")
	skinRegistered(t, p, wait)
	p.waitEvent("the reason for the refused URL value", wait, func(e event) bool {
		return e.Cb == "onEvent" && e.arg(0) == "display" &&
			strings.Contains(e.arg(1), "ERROR, parameter: displayname: contains a line break")
	})
	if got := p.api(`setparameter('displayname', 'b\r\nX-Injected: yes')`); got != "false" {
		t.Errorf("setparameter with a line break = %s, want false", got)
	}
	if got := p.api(`setparameter('displayname', 'cCRLFX-Injected: yes')`); got != "false" {
		t.Errorf("setparameter with CRLF = %s, want false", got)
	}
	var stored string
	p.eval(`JSON.stringify(localStorage)`, &stored)
	if strings.Contains(stored, "Injected") {
		t.Errorf("a refused value was stored: %s", stored)
	}
	if got := p.api(`getparameter('displayname')`); got != `""` {
		t.Errorf("getparameter('displayname') = %s, want \"\"", got)
	}

	const quoted = `x"><y \ "z"`
	if got := p.api(`setparameter('displayname', ` + jsString(quoted) + `)`); got != "true" {
		t.Fatalf("setparameter(%q) = %s, want true", quoted, got)
	}
	// the display name is taken at the next start
	if got := p.api(`stop()`); got != "true" {
		t.Fatalf("stop() = %s", got)
	}
	waitTrue(t, p, `!webphone_api.isregistered()`, wait)
	before := len(tap.requests("REGISTER"))
	if got := p.api(`start()`); got != "true" {
		t.Fatalf("start() = %s", got)
	}
	waitTrue(t, p, `webphone_api.isregistered()`, wait)
	deadline := time.Now().Add(wait)
	for len(tap.requests("REGISTER")) == before && time.Now().Before(deadline) {
		time.Sleep(100 * time.Millisecond)
	}
	regs := tap.requests("REGISTER")
	if len(regs) == before {
		t.Fatal("no REGISTER after register()")
	}
	msg, err := sip.ParseMessage([]byte(regs[len(regs)-1]))
	if err != nil {
		t.Fatalf("the REGISTER does not parse: %v\n%s", err, regs[len(regs)-1])
	}
	req := msg.(*sip.Request)
	if got := sipcore.UnescapeDisplayName(req.From().DisplayName); got != quoted {
		t.Errorf("From display name %q, want %q", got, quoted)
	}
	if got := req.From().Address.User; got != "1001" {
		t.Errorf("From user %q, want 1001", got)
	}
	tap.checkClean(t)
}

// hostilePeer is a native SIP phone registered as user whose display name
// is HTML.
func hostilePeer(t *testing.T, srv *demoserver.Server, user, name string) *sipcore.UA {
	t.Helper()
	cfg := sipcore.NewConfig()
	cfg.Address = srv.WSURL()
	cfg.Domain = srv.Domain()
	cfg.Username = user
	cfg.Password = "pass" + user
	cfg.DisplayName = name
	cfg.KeepaliveInterval = 0
	regs := make(chan string, 8)
	ua := sipcore.NewUA(cfg, nettransport.Dial, sipcore.Events{
		RegState: func(s sipcore.RegState, reason string) { regs <- string(s) + " " + reason },
	})
	if err := ua.Start(context.Background()); err != nil {
		t.Fatalf("peer %s: %v", user, err)
	}
	t.Cleanup(ua.Stop)
	for {
		select {
		case s := <-regs:
			if strings.HasPrefix(s, string(sipcore.RegRegistered)) {
				return ua
			}
			if strings.HasPrefix(s, string(sipcore.RegFailed)) {
				t.Fatalf("peer %s: registration %s", user, s)
			}
		case <-time.After(20 * time.Second):
			t.Fatalf("peer %s: not registered", user)
		}
	}
}

const peerSDP = "v=0\r\no=- 1 1 IN IP4 127.0.0.1\r\ns=-\r\nc=IN IP4 127.0.0.1\r\nt=0 0\r\nm=audio 4000 RTP/AVP 0\r\na=sendrecv\r\n"

// noScriptRan is true when no <img> made it into the page and none of the
// onerror handlers ran.
const noScriptRan = `document.querySelectorAll('img').length === 0 && window.__xss === undefined`

// A peer whose display name and chat text are HTML calls and chats:
// softphone.html and examples/basic.html show them as text and no script
// of theirs runs.
func TestPeerHTMLIsShownAsText(t *testing.T) {
	srv := startDemo(t)
	const wait = 20 * time.Second
	const name = `<img src=x onerror="window.__xss='name'">`
	const chat = `<img src=x onerror="window.__xss='chat'"> hi`
	peer := hostilePeer(t, srv, "1002", name)

	a := openUIPage(t, "softphone 1001", srv.HTTPURL(), "softphone.html", toneWAV(t, 440, 48000), demoParams(srv, "1001"), "")
	skinRegistered(t, a, wait)
	c, err := peer.Call("1001", []byte(peerSDP))
	if err != nil {
		t.Fatal(err)
	}
	a.waitText("#cardName", regexp.MustCompile(`^`+regexp.QuoteMeta(name)+`$`), wait)
	a.waitText("#cardState", regexp.MustCompile(`^Incoming call$`), wait)
	if _, err := peer.SendMessage("1001", "text/plain", []byte(chat)); err != nil {
		t.Fatal(err)
	}
	a.click("#tabChat")
	a.waitTextContains(`#threadList li[data-peer="1002"]`, chat, wait)
	a.click(`#threadList li[data-peer="1002"] button`)
	a.waitTextContains("#messages", chat, wait)
	waitTrue(t, a, noScriptRan, wait)
	_ = c.Hangup()
	a.waitText("#cardState", regexp.MustCompile(`^Missed call$`), wait)
	waitTrue(t, a, noScriptRan, wait)

	// examples/basic.html asks with confirm(), whose text must be the name
	// as it is.
	b := openUIPage(t, "basic 1003", srv.HTTPURL(), "examples/basic.html", toneWAV(t, 440, 48000), demoParams(srv, "1003"), "")
	dialogs := make(chan string, 4)
	if err := chromedp.Listen(b.ctx, func(ev any) {
		if d, ok := ev.(*cdppage.EventJavascriptDialogOpening); ok {
			select {
			case dialogs <- d.Message:
			default:
			}
		}
	}); err != nil {
		t.Fatal(err)
	}
	b.waitText("#state", regexp.MustCompile(`^registered$`), wait)
	c2, err := peer.Call("1003", []byte(peerSDP))
	if err != nil {
		t.Fatal(err)
	}
	select {
	case msg := <-dialogs:
		if msg != "Accept the call from "+name+"?" {
			t.Errorf("basic.html asks %q, want the display name as it is", msg)
		}
		ctx, cancel := context.WithTimeout(b.ctx, 10*time.Second)
		_, err := chromedp.Call(ctx, cdppage.HandleJavaScriptDialog, cdppage.HandleJavaScriptDialogParams{Accept: false})
		cancel()
		if err != nil {
			t.Fatalf("dismiss the confirm dialog: %v", err)
		}
	case <-time.After(wait):
		t.Fatal("basic.html did not ask to accept the call")
	}
	b.waitText("#state", regexp.MustCompile(`^call from 1002 on line \d+: ringing$`), wait)
	waitTrue(t, b, noScriptRan, wait)
	_ = c2.Hangup()
	b.waitText("#state", regexp.MustCompile(`disconnected$`), wait)
	waitTrue(t, b, noScriptRan, wait)
}

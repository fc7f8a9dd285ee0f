package browser

import (
	"context"
	"net"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gobwas/ws"
	"github.com/gobwas/ws/wsutil"

	"github.com/opensoftphone/webphone/sipcore"
	"github.com/opensoftphone/webphone/sipcore/nettransport"
)

// refusingServer is a bare SIP-over-WebSocket endpoint: on its first
// connection it sends one message with a body that is not UTF-8 in a *text*
// frame, which a browser must refuse by failing the connection (RFC 6455
// section 8.1); later connections are kept open and idle.
type refusingServer struct {
	url   string
	mu    sync.Mutex
	conns []net.Conn
	ch    chan int // the number of each accepted connection
}

func startRefusingServer(t *testing.T) *refusingServer {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	s := &refusingServer{url: "ws://" + ln.Addr().String() + "/ws", ch: make(chan int, 16)}
	srv := &http.Server{ReadHeaderTimeout: 10 * time.Second, Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		u := ws.HTTPUpgrader{Protocol: func(p string) bool { return p == "sip" }}
		conn, _, _, err := u.Upgrade(r, w)
		if err != nil {
			return
		}
		s.mu.Lock()
		s.conns = append(s.conns, conn)
		n := len(s.conns)
		s.mu.Unlock()
		s.ch <- n
		if n == 1 {
			msg := "MESSAGE sip:anonymous@x.invalid SIP/2.0\r\nVia: SIP/2.0/WS 127.0.0.1;branch=z9hG4bKbad1\r\n" +
				"From: <sip:1009@127.0.0.1>;tag=a\r\nTo: <sip:anonymous@127.0.0.1>\r\nCall-ID: bad1\r\nCSeq: 1 MESSAGE\r\n" +
				"Content-Type: text/plain;charset=iso-8859-1\r\nContent-Length: 5\r\n\r\ncaf\xe9!"
			_ = ws.WriteFrame(conn, ws.NewTextFrame([]byte(msg)))
		}
		for {
			if _, _, err := wsutil.ReadClientData(conn); err != nil {
				return
			}
		}
	})}
	go srv.Serve(ln)
	t.Cleanup(func() {
		_ = srv.Close()
		s.mu.Lock()
		defer s.mu.Unlock()
		for _, c := range s.conns {
			_ = c.Close()
		}
	})
	return s
}

func (s *refusingServer) waitConn(t *testing.T, n int, timeout time.Duration) {
	t.Helper()
	deadline := time.After(timeout)
	for {
		select {
		case got := <-s.ch:
			if got >= n {
				return
			}
		case <-deadline:
			t.Fatalf("no WebSocket connection #%d within %v", n, timeout)
		}
	}
}

func isEvent(cb, first, second string) func(e event) bool {
	return func(e event) bool { return e.Cb == cb && e.arg(0) == first && strings.HasPrefix(e.arg(1), second) }
}

// A page that does not register loses its WebSocket when the browser refuses
// a frame (the review's wedge): the page is told, the log says what the
// close code means, and the engine connects again.
func TestPageWithoutRegistrationReconnectsAfterTheBrowserRefusesAFrame(t *testing.T) {
	srv := startRefusingServer(t)
	base := serveStatic(t, makeSite(t))
	p := openPage(t, "page register=0", base, toneWAV(t, 440, 48000), map[string]string{
		"webrtcserveraddress": srv.url,
		"serveraddress":       "127.0.0.1",
		"register":            "0",
		"loglevel":            "1",
	})
	srv.waitConn(t, 1, 30*time.Second)
	p.waitEvent("display Connection lost", 20*time.Second, isEvent("onEvent", "display", ",Connection lost"))
	p.waitEvent("STATUS Connection lost", 5*time.Second, isEvent("onEvent", "event", "STATUS,-1,Connection lost"))
	srv.waitConn(t, 2, 20*time.Second)
	waitFor(t, "STATUS,-1,Ready. again", 20*time.Second, func() bool {
		return p.count(isEvent("onEvent", "event", "STATUS,-1,Ready.")) >= 2
	})
	var logs []string
	p.eval(`T.logs`, &logs)
	all := strings.Join(logs, "\n")
	for _, want := range []string{
		"WARNING, connection lost (websocket closed: code 1006",
		"the browser refused that frame",
		"EVENT, reconnected",
	} {
		if !strings.Contains(all, want) {
			t.Errorf("page log lacks %q:\n%s", want, all)
		}
	}
}

// A MESSAGE whose body is not UTF-8 (Latin-1 text) travels from a native
// phone through the demo server to a page in binary frames and arrives;
// relayed as text it used to kill the page's WebSocket.
func TestNonUTF8MessageReachesThePageThroughTheDemoServer(t *testing.T) {
	srv := startDemo(t)
	p := openPage(t, "page 1002", srv.HTTPURL(), toneWAV(t, 440, 48000), demoParams(srv, "1002"))
	p.waitRegistered(20 * time.Second)

	cfg := sipcore.NewConfig()
	cfg.Address, cfg.Domain, cfg.Username, cfg.Password = srv.WSURL(), srv.Domain(), "1001", "pass1001"
	cfg.Register = false
	results := make(chan string, 4)
	ua := sipcore.NewUA(cfg, nettransport.Dial, sipcore.Events{
		MessageResult: func(_, _ string, code int, reason string) { results <- reason },
	})
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	if err := ua.Start(ctx); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(ua.Stop)
	if err := ua.Register(); err != nil {
		t.Fatal(err)
	}
	if _, err := ua.SendMessage("sip:1002@"+srv.Domain(), "text/plain;charset=iso-8859-1", []byte("caf\xe9 cr\xe8me")); err != nil {
		t.Fatal(err)
	}
	chat := p.waitEvent("onChat", 20*time.Second, func(e event) bool { return e.Cb == "onChat" && e.arg(0) == "1001" })
	if !strings.HasPrefix(chat.arg(1), "caf") || !strings.Contains(chat.arg(1), "cr") {
		t.Errorf("onChat text = %q", chat.arg(1))
	}
	select {
	case r := <-results:
		if r != "OK" {
			t.Errorf("MESSAGE answered %q", r)
		}
	case <-time.After(20 * time.Second):
		t.Error("no answer to the MESSAGE")
	}
	if n := p.count(isEvent("onEvent", "display", ",Connection lost")); n != 0 {
		t.Errorf("the page lost its connection %d times", n)
	}
}

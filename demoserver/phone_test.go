package demoserver

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"io"
	"log/slog"
	"net"
	"os"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/emiago/sipgo"
	"github.com/emiago/sipgo/sip"
	"github.com/stretchr/testify/require"
)

// Test timeouts: generous upper bounds that only matter on failure.
const waitLong = 10 * time.Second

func TestMain(m *testing.M) {
	// sipgo logs some events through slog.Default; keep test output readable.
	slog.SetDefault(slog.New(slog.NewTextHandler(io.Discard, nil)))
	os.Exit(m.Run())
}

func quietLogger() *slog.Logger { return slog.New(slog.NewTextHandler(io.Discard, nil)) }

// startServer starts a demo server on free ports and stops it at cleanup.
func startServer(t *testing.T, www string) *Server {
	t.Helper()
	return startServerWith(t, Options{WWWDir: www})
}

// startServerWith starts a demo server with opts on free ports.
func startServerWith(t *testing.T, opts Options) *Server {
	t.Helper()
	opts.Addr, opts.UDPAddr, opts.Logger = "127.0.0.1:0", "127.0.0.1:0", quietLogger()
	s, err := New(opts)
	require.NoError(t, err)
	require.NoError(t, s.Start(context.Background()))
	t.Cleanup(func() { s.Close() })
	return s
}

func randHex(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}

// phone is a sipgo user agent acting as a softphone over WS or UDP.
type phone struct {
	t       *testing.T
	user    string
	pass    string
	network string // "WS" or "UDP"
	server  string // demo server host:port for network
	domain  string

	ua      *sipgo.UserAgent
	cl      *sipgo.Client
	contact sip.ContactHeader
	dsc     *sipgo.DialogServerCache
	dcc     *sipgo.DialogClientCache

	// onInvite runs inside the INVITE handler (default: 180 then 200); set
	// it with setOnInvite (the race detector cannot see socket ordering).
	mu       sync.Mutex
	onInvite func(d *sipgo.DialogServerSession)

	invites  chan *sipgo.DialogServerSession
	acks     chan *sip.Request
	byes     chan *sip.Request
	messages chan *sip.Request
	others   chan *sip.Request // INFO, UPDATE, NOTIFY, SUBSCRIBE (answered 200)
}

func newPhone(t *testing.T, ds *Server, network, user string) *phone {
	t.Helper()
	p := &phone{
		t: t, user: user, pass: DefaultAccounts()[user], network: network, domain: ds.Domain(),
		invites: make(chan *sipgo.DialogServerSession, 4), acks: make(chan *sip.Request, 4),
		byes: make(chan *sip.Request, 4), messages: make(chan *sip.Request, 4), others: make(chan *sip.Request, 4),
	}
	ua, err := sipgo.NewUA(sipgo.WithUserAgent(user), sipgo.WithUserAgentHostname(ds.Domain()),
		sipgo.WithUserAgentTransportLayerOptions(sip.WithTransportLayerLogger(quietLogger())),
		sipgo.WithUserAgentTransactionLayerOptions(sip.WithTransactionLayerLogger(quietLogger())))
	require.NoError(t, err)
	p.ua = ua
	srv, err := sipgo.NewServer(ua, sipgo.WithServerLogger(quietLogger()))
	require.NoError(t, err)

	var opts []sipgo.ClientOption
	opts = append(opts, sipgo.WithClientLogger(quietLogger()))
	switch network {
	case "UDP":
		pc, err := net.ListenPacket("udp", "127.0.0.1:0")
		require.NoError(t, err)
		laddr := pc.LocalAddr().String()
		go srv.ServeUDP(pc)
		require.Eventually(t, func() bool {
			c, _ := ua.TransportLayer().GetConnection("udp", laddr)
			return c != nil
		}, waitLong, time.Millisecond)
		opts = append(opts, sipgo.WithClientConnectionAddr(laddr))
		port := pc.LocalAddr().(*net.UDPAddr).Port
		p.contact = sip.ContactHeader{Address: sip.Uri{Scheme: "sip", User: user, Host: "127.0.0.1", Port: port}}
		p.server = ds.UDPAddr()
	case "WS":
		p.contact = sip.ContactHeader{Address: sip.Uri{Scheme: "sip", User: randHex(4), Host: randHex(6) + ".invalid",
			UriParams: sip.HeaderParams{{K: "transport", V: "ws"}}}}
		u := ds.WSURL()
		p.server = u[len("ws://") : len(u)-len("/ws")]
	}
	cl, err := sipgo.NewClient(ua, opts...)
	require.NoError(t, err)
	p.cl = cl
	p.dsc = sipgo.NewDialogServerCache(cl, p.contact)
	p.dcc = sipgo.NewDialogClientCache(cl, p.contact)
	p.onInvite = func(d *sipgo.DialogServerSession) {
		_ = d.Respond(sip.StatusRinging, "Ringing", nil)
		_ = d.RespondSDP([]byte("v=0\r\no=- 2 2 IN IP4 127.0.0.1\r\ns=-\r\nc=IN IP4 127.0.0.1\r\nt=0 0\r\nm=audio 4002 RTP/AVP 0\r\n"))
	}

	srv.OnInvite(func(req *sip.Request, tx sip.ServerTransaction) {
		d, err := p.dsc.ReadInvite(req, tx)
		if err != nil {
			_ = tx.Respond(sip.NewResponseFromRequest(req, 400, err.Error(), nil))
			return
		}
		p.invites <- d
		p.mu.Lock()
		behave := p.onInvite
		p.mu.Unlock()
		behave(d)
	})
	srv.OnAck(func(req *sip.Request, tx sip.ServerTransaction) {
		_ = p.dsc.ReadAck(req, tx)
		p.acks <- req
	})
	srv.OnBye(func(req *sip.Request, tx sip.ServerTransaction) {
		if err := p.dsc.ReadBye(req, tx); err != nil {
			if err := p.dcc.ReadBye(req, tx); err != nil {
				_ = tx.Respond(sip.NewResponseFromRequest(req, 481, "No Dialog", nil))
			}
		}
		p.byes <- req
	})
	srv.OnMessage(func(req *sip.Request, tx sip.ServerTransaction) {
		_ = tx.Respond(sip.NewResponseFromRequest(req, 200, "OK", nil))
		p.messages <- req
	})
	for _, m := range []sip.RequestMethod{sip.INFO, sip.UPDATE, sip.NOTIFY, sip.SUBSCRIBE} {
		srv.OnRequest(m, func(req *sip.Request, tx sip.ServerTransaction) {
			res := sip.NewResponseFromRequest(req, 200, "OK", nil)
			res.AppendHeader(sip.HeaderClone(&p.contact))
			_ = tx.Respond(res)
			p.others <- req
		})
	}
	t.Cleanup(func() { ua.Close() })
	return p
}

func (p *phone) setOnInvite(f func(d *sipgo.DialogServerSession)) {
	p.mu.Lock()
	p.onInvite = f
	p.mu.Unlock()
}

// aor is the user's address of record at the demo domain.
func (p *phone) aor(user string) sip.Uri {
	return sip.Uri{Scheme: "sip", User: user, Host: p.domain}
}

func (p *phone) newRequest(method sip.RequestMethod, to sip.Uri) *sip.Request {
	req := sip.NewRequest(method, to)
	from := &sip.FromHeader{Address: p.aor(p.user), Params: sip.NewParams()}
	from.Params.Add("tag", randHex(6))
	req.AppendHeader(from)
	req.AppendHeader(&sip.ToHeader{Address: sip.Uri{Scheme: "sip", User: to.User, Host: to.Host}, Params: sip.NewParams()})
	req.SetTransport(p.network)
	req.SetDestination(p.server)
	return req
}

// do sends a request and answers a 401/407 challenge with the password.
func (p *phone) do(req *sip.Request, password string) *sip.Response {
	p.t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), waitLong)
	defer cancel()
	res, err := p.cl.Do(ctx, req)
	require.NoError(p.t, err)
	if res.StatusCode == 401 || res.StatusCode == 407 {
		res, err = p.cl.DoDigestAuth(ctx, req, res, sipgo.DigestAuth{Username: p.user, Password: password})
		require.NoError(p.t, err)
	}
	return res
}

// registerWith sends REGISTER (Expires given, -1 = none) with password.
func (p *phone) registerWith(password string, expires int) *sip.Response {
	p.t.Helper()
	req := p.newRequest(sip.REGISTER, sip.Uri{Scheme: "sip", Host: p.domain})
	to := req.To()
	to.Address.User = p.user
	req.AppendHeader(sip.HeaderClone(&p.contact))
	if expires >= 0 {
		req.AppendHeader(sip.NewHeader("Expires", strconv.Itoa(expires)))
	}
	return p.do(req, password)
}

func (p *phone) register() {
	p.t.Helper()
	res := p.registerWith(p.pass, 300)
	require.Equal(p.t, 200, res.StatusCode, res.StartLine())
}

// call sends an INVITE to user and waits for the final answer.
func (p *phone) call(user string) (*sipgo.DialogClientSession, error) {
	ctx, cancel := context.WithTimeout(context.Background(), waitLong)
	defer cancel()
	return p.callCtx(ctx, user)
}

func (p *phone) callCtx(ctx context.Context, user string) (*sipgo.DialogClientSession, error) {
	req := p.newRequest(sip.INVITE, p.aor(user))
	req.AppendHeader(sip.NewHeader("Content-Type", "application/sdp"))
	req.SetBody([]byte("v=0\r\no=- 1 1 IN IP4 127.0.0.1\r\ns=-\r\nc=IN IP4 127.0.0.1\r\nt=0 0\r\nm=audio 4000 RTP/AVP 0\r\n"))
	d, err := p.dcc.WriteInvite(ctx, req)
	if err != nil {
		return nil, err
	}
	return d, d.WaitAnswer(ctx, sipgo.AnswerOptions{Username: p.user, Password: p.pass})
}

func recv[T any](t *testing.T, ch <-chan T, what string) T {
	t.Helper()
	select {
	case v := <-ch:
		return v
	case <-time.After(waitLong):
		t.Fatalf("timeout waiting for %s", what)
		var zero T
		return zero
	}
}

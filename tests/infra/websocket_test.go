package infra

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/emiago/sipgo"
	"github.com/emiago/sipgo/sip"
)

// wsUser is a minimal RFC 7118 SIP user agent over WebSocket (sipgo), used
// to prove Kamailio reaches WebSocket clients through their connection.
type wsUser struct {
	t       *testing.T
	k       *Kamailio
	user    string
	client  *sipgo.Client
	contact sip.ContactHeader
	invites chan *sip.Request
	acks    chan *sip.Request
	byes    chan *sip.Request
	subs    chan *sip.Request
	notifys chan *sip.Request
	answer  func(req *sip.Request) (int, []byte)
}

func newWSUser(t *testing.T, k *Kamailio, user string) *wsUser {
	t.Helper()
	ua, err := sipgo.NewUA(sipgo.WithUserAgent(user), sipgo.WithUserAgentHostname("127.0.0.1"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ua.Close() })
	client, err := sipgo.NewClient(ua)
	if err != nil {
		t.Fatal(err)
	}
	srv, err := sipgo.NewServer(ua)
	if err != nil {
		t.Fatal(err)
	}
	u := &wsUser{t: t, k: k, user: user, client: client,
		invites: make(chan *sip.Request, 4), acks: make(chan *sip.Request, 4), byes: make(chan *sip.Request, 4),
		subs: make(chan *sip.Request, 4), notifys: make(chan *sip.Request, 4)}
	u.contact = sip.ContactHeader{Address: sip.Uri{Scheme: "sip", User: user, Host: "df7jal23ls0d.invalid",
		UriParams: sip.NewParams()}}
	u.contact.Address.UriParams.Add("transport", "ws")
	srv.OnInvite(func(req *sip.Request, tx sip.ServerTransaction) {
		u.invites <- req
		code, body := 486, []byte(nil)
		if u.answer != nil {
			code, body = u.answer(req)
		}
		res := sip.NewResponseFromRequest(req, code, "Answer", body)
		if to := res.To(); to != nil {
			to.Params.Add("tag", "wsuser"+user)
		}
		if code < 300 {
			res.AppendHeader(&u.contact)
			res.AppendHeader(sip.NewHeader("Content-Type", "application/sdp"))
		}
		_ = tx.Respond(res)
	})
	srv.OnAck(func(req *sip.Request, tx sip.ServerTransaction) { u.acks <- req })
	srv.OnSubscribe(func(req *sip.Request, tx sip.ServerTransaction) {
		res := sip.NewResponseFromRequest(req, 200, "OK", nil)
		res.To().Params.Add("tag", "wsuser"+user)
		res.AppendHeader(&u.contact)
		res.AppendHeader(sip.NewHeader("Expires", "60"))
		_ = tx.Respond(res)
		u.subs <- req
	})
	srv.OnNotify(func(req *sip.Request, tx sip.ServerTransaction) {
		_ = tx.Respond(sip.NewResponseFromRequest(req, 200, "OK", nil))
		u.notifys <- req
	})
	srv.OnBye(func(req *sip.Request, tx sip.ServerTransaction) {
		_ = tx.Respond(sip.NewResponseFromRequest(req, 200, "OK", nil))
		u.byes <- req
	})
	return u
}

// notifyFor sends the NOTIFY of the subscription sub (received by u) back
// along its route set, and returns the final status.
func (u *wsUser) notifyFor(sub *sip.Request, body string) int {
	u.t.Helper()
	req := sip.NewRequest(sip.NOTIFY, sub.Contact().Address)
	req.SetTransport("WS")
	rrs := sub.GetHeaders("Record-Route")
	for _, rr := range rrs {
		req.AppendHeader(sip.NewHeader("Route", rr.Value()))
	}
	if len(rrs) == 0 {
		u.t.Fatalf("SUBSCRIBE came without Record-Route:\n%s", sub)
	}
	from := sub.To().AsFrom()
	from.Params.Add("tag", "wsuser"+u.user)
	req.AppendHeader(&from)
	to := sub.From().AsTo()
	req.AppendHeader(&to)
	req.AppendHeader(sip.HeaderClone(sub.CallID()))
	req.AppendHeader(&sip.CSeqHeader{SeqNo: 1, MethodName: sip.NOTIFY})
	req.AppendHeader(&u.contact)
	req.AppendHeader(sip.NewHeader("Event", "presence"))
	req.AppendHeader(sip.NewHeader("Subscription-State", "active;expires=60"))
	req.AppendHeader(sip.NewHeader("Content-Type", "text/plain"))
	req.SetBody([]byte(body))
	req.SetDestination(req.Route().Address.HostPort())
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	res, err := u.client.Do(ctx, req)
	if err != nil {
		u.t.Fatalf("NOTIFY: %v", err)
	}
	return res.StatusCode
}

// uri is a SIP URI of this Kamailio's WebSocket listener for user.
func (u *wsUser) uri(user string) sip.Uri {
	_, port, _ := splitHostPortInt(u.k.WSAddr)
	uri := sip.Uri{Scheme: "sip", User: user, Host: u.k.Domain, Port: port, UriParams: sip.NewParams()}
	uri.UriParams.Add("transport", "ws")
	return uri
}

func (u *wsUser) request(method sip.RequestMethod, to string) *sip.Request {
	req := sip.NewRequest(method, u.uri(to))
	req.SetTransport("WS")
	from := &sip.FromHeader{Address: sip.Uri{Scheme: "sip", User: u.user, Host: u.k.Domain}, Params: sip.NewParams()}
	from.Params.Add("tag", sip.GenerateTagN(12))
	req.AppendHeader(from)
	toUser := to
	if toUser == "" {
		toUser = u.user
	}
	req.AppendHeader(&sip.ToHeader{Address: sip.Uri{Scheme: "sip", User: toUser, Host: u.k.Domain}})
	return req
}

// do sends req, answering one digest challenge with password; it returns
// the first and the final status codes.
func (u *wsUser) do(req *sip.Request, password string) (first, final int) {
	u.t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	res, err := u.client.Do(ctx, req)
	if err != nil {
		u.t.Fatalf("%s over WebSocket: %v\n%s", req.Method, err, u.k.Log())
	}
	first = res.StatusCode
	if res.StatusCode == 401 || res.StatusCode == 407 {
		res, err = u.client.DoDigestAuth(ctx, req, res, sipgo.DigestAuth{Username: u.user, Password: password})
		if err != nil {
			u.t.Fatalf("%s with credentials: %v", req.Method, err)
		}
	}
	return first, res.StatusCode
}

func (u *wsUser) register(password string) (first, final int) {
	req := u.request(sip.REGISTER, "")
	req.Recipient.User = ""
	req.AppendHeader(&u.contact)
	req.AppendHeader(sip.NewHeader("Expires", "600"))
	return u.do(req, password)
}

func receive(t *testing.T, ch chan *sip.Request, what string) *sip.Request {
	t.Helper()
	select {
	case r := <-ch:
		return r
	case <-time.After(10 * time.Second):
		t.Fatalf("the WebSocket client received no %s", what)
		return nil
	}
}

const browserOfferSDP = "v=0\r\no=- 1 1 IN IP4 127.0.0.1\r\ns=-\r\nt=0 0\r\n" +
	"m=audio 40000 UDP/TLS/RTP/SAVPF 0 8 101\r\nc=IN IP4 127.0.0.1\r\n" +
	"a=rtpmap:0 PCMU/8000\r\na=rtpmap:8 PCMA/8000\r\na=rtpmap:101 telephone-event/8000\r\n" +
	"a=ice-ufrag:abcd\r\na=ice-pwd:abcdefghijklmnopqrstuvwx\r\n" +
	"a=fingerprint:sha-256 4A:AD:B9:B1:3F:82:18:3B:54:02:12:DF:3E:5D:49:6B:19:E5:7C:AB:4A:AD:B9:B1:3F:82:18:3B:54:02:12:DF\r\n" +
	"a=setup:actpass\r\na=mid:0\r\na=rtcp-mux\r\na=sendrecv\r\n" +
	"a=candidate:1 1 udp 2130706431 127.0.0.1 40000 typ host\r\n"

const browserAnswerSDP = "v=0\r\no=- 2 1 IN IP4 127.0.0.1\r\ns=-\r\nt=0 0\r\n" +
	"m=audio 40002 UDP/TLS/RTP/SAVPF 0 101\r\nc=IN IP4 127.0.0.1\r\n" +
	"a=rtpmap:0 PCMU/8000\r\na=rtpmap:101 telephone-event/8000\r\n" +
	"a=ice-ufrag:efgh\r\na=ice-pwd:abcdefghijklmnopqrstuvwx\r\n" +
	"a=fingerprint:sha-256 4A:AD:B9:B1:3F:82:18:3B:54:02:12:DF:3E:5D:49:6B:19:E5:7C:AB:4A:AD:B9:B1:3F:82:18:3B:54:02:12:DF\r\n" +
	"a=setup:active\r\na=mid:0\r\na=rtcp-mux\r\na=sendrecv\r\n" +
	"a=candidate:1 1 udp 2130706431 127.0.0.1 40002 typ host\r\n"

// assertBrowserSDP checks the flags toward a WebSocket hop took effect.
func assertBrowserSDP(t *testing.T, sdp string) {
	t.Helper()
	for _, want := range []string{"UDP/TLS/RTP/SAVPF", "a=ice-ufrag:", "a=fingerprint:", "a=rtcp-mux", "a=mid:", "a=setup:"} {
		if !strings.Contains(sdp, want) {
			t.Fatalf("SDP toward the WebSocket client lacks %q:\n%s", want, sdp)
		}
	}
	if strings.Contains(sdp, "a=crypto:") {
		t.Fatalf("SDP toward the WebSocket client carries SDES crypto:\n%s", sdp)
	}
}

func TestKamailioWebSocketClientAuthAndReachability(t *testing.T) {
	r := StartRtpengine(t)
	k := StartKamailio(t, KamailioOptions{Users: map[string]string{"alice": "alicepw", "carol": "carolpw"}, RtpengineNG: r.NGAddr})
	alice := StartBaresip(t, BaresipOptions{User: "alice", Password: "alicepw", Registrar: k.UDPAddr, AutoAnswer: true})
	carol := newWSUser(t, k, "carol")

	if _, final := carol.do(carol.request(sip.OPTIONS, ""), ""); final != 200 {
		t.Fatalf("OPTIONS to the server over WebSocket: %d, want 200", final)
	}
	bad := newWSUser(t, k, "carol")
	if first, final := bad.register("wrong"); first != 401 || final != 403 {
		t.Fatalf("REGISTER with a wrong password: %d then %d, want 401 then 403", first, final)
	}
	if first, final := carol.register("carolpw"); first != 401 || final != 200 {
		t.Fatalf("REGISTER over WebSocket: %d then %d, want 401 then 200\n%s", first, final, k.Log())
	}

	// A UDP phone calls the WebSocket client: the INVITE must come through
	// carol's own connection with WebRTC media from rtpengine; ACK and BYE
	// must follow the same way.
	carol.answer = func(req *sip.Request) (int, []byte) { return 200, []byte(browserAnswerSDP) }
	if err := alice.Dial("sip:carol@" + k.UDPAddr); err != nil {
		t.Fatal(err)
	}
	inv := receive(t, carol.invites, "INVITE")
	assertBrowserSDP(t, string(inv.Body()))
	if _, err := alice.WaitEvent("CALL_ESTABLISHED", 10*time.Second); err != nil {
		t.Fatalf("alice: %v\n%s", err, k.Log())
	}
	receive(t, carol.acks, "ACK")
	if !sdpUsesPortRange(alice.Log(), r.PortMin, r.PortMax) || strings.Contains(alice.Log(), "SAVPF") {
		t.Fatalf("alice's answer SDP is not plain RTP from rtpengine:\n%s", alice.Log())
	}
	if err := alice.Hangup(); err != nil {
		t.Fatal(err)
	}
	receive(t, carol.byes, "BYE")
	if _, err := alice.WaitEvent("CALL_CLOSED", 5*time.Second); err != nil {
		t.Fatal(err)
	}

	// The WebSocket client calls the phone: 407 first, then the answer comes
	// back with WebRTC media; ACK and BYE reach the phone.
	dua := sipgo.DialogUA{Client: carol.client, ContactHDR: carol.contact}
	req := carol.request(sip.INVITE, "alice")
	req.AppendHeader(sip.NewHeader("Content-Type", "application/sdp"))
	req.SetBody([]byte(browserOfferSDP))
	ctx, cancel := context.WithTimeout(context.Background(), 15*time.Second)
	defer cancel()
	var codes []int
	sess, err := dua.WriteInvite(ctx, req)
	if err != nil {
		t.Fatal(err)
	}
	err = sess.WaitAnswer(ctx, sipgo.AnswerOptions{Username: "carol", Password: "carolpw",
		OnResponse: func(res *sip.Response) error { codes = append(codes, res.StatusCode); return nil }})
	if err != nil {
		t.Fatalf("INVITE from the WebSocket client: %v (responses %v)\n%s", err, codes, k.Log())
	}
	if len(codes) == 0 || codes[0] != 407 {
		t.Fatalf("INVITE responses %v, want a 407 challenge first", codes)
	}
	assertBrowserSDP(t, string(sess.InviteResponse.Body()))
	if err := sess.Ack(ctx); err != nil {
		t.Fatal(err)
	}
	if _, err := alice.WaitEvent("CALL_ESTABLISHED", 10*time.Second); err != nil {
		t.Fatal(err)
	}
	if err := sess.Bye(ctx); err != nil {
		t.Fatalf("BYE from the WebSocket client: %v", err)
	}
	if _, err := alice.WaitEvent("CALL_CLOSED", 5*time.Second); err != nil {
		t.Fatal(err)
	}

	// MESSAGE from the WebSocket client is challenged, then delivered.
	msg := carol.request(sip.MESSAGE, "alice")
	msg.AppendHeader(sip.NewHeader("Content-Type", "text/plain"))
	msg.SetBody([]byte("hello alice"))
	if first, final := carol.do(msg, "carolpw"); first != 407 || final != 200 {
		t.Fatalf("MESSAGE: %d then %d, want 407 then 200", first, final)
	}
	if !strings.Contains(alice.Log(), "hello alice") {
		t.Fatalf("alice did not get the MESSAGE:\n%s", alice.Log())
	}
}

func TestKamailioSubscribeNotifyBetweenWebSocketClients(t *testing.T) {
	k := StartKamailio(t, KamailioOptions{Users: map[string]string{"carol": "carolpw", "dave": "davepw"}})
	carol, dave := newWSUser(t, k, "carol"), newWSUser(t, k, "dave")
	for _, u := range []*wsUser{carol, dave} {
		if _, final := u.register(u.user + "pw"); final != 200 {
			t.Fatalf("%s REGISTER: %d", u.user, final)
		}
	}
	sub := carol.request(sip.SUBSCRIBE, "dave")
	sub.AppendHeader(&carol.contact)
	sub.AppendHeader(sip.NewHeader("Event", "presence"))
	sub.AppendHeader(sip.NewHeader("Expires", "60"))
	if first, final := carol.do(sub, "carolpw"); first != 407 || final != 200 {
		t.Fatalf("SUBSCRIBE: %d then %d, want 407 then 200\n%s", first, final, k.Log())
	}
	got := receive(t, dave.subs, "SUBSCRIBE")
	if code := dave.notifyFor(got, "open"); code != 200 {
		t.Fatalf("in-dialog NOTIFY: %d, want 200 from carol\n%s", code, k.Log())
	}
	n := receive(t, carol.notifys, "NOTIFY")
	if string(n.Body()) != "open" {
		t.Fatalf("NOTIFY body %q", n.Body())
	}
}

func TestKamailioForwardsInDialogRequests(t *testing.T) {
	k := StartKamailio(t, KamailioOptions{Users: map[string]string{"alice": "alicepw", "carol": "carolpw"}})
	alice := StartBaresip(t, BaresipOptions{User: "alice", Password: "alicepw", Registrar: k.UDPAddr, AutoAnswer: true})
	carol := newWSUser(t, k, "carol")
	if _, final := carol.register("carolpw"); final != 200 {
		t.Fatalf("REGISTER: %d", final)
	}
	dua := sipgo.DialogUA{Client: carol.client, ContactHDR: carol.contact}
	req := carol.request(sip.INVITE, "alice")
	req.AppendHeader(sip.NewHeader("Content-Type", "application/sdp"))
	req.SetBody([]byte(phoneOfferSDP))
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	sess, err := dua.WriteInvite(ctx, req)
	if err != nil {
		t.Fatal(err)
	}
	if err := sess.WaitAnswer(ctx, sipgo.AnswerOptions{Username: "carol", Password: "carolpw"}); err != nil {
		t.Fatalf("INVITE: %v\n%s", err, k.Log())
	}
	if err := sess.Ack(ctx); err != nil {
		t.Fatal(err)
	}
	if _, err := alice.WaitEvent("CALL_ESTABLISHED", 10*time.Second); err != nil {
		t.Fatal(err)
	}
	inDialog := func(method sip.RequestMethod, contentType, body string, hdrs ...sip.Header) *sip.Response {
		t.Helper()
		r := sip.NewRequest(method, sess.InviteResponse.Contact().Address)
		r.SetTransport("WS")
		for _, h := range hdrs {
			r.AppendHeader(h)
		}
		if contentType != "" {
			r.AppendHeader(sip.NewHeader("Content-Type", contentType))
			r.SetBody([]byte(body))
		}
		res, err := sess.Do(ctx, r)
		if err != nil {
			t.Fatalf("%s in dialog: %v", method, err)
		}
		if !strings.Contains(alice.Log(), string(method)+" sip:") {
			t.Fatalf("%s did not reach baresip (answered %d):\n%s", method, res.StatusCode, k.Log())
		}
		return res
	}
	if res := inDialog(sip.INFO, "application/dtmf-relay", "Signal=5\r\nDuration=160\r\n"); res.StatusCode != 200 {
		t.Fatalf("INFO answered %d", res.StatusCode)
	}
	if _, err := alice.WaitEvent("CALL_DTMF_START", 5*time.Second); err != nil || alice.ReceivedDTMF() != "5" {
		t.Fatalf("INFO dtmf-relay: baresip reported %q (%v)", alice.ReceivedDTMF(), err)
	}
	inDialog(sip.UPDATE, "", "")
	inDialog(sip.REFER, "", "", sip.NewHeader("Refer-To", "<sip:nobody@127.0.0.1>"))
	_ = sess.Bye(ctx)
}

const phoneOfferSDP = "v=0\r\no=- 1 1 IN IP4 127.0.0.1\r\ns=-\r\nt=0 0\r\n" +
	"m=audio 40000 RTP/AVP 0 101\r\nc=IN IP4 127.0.0.1\r\n" +
	"a=rtpmap:0 PCMU/8000\r\na=rtpmap:101 telephone-event/8000\r\na=sendrecv\r\n"

func TestKamailioAcceptsPunctuationPasswordsAndNoUsers(t *testing.T) {
	StartKamailio(t, KamailioOptions{}) // an empty user table is a valid config
	const pw = "p w!#%&'()*+,-./:;<=>?@[]^_`{|}~"
	k := StartKamailio(t, KamailioOptions{Users: map[string]string{"x.y-z": pw}})
	u := newWSUser(t, k, "x.y-z")
	if first, final := u.register(pw); first != 401 || final != 200 {
		t.Fatalf("REGISTER with a punctuation password: %d then %d", first, final)
	}
}

func TestKamailioRefusesCredentialsOfAnotherUser(t *testing.T) {
	k := StartKamailio(t, KamailioOptions{Users: map[string]string{"alice": "alicepw", "carol": "carolpw"}})
	carol := newWSUser(t, k, "carol")
	carol.user = "alice" // digest username alice, but From/To stay carol's
	req := carol.request(sip.REGISTER, "")
	req.Recipient.User = ""
	for _, h := range []sip.Header{req.From(), req.To()} {
		switch v := h.(type) {
		case *sip.FromHeader:
			v.Address.User = "carol"
		case *sip.ToHeader:
			v.Address.User = "carol"
		}
	}
	req.AppendHeader(&carol.contact)
	if first, final := carol.do(req, "alicepw"); first != 401 || final != 403 {
		t.Fatalf("REGISTER of carol with alice's credentials: %d then %d, want 401 then 403", first, final)
	}
}

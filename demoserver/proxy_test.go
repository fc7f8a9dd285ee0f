package demoserver

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/emiago/sipgo"
	"github.com/emiago/sipgo/sip"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// requireFinal asserts that a dialog attempt ended with the given status.
func requireFinal(t *testing.T, err error, code int) {
	t.Helper()
	var de *sipgo.ErrDialogResponse
	require.Error(t, err)
	require.True(t, errors.As(err, &de), "want a SIP final response, got %v", err)
	assert.Equal(t, code, de.Res.StatusCode, de.Res.StartLine())
}

// callAndHangUp checks a full call from a to b through the proxy: INVITE
// reaches b, 200 reaches a, a's ACK and BYE reach b, BYE gets 200.
func callAndHangUp(t *testing.T, a, b *phone) {
	t.Helper()
	d, err := a.call(b.user)
	require.NoError(t, err)
	in := recv(t, b.invites, "INVITE at callee")
	assert.Equal(t, a.user, in.InviteRequest.From().Address.User)
	assert.Contains(t, string(in.InviteRequest.Body()), "m=audio 4000")
	assert.Contains(t, string(d.InviteResponse.Body()), "m=audio 4002", "callee SDP reaches caller")
	require.NotEmpty(t, d.InviteResponse.GetHeaders("Record-Route"), "proxy must record-route")

	ctx, cancel := context.WithTimeout(context.Background(), waitLong)
	defer cancel()
	require.NoError(t, d.Ack(ctx))
	ack := recv(t, b.acks, "ACK at callee")
	assert.Equal(t, d.InviteRequest.CallID().Value(), ack.CallID().Value())

	require.NoError(t, d.Bye(ctx), "BYE through the proxy gets 200")
	bye := recv(t, b.byes, "BYE at callee")
	assert.Equal(t, d.InviteRequest.CallID().Value(), bye.CallID().Value())
}

func TestCallWSToWS(t *testing.T) {
	ds := startServer(t, "")
	a := newPhone(t, ds, "WS", "1001")
	b := newPhone(t, ds, "WS", "1002")
	a.register()
	b.register()
	callAndHangUp(t, a, b)
}

func TestCallUDPToWSAndBack(t *testing.T) {
	ds := startServer(t, "")
	ws := newPhone(t, ds, "WS", "1001")
	udp := newPhone(t, ds, "UDP", "1003")
	ws.register()
	udp.register()
	callAndHangUp(t, udp, ws)
	callAndHangUp(t, ws, udp)
}

func TestCalleeHangsUpThroughProxy(t *testing.T) {
	ds := startServer(t, "")
	a := newPhone(t, ds, "WS", "1001")
	b := newPhone(t, ds, "UDP", "1004")
	a.register()
	b.register()
	d, err := a.call("1004")
	require.NoError(t, err)
	ctx, cancel := context.WithTimeout(context.Background(), waitLong)
	defer cancel()
	require.NoError(t, d.Ack(ctx))
	in := recv(t, b.invites, "INVITE at callee")
	recv(t, b.acks, "ACK at callee")

	require.NoError(t, in.Bye(ctx), "callee BYE crosses the proxy back to the WS caller")
	bye := recv(t, a.byes, "BYE at caller")
	assert.Equal(t, d.InviteRequest.CallID().Value(), bye.CallID().Value())
}

func TestMessageReachesOtherUser(t *testing.T) {
	ds := startServer(t, "")
	a := newPhone(t, ds, "WS", "1001")
	b := newPhone(t, ds, "WS", "1002")
	a.register()
	b.register()

	req := a.newRequest(sip.MESSAGE, a.aor("1002"))
	req.AppendHeader(sip.NewHeader("Content-Type", "text/plain"))
	req.SetBody([]byte("hello 1002"))
	res := a.do(req, a.pass)
	require.Equal(t, 200, res.StatusCode, res.StartLine())
	msg := recv(t, b.messages, "MESSAGE at 1002")
	assert.Equal(t, "hello 1002", string(msg.Body()))
	assert.Equal(t, "1001", msg.From().Address.User)
}

func TestCancelRingingInvite(t *testing.T) {
	ds := startServer(t, "")
	a := newPhone(t, ds, "WS", "1001")
	b := newPhone(t, ds, "UDP", "1002")
	a.register()
	b.register()
	canceled := make(chan struct{})
	b.setOnInvite(func(d *sipgo.DialogServerSession) {
		_ = d.Respond(sip.StatusRinging, "Ringing", nil)
		select {
		case <-d.Context().Done():
			close(canceled)
		case <-time.After(waitLong):
		}
	})

	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	ringing := make(chan struct{})
	result := make(chan error, 1)
	var dlg *sipgo.DialogClientSession
	go func() {
		req := a.newRequest(sip.INVITE, a.aor("1002"))
		d, err := a.dcc.WriteInvite(ctx, req)
		if err != nil {
			result <- err
			return
		}
		dlg = d
		result <- d.WaitAnswer(ctx, sipgo.AnswerOptions{OnResponse: func(r *sip.Response) error {
			if r.StatusCode == sip.StatusRinging {
				close(ringing)
			}
			return nil
		}})
	}()
	recv(t, b.invites, "INVITE at callee")
	recv(t, ringing, "180 at caller")
	cancel()

	err := recv(t, result, "WaitAnswer to return")
	require.ErrorIs(t, err, context.Canceled)
	recv(t, canceled, "CANCEL at callee")
	require.NotNil(t, dlg.InviteResponse)
	assert.Equal(t, 487, dlg.InviteResponse.StatusCode)
}

func TestOfflineAndUnknownUsers(t *testing.T) {
	ds := startServer(t, "")
	a := newPhone(t, ds, "WS", "1001")
	a.register()
	_, err := a.call("1005")
	requireFinal(t, err, 480)
	_, err = a.call("7777")
	requireFinal(t, err, 404)
}

func TestUnregisteredCallerIsChallenged(t *testing.T) {
	ds := startServer(t, "")
	b := newPhone(t, ds, "WS", "1002")
	b.register()
	c := newPhone(t, ds, "UDP", "1003") // not registered

	req := c.newRequest(sip.MESSAGE, c.aor("1002"))
	req.SetBody([]byte("hi"))
	ctx, cancel := context.WithTimeout(context.Background(), waitLong)
	defer cancel()
	res, err := c.cl.Do(ctx, req)
	require.NoError(t, err)
	require.Equal(t, 407, res.StatusCode)
	require.NotNil(t, res.GetHeader("Proxy-Authenticate"))

	res, err = c.cl.DoDigestAuth(ctx, req, res, sipgo.DigestAuth{Username: "1003", Password: "wrong"})
	require.NoError(t, err)
	assert.Equal(t, 403, res.StatusCode)

	req2 := c.newRequest(sip.MESSAGE, c.aor("1002"))
	req2.SetBody([]byte("hi again"))
	res = c.do(req2, c.pass)
	require.Equal(t, 200, res.StatusCode)
	assert.Equal(t, "hi again", string(recv(t, b.messages, "MESSAGE").Body()))

	// An unregistered UDP caller calls after answering the 407.
	d, err := c.call("1002")
	require.NoError(t, err)
	recv(t, b.invites, "INVITE")
	require.NoError(t, d.Ack(ctx))
	require.NoError(t, d.Bye(ctx))
}

func TestOptionsToServer(t *testing.T) {
	ds := startServer(t, "")
	for _, network := range []string{"WS", "UDP"} {
		p := newPhone(t, ds, network, "1001")
		req := p.newRequest(sip.OPTIONS, sip.Uri{Scheme: "sip", Host: ds.Domain()})
		res := p.do(req, "")
		assert.Equal(t, 200, res.StatusCode, network)
		assert.NotNil(t, res.GetHeader("Allow"), network)
	}
}

func TestFallsBackWhenNewestBindingIsUnreachable(t *testing.T) {
	ds := startServer(t, "")
	caller := newPhone(t, ds, "WS", "1001")
	older := newPhone(t, ds, "WS", "1002")
	caller.register()
	older.register()
	// A newer binding on a WebSocket flow that no longer exists (nothing
	// listens on port 1, so sipgo cannot reach it).
	dead := &sip.ContactHeader{Address: sip.Uri{Scheme: "sip", User: "gone", Host: "gone.invalid"}}
	ds.bindings.set("1002", dead, flow{Transport: "WS", Addr: "127.0.0.1:1"}, 300)
	bds := ds.bindings.active("1002")
	require.Len(t, bds, 2)
	require.Equal(t, "gone.invalid", bds[0].contact.Address.Host)

	callAndHangUp(t, caller, older)
	left := ds.bindings.active("1002")
	require.Len(t, left, 1, "the unreachable binding was dropped")
	assert.Equal(t, older.contact.Address.Host, left[0].contact.Address.Host)
}

func TestClosedWebSocketDropsItsBindings(t *testing.T) {
	ds := startServer(t, "")
	p := newPhone(t, ds, "WS", "1001")
	p.register()
	require.Len(t, ds.bindings.active("1001"), 1)
	p.ua.Close()
	require.Eventually(t, func() bool { return len(ds.bindings.active("1001")) == 0 }, waitLong, time.Millisecond)
}

// A callee whose browser tab closes while its phone rings: the caller gets
// 480 at once, not after the transaction timer (32 s; the call here allows
// 10 s).
func TestCalleeConnectionClosingEndsThePendingInvite(t *testing.T) {
	ds := startServer(t, "")
	a := newPhone(t, ds, "WS", "1001")
	b := newPhone(t, ds, "WS", "1002")
	a.register()
	b.register()
	b.setOnInvite(func(d *sipgo.DialogServerSession) {
		_ = d.Respond(sip.StatusRinging, "Ringing", nil)
		b.ua.Close() // the tab goes away, the INVITE unanswered
	})
	_, err := a.call("1002")
	requireFinal(t, err, 480)
}

// Phones configured with an outbound proxy (baresip's outbound=) preload a
// Route to us on the initial INVITE; it must still be record-routed.
func TestPreloadedRouteIsRecordRouted(t *testing.T) {
	ds := startServer(t, "")
	a := newPhone(t, ds, "UDP", "1003")
	b := newPhone(t, ds, "WS", "1002")
	a.register()
	b.register()

	ctx, cancel := context.WithTimeout(context.Background(), waitLong)
	defer cancel()
	req := a.newRequest(sip.INVITE, a.aor("1002"))
	req.AppendHeader(sip.NewHeader("Route", "<sip:"+ds.UDPAddr()+";lr>"))
	d, err := a.dcc.WriteInvite(ctx, req)
	require.NoError(t, err)
	require.NoError(t, d.WaitAnswer(ctx, sipgo.AnswerOptions{}))
	in := recv(t, b.invites, "INVITE at callee")
	assert.Nil(t, in.InviteRequest.Route(), "our own Route is consumed")
	rr := d.InviteResponse.GetHeaders("Record-Route")
	require.Len(t, rr, 2, "double record-route between UDP and WS")
	assert.Contains(t, rr[0].Value(), "transport=ws")
	assert.Contains(t, rr[1].Value(), "transport=udp")
	require.NoError(t, d.Ack(ctx))
	recv(t, b.acks, "ACK at callee")
	require.NoError(t, d.Bye(ctx))
	recv(t, b.byes, "BYE at callee")
}

func TestInviteForksToEveryBindingAndCancelsTheOthers(t *testing.T) {
	ds := startServer(t, "")
	caller := newPhone(t, ds, "WS", "1001")
	ringer := newPhone(t, ds, "WS", "1002")
	answerer := newPhone(t, ds, "UDP", "1002")
	caller.register()
	ringer.register()
	answerer.register()
	canceled := make(chan struct{})
	ringer.setOnInvite(func(d *sipgo.DialogServerSession) {
		_ = d.Respond(sip.StatusRinging, "Ringing", nil)
		select {
		case <-d.Context().Done():
			close(canceled)
		case <-time.After(waitLong):
		}
	})
	answered := make(chan struct{})
	answerer.setOnInvite(func(d *sipgo.DialogServerSession) {
		_ = d.Respond(sip.StatusRinging, "Ringing", nil)
		<-answered // answer only once the other branch rings too
		_ = d.RespondSDP([]byte("v=0\r\no=- 3 3 IN IP4 127.0.0.1\r\ns=-\r\nc=IN IP4 127.0.0.1\r\nt=0 0\r\nm=audio 4004 RTP/AVP 0\r\n"))
	})

	result := make(chan error, 1)
	var d *sipgo.DialogClientSession
	go func() {
		var err error
		d, err = caller.call("1002")
		result <- err
	}()
	recv(t, ringer.invites, "INVITE at first binding")
	recv(t, answerer.invites, "INVITE at second binding")
	close(answered)
	require.NoError(t, recv(t, result, "answer"))
	assert.Contains(t, string(d.InviteResponse.Body()), "m=audio 4004")
	recv(t, canceled, "CANCEL at the ringing binding")

	ctx, cancel := context.WithTimeout(context.Background(), waitLong)
	defer cancel()
	require.NoError(t, d.Ack(ctx))
	recv(t, answerer.acks, "ACK at the answering binding")
	require.NoError(t, d.Bye(ctx))
	recv(t, answerer.byes, "BYE at the answering binding")
}

func TestForkedInviteReturnsBestFinalResponse(t *testing.T) {
	ds := startServer(t, "")
	caller := newPhone(t, ds, "WS", "1001")
	busy := newPhone(t, ds, "WS", "1002")
	away := newPhone(t, ds, "WS", "1002")
	caller.register()
	busy.register()
	away.register()
	busy.setOnInvite(func(d *sipgo.DialogServerSession) { _ = d.Respond(486, "Busy Here", nil) })
	away.setOnInvite(func(d *sipgo.DialogServerSession) { _ = d.Respond(480, "Temporarily Unavailable", nil) })
	_, err := caller.call("1002")
	requireFinal(t, err, 486)
}

func TestMessageForksToEveryBinding(t *testing.T) {
	ds := startServer(t, "")
	a := newPhone(t, ds, "WS", "1001")
	b1 := newPhone(t, ds, "WS", "1002")
	b2 := newPhone(t, ds, "UDP", "1002")
	a.register()
	b1.register()
	b2.register()
	req := a.newRequest(sip.MESSAGE, a.aor("1002"))
	req.SetBody([]byte("to all tabs"))
	res := a.do(req, a.pass)
	require.Equal(t, 200, res.StatusCode)
	assert.Equal(t, "to all tabs", string(recv(t, b1.messages, "MESSAGE at tab 1").Body()))
	assert.Equal(t, "to all tabs", string(recv(t, b2.messages, "MESSAGE at tab 2").Body()))
}

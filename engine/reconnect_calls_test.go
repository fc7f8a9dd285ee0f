package engine

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"strings"
	"sync"
	"testing"

	"github.com/emiago/sipgo/sip"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// callNetEngine is netEngine with fake media, for calls over fakeNet.
func callNetEngine(t *testing.T, n *fakeNet, media MediaFactory) (*Engine, *recorder, *fakeClock) {
	t.Helper()
	rec := &recorder{}
	clk := newFakeClock()
	e := New(Options{Dialer: n.dial, Emit: rec.emit, Now: clk.Now, AfterFunc: clk.AfterFunc,
		Storage: NewMapStorage(), AutoStartDelay: -1, Media: media})
	t.Cleanup(e.Close)
	e.Init(map[string]string{
		"webrtcserveraddress": "ws://a.test/ws",
		"serveraddress":       "example.com",
		"register":            "0",
		"wskeepaliveival":     "0",
		"username":            "alice",
	}, "")
	require.True(t, e.AutoStart())
	rec.waitFor(t, "started", named("onAppStateChange", "started"))
	return e, rec, clk
}

// respond sends a response to req on c, from the far end bob.
func (c *fakeConn) respond(req *sip.Request, code int, reason string, body []byte, hdrs ...sip.Header) {
	res := sip.NewResponseFromRequest(req, code, reason, body)
	if _, ok := req.To().Params.Get("tag"); !ok {
		res.To().Params.Add("tag", "bobtag") // sipgo made one up
	}
	for _, h := range hdrs {
		res.AppendHeader(h)
	}
	if len(body) > 0 {
		ct := sip.ContentTypeHeader("application/sdp")
		res.AppendHeader(&ct)
	}
	c.r.Received([]byte(res.String()))
}

// placeCall calls bob and answers with 200 OK carrying allow; returns the
// INVITE.
func placeCall(t *testing.T, e *Engine, rec *recorder, c *fakeConn, allow string) *sip.Request {
	t.Helper()
	require.True(t, e.Call("bob"))
	inv := c.expectRequest(t, "INVITE")
	hdrs := []sip.Header{sip.NewHeader("Contact", "<sip:bob@bob.invalid;transport=ws>")}
	if allow != "" {
		hdrs = append(hdrs, sip.NewHeader("Allow", allow))
	}
	c.respond(inv, 200, "OK", fakeSDP(""), hdrs...)
	c.expectRequest(t, "ACK")
	rec.waitFor(t, "connected", callState("connected"))
	return inv
}

// loseConnection drops conn and brings a new connection up (the
// reconnection attempt is the shortest armed timer); returns the new one.
func loseConnection(t *testing.T, n *fakeNet, clk *fakeClock, conn *fakeConn) *fakeConn {
	t.Helper()
	before := n.count()
	conn.drop(errors.New("websocket closed: code 1006, not clean"))
	waitUntil(t, "the reconnection and the keep timer armed", func() bool { return len(clk.pending()) == 2 })
	p := clk.pending()
	sort.Slice(p, func(i, j int) bool { return p[i] < p[j] })
	assert.Equal(t, callKeepTimeout, p[1], "established calls wait callKeepTimeout")
	clk.Advance(p[0])
	waitUntil(t, "a new connection", func() bool { return n.count() == before+1 })
	return n.last()
}

// bye sends the far end's BYE for the dialog of inv on c.
func farBye(c *fakeConn, inv *sip.Request, cseq uint32) {
	req := sip.NewRequest(sip.BYE, inv.Contact().Address)
	via := &sip.ViaHeader{ProtocolName: "SIP", ProtocolVersion: "2.0", Transport: "WS", Host: "proxy.test", Params: sip.NewParams()}
	via.Params.Add("branch", sip.GenerateBranch())
	req.AppendHeader(via)
	from := &sip.FromHeader{Address: inv.To().Address, Params: sip.NewParams()}
	from.Params.Add("tag", "bobtag")
	req.AppendHeader(from)
	to := &sip.ToHeader{Address: inv.From().Address, Params: sip.NewParams()}
	tag, _ := inv.From().Params.Get("tag")
	to.Params.Add("tag", tag)
	req.AppendHeader(to)
	cid := sip.CallIDHeader(inv.CallID().Value())
	req.AppendHeader(&cid)
	req.AppendHeader(&sip.CSeqHeader{SeqNo: cseq, MethodName: sip.BYE})
	mf := sip.MaxForwardsHeader(70)
	req.AppendHeader(&mf)
	cl := sip.ContentLengthHeader(0)
	req.AppendHeader(&cl)
	c.r.Received([]byte(req.String()))
}

func cdrEvent(t *testing.T, rec *recorder) event {
	t.Helper()
	return rec.waitFor(t, "onCdr", func(ev event) bool { return ev.cb == "onCdr" })
}

// A call survives the connection: after the new connection is up the call
// is refreshed with an UPDATE without SDP (the peer allows UPDATE, the media
// needs nothing), the keep timer is off, and the peer's later BYE over the
// new connection ends the call with a normal CDR.
func TestCallSurvivesConnectionLossWithUpdate(t *testing.T) {
	n := newFakeNet()
	box := &mediaBox{}
	e, rec, clk := callNetEngine(t, n, box.factory)
	inv := placeCall(t, e, rec, n.last(), "INVITE, ACK, BYE, CANCEL, UPDATE")

	second := loseConnection(t, n, clk, n.last())
	up := second.expectRequest(t, "UPDATE")
	assert.Empty(t, up.Body(), "a target refresh carries no SDP")
	require.NotNil(t, up.Contact(), "the UPDATE carries the new connection's Contact")
	second.respond(up, 200, "OK", nil, sip.NewHeader("Contact", "<sip:bob@bob.invalid;transport=ws>"))
	waitUntil(t, "the refresh logged", func() bool { return contains(e.GetLogs(), "call refreshed on the new connection (UPDATE)") })
	assert.Len(t, box.get(0).snapshot().offers, 1, "the media was not renegotiated")

	assert.Empty(t, clk.pending(), "the keep timer is off once the connection is back")
	clk.Advance(2 * callKeepTimeout)
	assert.True(t, e.IsInCall(), "the call is still up")

	farBye(second, inv, 2)
	rec.waitFor(t, "disconnected", callState("disconnected"))
	cdr := cdrEvent(t, rec)
	assert.Equal(t, "BYE bye received", cdr.args[6])
	assert.False(t, e.IsInCall())
}

// fakePathMedia is fakeMedia whose ICE path can be broken.
type fakePathMedia struct {
	fakeMedia
	pmu      sync.Mutex
	broken   bool
	restarts int
}

func (m *fakePathMedia) NeedsICERestart() bool {
	m.pmu.Lock()
	defer m.pmu.Unlock()
	return m.broken
}

func (m *fakePathMedia) RestartOffer(ctx context.Context, hold string) ([]byte, error) {
	m.pmu.Lock()
	m.restarts++
	m.broken = false
	m.pmu.Unlock()
	return m.Offer(ctx, hold)
}

// A peer without UPDATE gets a re-INVITE with a new offer; a broken media
// path gets a re-INVITE with an ICE restart even when UPDATE is allowed.
func TestRefreshByReInviteAndICERestart(t *testing.T) {
	for _, c := range []struct {
		name    string
		allow   string
		broken  bool
		restart int
		log     string
	}{
		{"no UPDATE at the peer", "INVITE, ACK, BYE", false, 0, "(re-INVITE)"},
		{"broken media path", "INVITE, ACK, BYE, UPDATE", true, 1, "(re-INVITE with ICE restart)"},
	} {
		t.Run(c.name, func(t *testing.T) {
			n := newFakeNet()
			var media *fakePathMedia
			e, rec, clk := callNetEngine(t, n, func(int, *Params) (Media, error) {
				media = &fakePathMedia{}
				return media, nil
			})
			placeCall(t, e, rec, n.last(), c.allow)
			media.pmu.Lock()
			media.broken = c.broken
			media.pmu.Unlock()

			second := loseConnection(t, n, clk, n.last())
			re := second.expectRequest(t, "INVITE")
			assert.Contains(t, string(re.Body()), "m=audio", "the re-INVITE carries an offer")
			require.NotNil(t, re.Contact())
			second.respond(re, 200, "OK", fakeSDP(""), sip.NewHeader("Contact", "<sip:bob@bob.invalid;transport=ws>"))
			second.expectRequest(t, "ACK")
			waitUntil(t, "the refresh logged", func() bool { return contains(e.GetLogs(), "call refreshed on the new connection "+c.log) })
			snap := media.snapshot()
			assert.Len(t, snap.offers, 2, "initial offer and the refresh offer")
			assert.Len(t, snap.applied, 2, "the refresh answer reached the media")
			media.pmu.Lock()
			assert.Equal(t, c.restart, media.restarts)
			media.pmu.Unlock()
			assert.True(t, e.IsInCall())
		})
	}
}

// A peer that refuses UPDATE (501) is refreshed with a re-INVITE.
func TestRefusedUpdateFallsBackToReInvite(t *testing.T) {
	n := newFakeNet()
	box := &mediaBox{}
	e, rec, clk := callNetEngine(t, n, box.factory)
	placeCall(t, e, rec, n.last(), "INVITE, UPDATE")
	second := loseConnection(t, n, clk, n.last())
	second.respond(second.expectRequest(t, "UPDATE"), 501, "Not Implemented", nil)
	re := second.expectRequest(t, "INVITE")
	second.respond(re, 200, "OK", fakeSDP(""), sip.NewHeader("Contact", "<sip:bob@bob.invalid;transport=ws>"))
	waitUntil(t, "the refresh logged", func() bool { return contains(e.GetLogs(), "call refreshed on the new connection (re-INVITE)") })
	assert.True(t, e.IsInCall())
}

// A refresh the peer answers 481 (it forgot the call while we were away)
// ends the line with a CDR that says the connection was lost; no line stays.
func TestRefreshAnswered481EndsTheCallWithConnectionLost(t *testing.T) {
	n := newFakeNet()
	box := &mediaBox{}
	e, rec, clk := callNetEngine(t, n, box.factory)
	placeCall(t, e, rec, n.last(), "INVITE, ACK, BYE")
	second := loseConnection(t, n, clk, n.last())
	re := second.expectRequest(t, "INVITE")
	second.respond(re, 481, "Call/Transaction Does Not Exist", nil)
	rec.waitFor(t, "disconnected", callState("disconnected"))
	cdr := cdrEvent(t, rec)
	assert.Equal(t, "-1 connection lost (481 Call/Transaction Does Not Exist)", cdr.args[6])
	assert.Equal(t, "2", cdr.args[9], "the peer forgot the call")
	assert.False(t, e.IsInCall())
	waitUntil(t, "media closed", func() bool { return box.get(0).snapshot().closed })
}

// A refresh the peer refuses otherwise (488) ends the call with a BYE on
// the new connection: the peer could not reach this phone any more.
func TestRefreshRefusedEndsTheCallWithBye(t *testing.T) {
	n := newFakeNet()
	box := &mediaBox{}
	e, rec, clk := callNetEngine(t, n, box.factory)
	placeCall(t, e, rec, n.last(), "")
	second := loseConnection(t, n, clk, n.last())
	re := second.expectRequest(t, "INVITE")
	second.respond(re, 488, "Not Acceptable Here", nil)
	second.expectRequest(t, "ACK")
	cdr := cdrEvent(t, rec)
	assert.Equal(t, "-1 connection lost (488 Not Acceptable Here)", cdr.args[6])
	second.expectRequest(t, "BYE")
	assert.False(t, e.IsInCall())
}

// When the connection does not come back within callKeepTimeout, the
// established call ends with "connection lost" (disconnect party: timeout).
func TestCallEndsWhenTheConnectionStaysDown(t *testing.T) {
	n := newFakeNet()
	box := &mediaBox{}
	e, rec, clk := callNetEngine(t, n, box.factory)
	placeCall(t, e, rec, n.last(), "INVITE, ACK, BYE")
	n.setRefused("ws://a.test/ws", true)
	n.last().drop(errors.New("websocket closed: code 1006, not clean"))
	waitUntil(t, "two timers", func() bool { return len(clk.pending()) == 2 })
	assert.True(t, e.IsInCall(), "the call is kept while the connection is down")
	clk.Advance(callKeepTimeout)
	rec.waitFor(t, "disconnected", callState("disconnected"))
	cdr := cdrEvent(t, rec)
	assert.Equal(t, "-1 connection lost", cdr.args[6])
	assert.Equal(t, "3", cdr.args[9])
	assert.False(t, e.IsInCall())
	assert.Contains(t, e.GetLogs(), "the connection did not come back within")
}

// A call still ringing when the connection drops cannot be kept: it ends at
// once with "connection lost".
func TestRingingCallEndsWhenTheConnectionDrops(t *testing.T) {
	n := newFakeNet()
	box := &mediaBox{}
	e, rec, _ := callNetEngine(t, n, box.factory)
	require.True(t, e.Call("bob"))
	first := n.last()
	inv := first.expectRequest(t, "INVITE")
	first.respond(inv, 180, "Ringing", nil)
	rec.waitFor(t, "ringing", callState("ringing"))
	first.drop(errors.New("websocket closed: code 1006, not clean"))
	rec.waitFor(t, "disconnected", callState("disconnected"))
	cdr := cdrEvent(t, rec)
	assert.Equal(t, "-1 connection lost (websocket closed: code 1006, not clean)", cdr.args[6])
	assert.False(t, e.IsInCall())
	waitUntil(t, "media closed", func() bool { return box.get(0).snapshot().closed })
}

func contains(s, sub string) bool { return strings.Contains(s, sub) }

// An incoming call still ringing when the connection drops ends at once
// with "connection lost": its INVITE transaction is gone.
func TestIncomingRingingCallEndsWhenTheConnectionDrops(t *testing.T) {
	n := newFakeNet()
	box := &mediaBox{}
	e, rec, _ := callNetEngine(t, n, box.factory)
	first := n.last()
	inv := sip.NewRequest(sip.INVITE, sip.Uri{Scheme: "sip", User: "alice", Host: "fake.invalid"})
	via := &sip.ViaHeader{ProtocolName: "SIP", ProtocolVersion: "2.0", Transport: "WS", Host: "proxy.test", Params: sip.NewParams()}
	via.Params.Add("branch", sip.GenerateBranch())
	inv.AppendHeader(via)
	from := &sip.FromHeader{Address: sip.Uri{Scheme: "sip", User: "bob", Host: "example.com"}, Params: sip.NewParams()}
	from.Params.Add("tag", "bobtag")
	inv.AppendHeader(from)
	inv.AppendHeader(&sip.ToHeader{Address: sip.Uri{Scheme: "sip", User: "alice", Host: "example.com"}, Params: sip.NewParams()})
	cid := sip.CallIDHeader("in-ring-drop")
	inv.AppendHeader(&cid)
	inv.AppendHeader(&sip.CSeqHeader{SeqNo: 1, MethodName: sip.INVITE})
	inv.AppendHeader(sip.NewHeader("Contact", "<sip:bob@bob.invalid;transport=ws>"))
	mf := sip.MaxForwardsHeader(70)
	inv.AppendHeader(&mf)
	ct := sip.ContentTypeHeader("application/sdp")
	inv.AppendHeader(&ct)
	inv.SetBody(fakeSDP(""))
	first.r.Received([]byte(inv.String()))
	rec.waitFor(t, "ringing", callState("ringing"))

	first.drop(errors.New("websocket closed: code 1006, not clean"))
	rec.waitFor(t, "disconnected", callState("disconnected"))
	cdr := cdrEvent(t, rec)
	assert.Equal(t, "-1 connection lost (websocket closed: code 1006, not clean)", cdr.args[6])
	assert.False(t, e.IsInCall())
	assert.Equal(t, "false", fmt.Sprint(e.Accept()), "nothing left to accept")
}

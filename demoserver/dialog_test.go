package demoserver

import (
	"context"
	"testing"

	"github.com/emiago/sipgo/sip"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// Mid-dialog requests (INFO, UPDATE) cross the proxy in both directions
// between a WS and a UDP phone.
func TestMidDialogRequestsBothDirections(t *testing.T) {
	ds := startServer(t, "")
	a := newPhone(t, ds, "WS", "1001")
	b := newPhone(t, ds, "UDP", "1003")
	a.register()
	b.register()
	d, err := a.call("1003")
	require.NoError(t, err)
	in := recv(t, b.invites, "INVITE at callee")
	ctx, cancel := context.WithTimeout(context.Background(), waitLong)
	defer cancel()
	require.NoError(t, d.Ack(ctx))
	recv(t, b.acks, "ACK")

	info := sip.NewRequest(sip.INFO, d.InviteResponse.Contact().Address)
	info.AppendHeader(sip.NewHeader("Content-Type", "application/dtmf-relay"))
	info.SetBody([]byte("Signal=5\r\nDuration=160\r\n"))
	res, err := d.Do(ctx, info)
	require.NoError(t, err)
	assert.Equal(t, 200, res.StatusCode)
	got := recv(t, b.others, "INFO at callee")
	assert.Equal(t, sip.INFO, got.Method)
	assert.Contains(t, string(got.Body()), "Signal=5")

	update := sip.NewRequest(sip.UPDATE, in.InviteRequest.Contact().Address)
	res, err = in.Do(ctx, update)
	require.NoError(t, err)
	assert.Equal(t, 200, res.StatusCode)
	got = recv(t, a.others, "UPDATE at caller")
	assert.Equal(t, sip.UPDATE, got.Method)

	require.NoError(t, d.Bye(ctx))
	recv(t, b.byes, "BYE")
}

// Without the presence agent, a SUBSCRIBE is record-routed and the NOTIFY
// comes back through the proxy to the subscriber's WebSocket connection (its
// Contact host is .invalid).
func TestSubscribeThenNotifyReachesSubscriber(t *testing.T) {
	ds := startServerWith(t, Options{PlainProxy: true})
	a := newPhone(t, ds, "WS", "1001")
	b := newPhone(t, ds, "WS", "1002")
	a.register()
	b.register()

	sub := a.newRequest(sip.SUBSCRIBE, a.aor("1002"))
	sub.AppendHeader(sip.HeaderClone(&a.contact))
	sub.AppendHeader(sip.NewHeader("Event", "presence"))
	sub.AppendHeader(sip.NewHeader("Expires", "60"))
	res := a.do(sub, a.pass)
	require.Equal(t, 200, res.StatusCode)
	got := recv(t, b.others, "SUBSCRIBE at notifier")
	rr := got.GetHeaders("Record-Route")
	require.NotEmpty(t, rr)

	// The notifier builds the NOTIFY from the SUBSCRIBE it received.
	notify := sip.NewRequest(sip.NOTIFY, got.Contact().Address)
	to := got.From().AsTo()
	from := got.To().AsFrom()
	from.Params = sip.HeaderParams{{K: "tag", V: "notifier1"}}
	notify.AppendHeader(&from)
	notify.AppendHeader(&to)
	notify.AppendHeader(sip.HeaderClone(got.CallID()))
	notify.AppendHeader(&sip.CSeqHeader{SeqNo: 1, MethodName: sip.NOTIFY})
	for _, h := range rr {
		notify.AppendHeader(sip.NewHeader("Route", h.Value()))
	}
	notify.AppendHeader(sip.HeaderClone(&b.contact))
	notify.AppendHeader(sip.NewHeader("Event", "presence"))
	notify.AppendHeader(sip.NewHeader("Subscription-State", "active;expires=60"))
	notify.SetBody([]byte("<presence/>"))
	ctx, cancel := context.WithTimeout(context.Background(), waitLong)
	defer cancel()
	nres, err := b.cl.Do(ctx, notify)
	require.NoError(t, err)
	assert.Equal(t, 200, nres.StatusCode)
	n := recv(t, a.others, "NOTIFY at subscriber")
	assert.Equal(t, sip.NOTIFY, n.Method)
	assert.Equal(t, "<presence/>", string(n.Body()))
}

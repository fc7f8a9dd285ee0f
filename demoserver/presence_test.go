package demoserver

import (
	"testing"

	"github.com/emiago/sipgo/sip"
	"github.com/opensoftphone/webphone/eventbody"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func (p *phone) publish(user, event, ifMatch string, body []byte) *sip.Response {
	p.t.Helper()
	req := p.newRequest(sip.PUBLISH, p.aor(user))
	req.AppendHeader(sip.NewHeader("Event", event))
	req.AppendHeader(sip.NewHeader("Expires", "600"))
	if ifMatch != "" {
		req.AppendHeader(sip.NewHeader("SIP-If-Match", ifMatch))
	}
	if body != nil {
		ct := sip.ContentTypeHeader("application/pidf+xml")
		req.AppendHeader(&ct)
		req.SetBody(body)
	}
	return p.do(req, p.pass)
}

// The agent keeps what a user PUBLISHes and refuses what it must.
func TestPresenceAgentPublish(t *testing.T) {
	ds := startServer(t, "")
	a := newPhone(t, ds, "WS", "1001")
	a.register()
	doc := eventbody.PIDF("sip:1001@x", true, "away", "Away")

	res := a.publish("1001", "presence", "", doc)
	require.Equal(t, 200, res.StatusCode)
	etag := headerValue(res, "SIP-ETag")
	require.NotEmpty(t, etag)
	assert.Equal(t, 200, a.publish("1001", "presence", etag, nil).StatusCode, "refresh")
	assert.Equal(t, 412, a.publish("1001", "presence", "bogus", nil).StatusCode, "unknown entity tag")
	assert.Equal(t, 403, a.publish("1002", "presence", "", doc).StatusCode, "someone else's presence")
	assert.Equal(t, 489, a.publish("1001", "foo", "", doc).StatusCode, "unknown event package")
	assert.Equal(t, 400, a.publish("1001", "presence", "", []byte("<presence><tuple>")).StatusCode, "malformed PIDF")
}

// A watcher gets the published state at once and at every change; a
// subscription to a user the server does not know gets 404.
func TestPresenceAgentNotifiesWatchers(t *testing.T) {
	ds := startServer(t, "")
	a := newPhone(t, ds, "WS", "1001")
	b := newPhone(t, ds, "WS", "1002")
	a.register()
	b.register()
	require.Equal(t, 200, a.publish("1001", "presence", "", eventbody.PIDF("sip:1001@x", true, "away", "Away")).StatusCode)

	sub := b.newRequest(sip.SUBSCRIBE, b.aor("1001"))
	sub.AppendHeader(sip.HeaderClone(&b.contact))
	sub.AppendHeader(sip.NewHeader("Event", "presence"))
	sub.AppendHeader(sip.NewHeader("Expires", "120"))
	res := b.do(sub, b.pass)
	require.Equal(t, 200, res.StatusCode)
	_, tagged := res.To().Params.Get("tag")
	assert.True(t, tagged)
	n := recv(t, b.others, "first NOTIFY")
	assert.Equal(t, sip.NOTIFY, n.Method)
	assert.Equal(t, "active;expires=120", headerValue(n, "Subscription-State"))
	p, err := eventbody.ParsePIDF(n.Body())
	require.NoError(t, err)
	assert.Equal(t, "Away", p.Note)

	require.Equal(t, 200, a.publish("1001", "presence", "", eventbody.PIDF("sip:1001@x", true, "busy", "DND")).StatusCode)
	n = recv(t, b.others, "NOTIFY of the change")
	p, err = eventbody.ParsePIDF(n.Body())
	require.NoError(t, err)
	assert.Equal(t, "DND", p.Note)

	none := b.newRequest(sip.SUBSCRIBE, b.aor("nosuchuser"))
	none.AppendHeader(sip.HeaderClone(&b.contact))
	none.AppendHeader(sip.NewHeader("Event", "dialog"))
	assert.Equal(t, 404, b.do(none, b.pass).StatusCode)
}

package engine

import (
	"fmt"
	"sync"
	"testing"

	"github.com/opensoftphone/webphone/demoserver"
	"github.com/opensoftphone/webphone/sipcore/nettransport"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// fakeNotifier records the notifications.
type fakeNotifier struct {
	mu  sync.Mutex
	log []string
}

func (n *fakeNotifier) ShowCallNotification(line int, c CallNotification) {
	n.mu.Lock()
	defer n.mu.Unlock()
	n.log = append(n.log, fmt.Sprintf("show %d %q %q %q hidden=%v", line, c.Title, c.Body, c.Icon, c.OnlyWhenHidden))
}

func (n *fakeNotifier) CloseCallNotification(line int) {
	n.mu.Lock()
	defer n.mu.Unlock()
	n.log = append(n.log, fmt.Sprintf("close %d", line))
}

func (n *fakeNotifier) entries() []string {
	n.mu.Lock()
	defer n.mu.Unlock()
	return append([]string(nil), n.log...)
}

func newPopupPhone(t *testing.T, ds *demoserver.Server, user string, n Notifier, extra map[string]string) *phone {
	t.Helper()
	p := &phone{user: user, rec: &recorder{}, media: &mediaBox{}}
	p.e = New(Options{Dialer: nettransport.Dial, Media: p.media.factory, Storage: NewMapStorage(),
		Emit: p.rec.emit, AutoStartDelay: -1, Notifier: n})
	t.Cleanup(p.e.Close)
	cfg := map[string]string{"webrtcserveraddress": ds.WSURL(), "serveraddress": ds.Domain(), "username": user,
		"password": demoserver.DefaultAccounts()[user]}
	for k, v := range extra {
		cfg[k] = v
	}
	p.e.Init(cfg, "")
	p.e.AutoStart()
	p.waitRegistered(t)
	return p
}

func TestIncomingCallNotificationShownWhileRingingOnly(t *testing.T) {
	ds := startDemo(t)
	n := &fakeNotifier{}
	b := newPopupPhone(t, ds, "1002", n, map[string]string{"callnot_icon": "img/call.png"})
	a := newPhone(t, ds, "1001", nil)
	a.waitRegistered(t)

	require.True(t, a.e.Call("1002"))
	b.rec.waitFor(t, "b ringing", callState("ringing"))
	waitUntil(t, "notification shown", func() bool { return len(n.entries()) == 1 })
	assert.Equal(t, []string{`show 1 "Incoming call" "Incoming call from: 1001" "img/call.png" hidden=true`}, n.entries(),
		"incomingcallpopup=1 (default): only while the page is hidden")
	require.True(t, b.e.Accept())
	assert.Equal(t, "close 1", n.entries()[1], "answering closes it")
	b.rec.waitFor(t, "b connected", callState("connected"))
	require.True(t, a.e.Hangup(-1))
	cdrOf(t, b)

	// the caller cancels: closed; incomingcallpopup=2 always shows, with the
	// page's texts
	require.True(t, b.e.SetParameter("incomingcallpopup", "2"))
	require.True(t, b.e.SetParameter("callnot_title", "Acme phone"))
	require.True(t, b.e.SetParameter("callnot_body", "PEERNAME is calling"))
	flush(b.e)
	b.rec.reset()
	require.True(t, a.e.Call("1002"))
	b.rec.waitFor(t, "b ringing", callState("ringing"))
	waitUntil(t, "second notification", func() bool { return len(n.entries()) == 3 })
	assert.Equal(t, `show 1 "Acme phone" "1001 is calling" "img/call.png" hidden=false`, n.entries()[2])
	require.True(t, a.e.Hangup(-1))
	waitUntil(t, "closed on cancel", func() bool { return len(n.entries()) == 4 })
	assert.Equal(t, "close 1", n.entries()[3])

	// incomingcallpopup=0: none
	require.True(t, b.e.SetParameter("incomingcallpopup", "0"))
	flush(b.e)
	b.rec.reset()
	require.True(t, a.e.Call("1002"))
	b.rec.waitFor(t, "b ringing", callState("ringing"))
	require.True(t, b.e.Reject())
	flush(b.e)
	assert.Len(t, n.entries(), 4, "incomingcallpopup=0 shows nothing")
}

package engine

import (
	"testing"

	"github.com/opensoftphone/webphone/demoserver"
	"github.com/opensoftphone/webphone/sipcore/nettransport"
	"github.com/stretchr/testify/assert"
)

// startedPhone starts an engine for user on st with the messagepopup text
// and waits until it is registered and its events are delivered.
func startedPhone(t *testing.T, ds *demoserver.Server, st Storage, user, text string) *phone {
	t.Helper()
	p := &phone{user: user, rec: &recorder{}, media: &mediaBox{}}
	p.e = New(Options{Dialer: nettransport.Dial, Media: p.media.factory, Storage: st, Emit: p.rec.emit, AutoStartDelay: -1})
	t.Cleanup(p.e.Close)
	p.e.Init(map[string]string{"webrtcserveraddress": ds.WSURL(), "serveraddress": ds.Domain(), "username": user,
		"password": demoserver.DefaultAccounts()[user], "messagepopup": text}, "")
	p.e.AutoStart()
	p.waitRegistered(t)
	flush(p.e)
	return p
}

// messagepopup is shown once, as POPUP,text and a display message, when
// the engine has started; a page load with the same storage does not show
// it again, a new text is shown.
func TestMessagePopupShownOnce(t *testing.T) {
	ds := startDemo(t)
	st := NewMapStorage()
	a := startedPhone(t, ds, st, "1001", "Welcome,\r\nnew number plan")
	assert.Len(t, a.rec.find(notification("POPUP,Welcome, new number plan")), 1, "POPUP notification, one line")
	assert.Len(t, a.rec.find(func(e event) bool {
		return e.cb == "onEvent" && e.args[0] == "display" && e.args[1] == ",Welcome, new number plan"
	}), 1, "display message with an empty title")

	a.e.Stop()
	a.rec.waitFor(t, "stopped", named("onAppStateChange", "stopped"))
	a.e.Start()
	waitUntil(t, "started again", func() bool { return len(a.rec.find(named("onAppStateChange", "started"))) >= 2 })
	flush(a.e)
	assert.Len(t, a.rec.find(notification("POPUP,")), 1, "not again after a restart")

	b := startedPhone(t, ds, st, "1002", "Welcome,\r\nnew number plan")
	assert.Empty(t, b.rec.find(notification("POPUP,")), "not again with the same storage (next page load)")
	c := startedPhone(t, ds, st, "1003", "Maintenance tonight")
	assert.Len(t, c.rec.find(notification("POPUP,Maintenance tonight")), 1, "a new text is shown")
	d := startedPhone(t, ds, NewMapStorage(), "1004", "")
	assert.Empty(t, d.rec.find(notification("POPUP,")), "no messagepopup, no POPUP")
}

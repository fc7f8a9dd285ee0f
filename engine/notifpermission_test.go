package engine

import (
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestAskNotifPermissionRules(t *testing.T) {
	const (
		start, gesture, call = askAtStart, askAtGesture, askAtCall
	)
	for _, c := range []struct {
		mode, popup int
		perm        string
		at          askMoment
		want        bool
	}{
		// -1 auto: the first gesture, popups on, not asked yet
		{-1, 1, "default", gesture, true},
		{-1, 1, "default", start, false},
		{-1, 1, "default", call, false},
		{-1, 0, "default", gesture, false},
		{-1, 1, "denied", gesture, false},
		{-1, 1, "granted", gesture, false},
		{-1, 1, "", gesture, false}, // no Notification API
		// 0 never
		{0, 3, "default", gesture, false},
		{0, 3, "default", call, false},
		// 1 when required: a ringing call whose popup cannot show
		{1, 1, "default", call, true},
		{1, 1, "default", gesture, false},
		{1, 1, "default", start, false},
		{1, 0, "default", call, false},
		{1, 2, "denied", call, false},
		// 2 also at start and every call while not granted
		{2, 1, "default", start, true},
		{2, 1, "denied", call, true},
		{2, 1, "denied", gesture, true},
		{2, 1, "granted", start, false},
		{2, 0, "default", start, false},
		// 3 always
		{3, 0, "granted", start, true},
		{3, 0, "denied", call, true},
		{3, 0, "default", gesture, true},
		{3, 0, "", start, false},
	} {
		assert.Equal(t, c.want, askNotifPermission(c.mode, c.popup, c.perm, c.at),
			"askfornotifpermission=%d incomingcallpopup=%d permission %q moment %d", c.mode, c.popup, c.perm, c.at)
	}
}

// permNotifier is a fakeNotifier with a permission that a request grants.
type permNotifier struct {
	fakeNotifier
	pmu      sync.Mutex
	perm     string
	requests int
}

func (n *permNotifier) NotificationPermission() string {
	n.pmu.Lock()
	defer n.pmu.Unlock()
	return n.perm
}

func (n *permNotifier) RequestNotificationPermission() {
	n.pmu.Lock()
	defer n.pmu.Unlock()
	n.requests++
}

func (n *permNotifier) asked() int {
	n.pmu.Lock()
	defer n.pmu.Unlock()
	return n.requests
}

// The default asks once, at the first user gesture; 1 at the incoming
// call that needs it; 2 also at start.
func TestNotifPermissionAskedAtTheRightMoments(t *testing.T) {
	ds := startDemo(t)
	auto := &permNotifier{perm: "default"}
	b := newPopupPhone(t, ds, "1002", auto, nil)
	assert.Equal(t, 0, auto.asked(), "auto: not at start")
	b.e.UserGesture()
	b.e.UserGesture()
	assert.Equal(t, 1, auto.asked(), "auto: once, at the first gesture")

	whenRequired := &permNotifier{perm: "default"}
	c := newPopupPhone(t, ds, "1003", whenRequired, map[string]string{"askfornotifpermission": "1"})
	c.e.UserGesture()
	assert.Equal(t, 0, whenRequired.asked(), "1: not at a gesture without a call")
	a := newPhone(t, ds, "1001", nil)
	a.waitRegistered(t)
	require.True(t, a.e.Call("1003"))
	c.rec.waitFor(t, "1003 ringing", callState("ringing"))
	flush(c.e)
	assert.Equal(t, 1, whenRequired.asked(), "1: at the incoming call")
	require.True(t, a.e.Hangup(-1))
	cdrOf(t, c)

	always := &permNotifier{perm: "denied"}
	newPopupPhone(t, ds, "1004", always, map[string]string{"askfornotifpermission": "2"})
	assert.Equal(t, 1, always.asked(), "2: at start while not granted")

	never := &permNotifier{perm: "default"}
	e := newPopupPhone(t, ds, "1005", never, map[string]string{"askfornotifpermission": "0"})
	e.e.UserGesture()
	assert.Equal(t, 0, never.asked(), "0: never")
}

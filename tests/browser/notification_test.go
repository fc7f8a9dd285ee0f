package browser

import (
	"testing"
	"time"
)

// fakeNotificationJS replaces the page's Notification API with a recorder
// (permission granted) and makes the page report itself hidden, as a
// background tab does.
const fakeNotificationJS = `(function () {
	T.notes = [];
	window.Notification = function (title, o) {
		T.notes.push({ title: title, body: o.body, tag: o.tag });
		this.close = function () { T.notes.push({ closed: o.tag }); };
	};
	window.Notification.permission = 'granted';
	Object.defineProperty(document, 'hidden', { configurable: true, get: function () { return true; } });
	return true;
})()`

type note struct {
	Title  string `json:"title"`
	Body   string `json:"body"`
	Tag    string `json:"tag"`
	Closed string `json:"closed"`
}

// An incoming call to a hidden page shows a Notification (default
// incomingcallpopup=1) naming the caller, closed when the caller cancels.
func TestIncomingCallNotificationWhilePageHidden(t *testing.T) {
	srv := startDemo(t)
	a := openPage(t, "page 1001", srv.HTTPURL(), toneWAV(t, 1000, 48000), demoParams(srv, "1001"))
	b := openPage(t, "page 1002", srv.HTTPURL(), toneWAV(t, 600, 48000), demoParams(srv, "1002"))
	a.waitRegistered(20 * time.Second)
	b.waitRegistered(20 * time.Second)
	var ok bool
	b.eval(fakeNotificationJS, &ok)

	if got := a.api(`call("1002")`); got != "true" {
		t.Fatalf(`call("1002") = %s, want true`, got)
	}
	b.waitCallState("ringing", 2, 20*time.Second)
	var notes []note
	waitFor(t, "the incoming-call notification", 10*time.Second, func() bool {
		b.eval(`T.notes`, &notes)
		return len(notes) >= 1
	})
	if n := notes[0]; n.Title != "Incoming call" || n.Body != "Incoming call from: 1001" || n.Tag != "webphone-call-1" {
		t.Errorf("notification %+v, want title \"Incoming call\", body \"Incoming call from: 1001\", tag webphone-call-1", n)
	}
	if got := a.api(`hangup()`); got != "true" {
		t.Fatalf("hangup() = %s, want true", got)
	}
	waitFor(t, "the notification to close on cancel", 10*time.Second, func() bool {
		b.eval(`T.notes`, &notes)
		return len(notes) >= 2
	})
	if notes[1].Closed != "webphone-call-1" || len(notes) != 2 {
		t.Errorf("notifications %+v, want the first closed and no other", notes)
	}
}

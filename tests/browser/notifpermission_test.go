package browser

import (
	"context"
	"testing"
	"time"

	"github.com/chromedp/cdproto/browser"
	"github.com/chromedp/chromedp"
)

// spyNotificationJS wraps the page's real Notification API: every
// requestPermission() call records the permission at that moment in
// T.permAsks, every notification shown goes into T.shown; the permission
// stays Chromium's own (set with CDP). The page reports itself hidden.
const spyNotificationJS = `(function () {
	var Real = window.Notification;
	T.permAsks = [];
	T.shown = [];
	var Spy = function (title, o) {
		T.shown.push(o.tag);
		return new Real(title, o);
	};
	Object.defineProperty(Spy, 'permission', { get: function () { return Real.permission; } });
	Spy.requestPermission = function () {
		T.permAsks.push(Real.permission);
		return Real.requestPermission();
	};
	window.Notification = Spy;
	Object.defineProperty(document, 'hidden', { configurable: true, get: function () { return true; } });
	return true;
})()`

// setNotificationPermission sets Chromium's notification permission for
// every origin (CDP Browser.setPermission).
func (p *page) setNotificationPermission(setting browser.PermissionSetting) {
	p.t.Helper()
	ctx, cancel := context.WithTimeout(p.ctx, 10*time.Second)
	defer cancel()
	_, err := chromedp.CallBrowser(ctx, browser.SetPermission, browser.SetPermissionParams{
		Permission: &browser.PermissionDescriptor{Name: "notifications"}, Setting: setting})
	if err != nil {
		p.t.Fatalf("%s: Browser.setPermission(notifications, %s): %v", p.name, setting, err)
	}
	waitTrue(p.t, p, `Notification.permission === '`+string(setting)+`'`, 10*time.Second)
}

// askfornotifpermission in a real Chromium: by default (-1) the page asks
// once, at the first user gesture; with 2 it asks again when a call rings
// and the permission is denied; once granted it does not ask, and the
// ringing call's notification shows.
func TestNotificationPermissionAskedOnGestureAndAtCall(t *testing.T) {
	srv := startDemo(t)
	a := openPage(t, "page 1001", srv.HTTPURL(), toneWAV(t, 1000, 48000), demoParams(srv, "1001"))
	b := openPage(t, "page 1002", srv.HTTPURL(), toneWAV(t, 600, 48000), demoParams(srv, "1002"))
	a.waitRegistered(20 * time.Second)
	b.waitRegistered(20 * time.Second)
	var ok bool
	b.eval(spyNotificationJS, &ok)
	var asks []string
	b.eval(`T.permAsks`, &asks)
	if len(asks) != 0 {
		t.Fatalf("asked for the notification permission before any gesture: %v", asks)
	}

	click := func() {
		t.Helper()
		ctx, cancel := context.WithTimeout(b.ctx, 10*time.Second)
		defer cancel()
		if _, err := chromedp.Run(ctx, chromedp.MouseClickXY(5, 5)); err != nil {
			t.Fatalf("click: %v", err)
		}
	}
	click()
	waitTrue(t, b, `T.permAsks.length === 1`, 10*time.Second)
	click()
	b.eval(`T.permAsks`, &asks)
	if len(asks) != 1 || asks[0] != "default" {
		t.Errorf("asks %v, want one, at the first click, with the permission \"default\"", asks)
	}

	// denied, askfornotifpermission=2: asked again when a call rings
	b.setNotificationPermission(browser.PermissionSettingDenied)
	if got := b.api(`setparameter("askfornotifpermission", "2")`); got != "true" {
		t.Fatalf("setparameter = %s", got)
	}
	if got := a.api(`call("1002")`); got != "true" {
		t.Fatalf(`call("1002") = %s, want true`, got)
	}
	b.waitCallState("ringing", 2, 20*time.Second)
	waitTrue(t, b, `T.permAsks.length === 2 && T.permAsks[1] === 'denied'`, 10*time.Second)
	if got := a.api(`hangup()`); got != "true" {
		t.Fatalf("hangup() = %s, want true", got)
	}
	b.waitCallState("disconnected", 2, 10*time.Second)

	// granted: no asking, the notification shows
	b.setNotificationPermission(browser.PermissionSettingGranted)
	if got := a.api(`call("1002")`); got != "true" {
		t.Fatalf(`second call("1002") = %s, want true`, got)
	}
	waitTrue(t, b, `T.shown.length === 1`, 20*time.Second)
	b.eval(`T.permAsks`, &asks)
	if len(asks) != 2 {
		t.Errorf("asks %v: asked again although the permission is granted", asks)
	}
	if got := a.api(`hangup()`); got != "true" {
		t.Fatalf("hangup() = %s, want true", got)
	}
}

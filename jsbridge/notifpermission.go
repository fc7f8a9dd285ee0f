//go:build js && wasm

package jsbridge

import (
	"github.com/hack-pad/safejs"
	"github.com/opensoftphone/webphone/engine"
)

var _ engine.NotificationPermission = (*PageNotifier)(nil)

// NotificationPermission is Notification.permission ("granted", "denied",
// "default"), "" when the page has no Notification API.
func (p *PageNotifier) NotificationPermission() string {
	ctor, err := global("Notification")
	if err != nil || ctor.Type() != safejs.TypeFunction {
		return ""
	}
	return getString(ctor, "permission")
}

// RequestNotificationPermission calls Notification.requestPermission();
// the browser shows its prompt (or answers at once when the user already
// decided). A refusal is not an error.
func (p *PageNotifier) RequestNotificationPermission() {
	ctor, err := global("Notification")
	if err != nil || ctor.Type() != safejs.TypeFunction {
		return
	}
	catchRejection(ctor.Call("requestPermission"))
}

// OnFirstUserGesture calls f synchronously from the page's first user
// gestures (pointerdown, keydown, touchstart, click: each listener runs
// once), where a browser lets the page ask for a permission.
func OnFirstUserGesture(f func()) {
	doc, err := global("document")
	if err != nil || isNullish(doc) {
		return
	}
	cb, err := safejs.FuncOf(func(safejs.Value, []safejs.Value) any {
		f()
		return nil
	})
	if err != nil {
		return
	}
	for _, ev := range unlockEvents {
		_, _ = doc.Call("addEventListener", ev, cb, map[string]any{"capture": true, "passive": true, "once": true})
	}
}

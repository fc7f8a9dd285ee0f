//go:build js && wasm

package jsbridge

import (
	"strconv"
	"sync"

	"github.com/hack-pad/safejs"
	"github.com/opensoftphone/webphone/engine"
)

// PageNotifier is engine.Notifier over the HTML5 Notification API: shown
// only when the page has the permission (the engine decides when to ask
// for it: askfornotifpermission, notifpermission.go), and with
// OnlyWhenHidden only while the page is hidden or not focused. A click
// focuses the page.
type PageNotifier struct {
	mu    sync.Mutex
	shown map[int]shownNotification
}

type shownNotification struct {
	n       safejs.Value
	onClick safejs.Func
}

var _ engine.Notifier = (*PageNotifier)(nil)

// ShowCallNotification shows the notification of the call on line.
func (p *PageNotifier) ShowCallNotification(line int, c engine.CallNotification) {
	ctor, err := global("Notification")
	if err != nil || ctor.Type() != safejs.TypeFunction || getString(ctor, "permission") != "granted" {
		return
	}
	if c.OnlyWhenHidden && !pageHidden() {
		return
	}
	opts := map[string]any{"body": c.Body, "tag": "webphone-call-" + strconv.Itoa(line), "requireInteraction": true}
	if c.Icon != "" {
		opts["icon"] = c.Icon
	}
	if c.Image != "" {
		opts["image"] = c.Image
	}
	n, err := ctor.New(c.Title, opts)
	if err != nil {
		return
	}
	onClick, err := safejs.FuncOf(func(safejs.Value, []safejs.Value) any {
		if w, err := global("window"); err == nil {
			_, _ = w.Call("focus")
		}
		_, _ = n.Call("close")
		return nil
	})
	if err == nil {
		_ = n.Set("onclick", onClick)
	}
	p.mu.Lock()
	if p.shown == nil {
		p.shown = map[int]shownNotification{}
	}
	old, had := p.shown[line]
	p.shown[line] = shownNotification{n: n, onClick: onClick}
	p.mu.Unlock()
	if had {
		old.close()
	}
}

// CloseCallNotification closes the notification of line, if shown.
func (p *PageNotifier) CloseCallNotification(line int) {
	p.mu.Lock()
	s, ok := p.shown[line]
	delete(p.shown, line)
	p.mu.Unlock()
	if ok {
		s.close()
	}
}

func (s shownNotification) close() {
	_ = s.n.Set("onclick", nil)
	_, _ = s.n.Call("close")
	s.onClick.Release()
}

// pageHidden reports whether the page is hidden (a background tab) or does
// not have the focus.
func pageHidden() bool {
	doc, err := global("document")
	if err != nil || isNullish(doc) {
		return false
	}
	if getBool(doc, "hidden") {
		return true
	}
	if f, err := doc.Call("hasFocus"); err == nil {
		if b, err := f.Bool(); err == nil {
			return !b
		}
	}
	return false
}

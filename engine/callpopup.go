package engine

import (
	"strings"
	"sync"
)

// CallNotification is the browser notification of a ringing incoming
// call (incomingcallpopup, callnot_title, callnot_body, callnot_icon,
// callnot_image).
type CallNotification struct {
	Title, Body, Icon, Image string
	// OnlyWhenHidden: show it only while the page is hidden or not
	// focused (incomingcallpopup=1, the default).
	OnlyWhenHidden bool
}

// Notifier shows and closes the incoming-call notifications; the platform
// supplies it (the HTML5 Notification API). Its methods return at once.
type Notifier interface {
	ShowCallNotification(line int, n CallNotification)
	CloseCallNotification(line int)
}

// popupState is the set of lines whose notification is shown, and the
// ringing lines already seen (asked for the permission at).
type popupState struct {
	mu    sync.Mutex
	shown map[int]bool
	seen  map[int]bool
	ask   notifAskState // notifpermission.go
	// message is the messagepopup text shown (messagepopup.go)
	message string
}

// updatePopups shows a notification for each incoming call that rings and
// closes those of calls that stopped ringing; a call that starts to ring
// is a moment to ask for the notification permission. It runs with
// updateTones, after every line state change.
func (e *Engine) updatePopups() {
	n := e.opts.Notifier
	if n == nil {
		return
	}
	if e.newRingingCall() {
		e.maybeAskNotifPermission(askAtCall)
	}
	type ringer struct {
		n          int
		peer, disp string
	}
	var ringing []ringer
	t := e.lines
	t.mu.Lock()
	for _, l := range t.liveLocked() {
		if l.dir == 2 && l.state == lineRinging {
			ringing = append(ringing, ringer{l.n, l.peer, l.peerDisplay})
		}
	}
	t.mu.Unlock()

	mode := e.params.Int("incomingcallpopup", 1)
	e.popups.mu.Lock()
	defer e.popups.mu.Unlock()
	if e.popups.shown == nil {
		e.popups.shown = map[int]bool{}
	}
	now := map[int]bool{}
	for _, r := range ringing {
		now[r.n] = true
		if e.popups.shown[r.n] || mode <= 0 {
			continue
		}
		e.popups.shown[r.n] = true
		n.ShowCallNotification(r.n, e.callNotification(r.peer, r.disp, mode))
	}
	for line := range e.popups.shown {
		if !now[line] {
			delete(e.popups.shown, line)
			n.CloseCallNotification(line)
		}
	}
}

// newRingingCall reports whether an incoming call started to ring since
// the last look.
func (e *Engine) newRingingCall() bool {
	t := e.lines
	t.mu.Lock()
	now := map[int]bool{}
	for _, l := range t.liveLocked() {
		if l.dir == 2 && l.state == lineRinging {
			now[l.n] = true
		}
	}
	t.mu.Unlock()
	e.popups.mu.Lock()
	defer e.popups.mu.Unlock()
	fresh := false
	for n := range now {
		if !e.popups.seen[n] {
			fresh = true
		}
	}
	e.popups.seen = now
	return fresh
}

// callNotification fills in the callnot_ parameters for a caller.
func (e *Engine) callNotification(peer, display string, mode int) CallNotification {
	p := e.params
	name := peer
	if display != "" && display != peer {
		name = display + " (" + peer + ")"
	}
	title := strings.TrimSpace(p.Get("callnot_title"))
	if title == "" {
		title = strings.TrimSpace(p.Get("brandname"))
	}
	if title == "" {
		title = "Incoming call"
	}
	body := strings.TrimSpace(p.Get("callnot_body"))
	if body == "" {
		body = "Incoming call from: PEERNAME"
	}
	return CallNotification{
		Title:          title,
		Body:           strings.ReplaceAll(body, "PEERNAME", name),
		Icon:           strings.TrimSpace(p.Get("callnot_icon")),
		Image:          strings.TrimSpace(p.Get("callnot_image")),
		OnlyWhenHidden: mode == 1,
	}
}

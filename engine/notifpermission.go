package engine

import "sync"

// NotificationPermission is implemented by a Notifier that can tell and
// ask for the page's permission to show notifications
// (askfornotifpermission). Its methods return at once.
type NotificationPermission interface {
	// NotificationPermission is "granted", "denied", "default" (not
	// asked yet) or "" (no notifications on this platform).
	NotificationPermission() string
	// RequestNotificationPermission asks the user; the answer shows in
	// NotificationPermission later.
	RequestNotificationPermission()
}

// askMoment is when the engine may ask for the notification permission.
type askMoment int

const (
	askAtStart   askMoment = iota // start()
	askAtGesture                  // the page's first user gesture
	askAtCall                     // an incoming call starts to ring
)

// askNotifPermission decides whether to ask for the notification
// permission now. mode is askfornotifpermission, popup incomingcallpopup,
// perm the current permission. Browsers show the prompt only from a user
// gesture (Firefox, Safari) or treat a prompt without one as spam
// (Chromium's quiet UI), so:
//
//	-1 auto (default): at the first user gesture, when incoming-call
//	   notifications are on and the user was not asked yet;
//	 0 never;
//	 1 when required: when an incoming call rings and its notification
//	   cannot show because the user was not asked yet;
//	 2 also at start and at every incoming call (and the first gesture)
//	   as long as the permission is not granted;
//	 3 always: at start, the first gesture and every incoming call,
//	   whatever the permission and incomingcallpopup.
func askNotifPermission(mode, popup int, perm string, at askMoment) bool {
	if perm == "" {
		return false
	}
	switch mode {
	case 0:
		return false
	case 1:
		return at == askAtCall && popup > 0 && perm == "default"
	case 2:
		return popup > 0 && perm != "granted"
	case 3:
		return true
	}
	return at == askAtGesture && popup > 0 && perm == "default"
}

// notifAskState remembers whether the page has had its first user
// gesture.
type notifAskState struct {
	mu       sync.Mutex
	gestured bool
}

// UserGesture tells the engine of a user gesture on the page (a click, a
// key); the platform calls it synchronously from the gesture's event
// handler, where a browser lets the page ask for permissions. Only the
// first one counts.
func (e *Engine) UserGesture() {
	defer e.recovered("usergesture")
	e.popups.ask.mu.Lock()
	first := !e.popups.ask.gestured
	e.popups.ask.gestured = true
	e.popups.ask.mu.Unlock()
	if first {
		e.maybeAskNotifPermission(askAtGesture)
	}
}

// maybeAskNotifPermission asks for the notification permission when
// askNotifPermission says so at this moment.
func (e *Engine) maybeAskNotifPermission(at askMoment) {
	np, ok := e.opts.Notifier.(NotificationPermission)
	if !ok {
		return
	}
	mode := e.params.Int("askfornotifpermission", -1)
	popup := e.params.Int("incomingcallpopup", 1)
	if askNotifPermission(mode, popup, np.NotificationPermission(), at) {
		e.logEvent(LogImportant, "asking for the notification permission")
		np.RequestNotificationPermission()
	}
}

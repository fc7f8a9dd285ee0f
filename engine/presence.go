package engine

import (
	"context"
	"errors"
	"strings"

	"github.com/opensoftphone/webphone/eventbody"
	"github.com/opensoftphone/webphone/sipcore"
)

// presenceKind is the presence event package (RFC 3856) with PIDF bodies.
var presenceKind = &watchKind{
	event:    "presence",
	accept:   "application/pidf+xml",
	expires:  600,
	notified: (*Engine).presenceNotified,
	failed: func(e *Engine, w *watch, reason string) {
		state := presenceFailure(reason)
		e.watches.mu.Lock()
		same := strings.HasPrefix(w.last, state+"|")
		e.watches.mu.Unlock()
		if !same {
			e.reportPresence(w.peer, state, reason)
		}
	},
}

// presenceState is what setpresencestatus published.
type presenceState struct {
	status string // Online, Away, DND, Invisible or Offline
	pub    *sipcore.Publication
}

// presenceStatuses maps the setpresencestatus vocabulary (case-sensitive,
// mizu_api.md R-PRES-2) to the PIDF published: basic status, RPID activity
// and note. Invisible is published as offline.
var presenceStatuses = map[string]struct {
	open     bool
	activity string
	note     string
}{
	"Online":    {true, "", "Online"},
	"Away":      {true, "away", "Away"},
	"DND":       {true, "busy", "DND"},
	"Invisible": {false, "", "Offline"},
	"Offline":   {false, "", "Offline"},
}

// publishExpires is the lifetime asked for our presence state (refreshed
// 30 s before): short enough that the state of a page closed without
// unpublishing does not linger long at the server.
const publishExpires = 600

// ErrPresenceStatus is the refusal of a status outside the documented
// vocabulary.
var ErrPresenceStatus = errors.New("status must be one of Online, Away, DND, Invisible, Offline")

// CheckPresence subscribes to the presence of every user of the
// comma-separated list (checkpresence). Each state change fires
// onPresenceStateChange(peer, state, displayname, email) and a PRESENCE
// notification. It returns false for an empty or invalid list or when
// presence is disabled (enablepresence 0).
func (e *Engine) CheckPresence(userlist string) (ok bool) {
	defer e.recovered("checkpresence")
	if e.params.Int("enablepresence", 1) == 0 {
		e.logWarn("checkpresence: presence is disabled (enablepresence=0)")
		return false
	}
	return e.watchUsers("checkpresence", presenceKind, userlist)
}

// SetPresenceStatus publishes our presence (setpresencestatus) with PUBLISH
// and PIDF. status is case-sensitive: Online, Away, DND, Invisible or
// Offline; anything else is refused (false). A server that refuses PUBLISH
// is reported as an EVENT warning.
func (e *Engine) SetPresenceStatus(status string) (ok bool) {
	defer e.recovered("setpresencestatus")
	if _, known := presenceStatuses[status]; !known {
		e.refuseInput("setpresencestatus", ErrPresenceStatus)
		return false
	}
	if e.params.Int("enablepresence", 1) == 0 {
		e.logWarn("setpresencestatus: presence is disabled (enablepresence=0)")
		return false
	}
	e.watches.mu.Lock()
	e.watches.pres.status = status
	e.watches.mu.Unlock()
	e.safeGo("setpresencestatus", func() { e.publishPresence(status) })
	e.notifyPeers(status)
	return true
}

// publishPresence sends status unless a later setpresencestatus replaced it.
func (e *Engine) publishPresence(status string) {
	ctx, cancel := context.WithTimeout(context.Background(), watchTimeout)
	defer cancel()
	ua, fail := e.waitReady(ctx)
	if fail != "" {
		e.presencePublishFailed(strings.TrimPrefix(fail, "-1 "))
		return
	}
	e.watches.publishMu.Lock() // one PUBLISH at a time, in order
	defer e.watches.publishMu.Unlock()
	e.watches.mu.Lock()
	current, pub := e.watches.pres.status, e.watches.pres.pub
	e.watches.mu.Unlock()
	if current != status {
		return // superseded
	}
	st := presenceStatuses[status]
	body := eventbody.PIDF(ua.AOR(), st.open, st.activity, st.note)
	var err error
	if pub != nil && pub.UA() == ua {
		err = pub.Update(body)
	} else {
		pub, err = ua.Publish("presence", "application/pidf+xml", body, publishExpires)
		if err == nil {
			e.watches.mu.Lock()
			e.watches.pres.pub = pub
			e.watches.mu.Unlock()
		}
	}
	if err != nil {
		e.presencePublishFailed(err.Error())
		return
	}
	e.logEvent(LogDetail, "presence published: "+status)
}

func (e *Engine) presencePublishFailed(reason string) {
	e.logWarn("setpresencestatus: PUBLISH failed: " + reason)
	e.notify(EventNotification("WARNING", "presence not published: "+reason))
}

// presenceNotified reports the state in a presence NOTIFY when it changed.
// A NOTIFY without a body (no published state) means offline; a malformed
// PIDF is logged and changes nothing.
func (e *Engine) presenceNotified(w *watch, n sipcore.NotifyInfo) {
	state, details := "Offline", "Offline"
	if len(n.Body) > 0 {
		p, err := eventbody.ParsePIDF(n.Body)
		if err != nil {
			e.logWarn("presence NOTIFY from " + w.peer + ": malformed PIDF: " + err.Error())
			e.notify(EventNotification("WARNING", "malformed presence document from "+w.peer))
			return
		}
		state, details = PresenceOf(p)
	}
	e.watches.mu.Lock()
	w.retries = 0
	changed := w.last != state+"|"+details
	w.last = state + "|" + details
	e.watches.mu.Unlock()
	if changed {
		e.reportPresence(w.peer, state, details)
	}
}

// presenceFailure is the presence state a failed subscription shows: the
// user does not exist (404), is not reachable (480, or the subscription
// ended: offline), or Unknown.
func presenceFailure(reason string) string {
	switch {
	case strings.HasPrefix(reason, "404"):
		return "NotExists"
	case strings.HasPrefix(reason, "480"), strings.HasPrefix(reason, "subscription terminated"):
		return "Offline"
	}
	return "Unknown"
}

// reportPresence fires onPresenceStateChange and the PRESENCE notification.
func (e *Engine) reportPresence(peer, state, details string) {
	e.emit("onPresenceStateChange", peer, state, "", "")
	e.notify(PresenceNotification(peer, state, details, "", ""))
}

// PresenceOf maps a PIDF document to the Mizu presence state
// (onPresenceStateChange values) and its details text (the note, else the
// state).
func PresenceOf(p eventbody.Presence) (state, details string) {
	note := strings.ToLower(strings.ReplaceAll(p.Note, " ", ""))
	switch {
	case p.HasStatus && !p.Open:
		state = "Offline"
	case note == "dnd" || note == "donotdisturb":
		state = "DoNotDisturb"
	case hasActivity(p, "away", "vacation", "sleeping", "steering", "travel") || note == "away":
		state = "Away"
	case hasActivity(p, "on-the-phone"):
		state = "Speaking"
	case hasActivity(p, "busy", "meeting", "performance", "presentation"):
		state = "Busy"
	case !p.HasStatus && len(p.Activities) == 0:
		state = "Unknown"
	default:
		state = "Available"
	}
	details = p.Note
	if details == "" {
		details = state
	}
	return state, details
}

func hasActivity(p eventbody.Presence, names ...string) bool {
	for _, a := range p.Activities {
		for _, n := range names {
			if a == n {
				return true
			}
		}
	}
	return false
}

// PresenceSummary is checkpresence's v4.2 answer for the users of the
// comma-separated list: "user,state;user,state", each state the last one
// onPresenceStateChange reported for that user (Available, Offline, ...) or
// Unknown when none was reported yet (a subscription just made). Users not
// watched (refused, or over the limit) are left out; "" when none is.
func (e *Engine) PresenceSummary(userlist string) (summary string) {
	defer e.recovered("checkpresence")
	var parts []string
	for _, u := range splitUserList(userlist) {
		target, err := e.dialTarget(u)
		if err != nil {
			continue
		}
		peer := UserOf(target)
		e.watches.mu.Lock()
		w := e.watches.watches[watchKey(presenceKind.event, peer)]
		last := ""
		if w != nil {
			last = w.last
		}
		e.watches.mu.Unlock()
		if w == nil {
			continue
		}
		state, _, _ := strings.Cut(last, "|")
		if state == "" {
			state = "Unknown"
		}
		parts = append(parts, summaryField(peer)+","+summaryField(state))
	}
	return strings.Join(parts, ";")
}

// summaryField keeps a value inside its field of the summary.
func summaryField(s string) string {
	return strings.ReplaceAll(field(s), ";", " ")
}

package engine

import (
	"github.com/opensoftphone/webphone/eventbody"
	"github.com/opensoftphone/webphone/sipcore"
)

// blfKind is the dialog event package (RFC 4235) behind busy lamps.
var blfKind = &watchKind{
	event:    "dialog",
	accept:   "application/dialog-info+xml",
	expires:  600,
	notified: (*Engine).blfNotified,
	failed: func(e *Engine, w *watch, reason string) {
		e.reportBLF(w.peer, blfState{direction: "undefined", state: "failed"}, reason)
	},
}

// dialogState is one dialog of a watched line.
type dialogState = eventbody.Dialog

// blfState is what a busy lamp shows.
type blfState struct {
	direction string // undefined, initiator, receiver
	state     string // trying, proceeding, early, confirmed, terminated, unknown, failed
	callID    string
	remote    string // the other party's user, when the server says it
}

// CheckBLF subscribes to the call state of every extension of the
// comma-separated list (checkblf). Each change fires
// onBLFStateChange(peer, direction, state, callid, remote) and a BLF
// notification. It returns false for an empty or invalid list or when BLF is
// disabled (enableblf 0).
func (e *Engine) CheckBLF(userlist string) (ok bool) {
	defer e.recovered("checkblf")
	if e.params.Int("enableblf", 1) == 0 {
		e.logWarn("checkblf: BLF is disabled (enableblf=0)")
		return false
	}
	return e.watchUsers("checkblf", blfKind, userlist)
}

// blfNotified merges a dialog-info document into the line's dialogs and
// reports the busiest one when the lamp changed. A malformed document is
// logged and changes nothing.
func (e *Engine) blfNotified(w *watch, n sipcore.NotifyInfo) {
	info, err := eventbody.ParseDialogInfo(n.Body)
	if err != nil {
		e.logWarn("dialog NOTIFY from " + w.peer + ": malformed dialog-info: " + err.Error())
		e.notify(EventNotification("WARNING", "malformed dialog-info from "+w.peer))
		return
	}
	e.watches.mu.Lock()
	if info.Full || w.dialogs == nil {
		w.dialogs = map[string]dialogState{}
	}
	for _, d := range info.Dialogs {
		key := d.ID
		if key == "" {
			key = d.CallID
		}
		w.dialogs[key] = d
	}
	all := eventbody.DialogInfo{}
	for k, d := range w.dialogs {
		all.Dialogs = append(all.Dialogs, d)
		if d.State == "terminated" {
			delete(w.dialogs, k) // reported once, then forgotten
		}
	}
	st := BLFOf(all)
	w.retries = 0
	key := st.direction + "|" + st.state + "|" + st.callID
	changed := w.last != key
	w.last = key
	e.watches.mu.Unlock()
	if changed {
		e.reportBLF(w.peer, st, "")
	}
}

// BLFOf maps a line's dialogs to its busy lamp: the busiest dialog
// (confirmed over early over proceeding over trying), or terminated (idle)
// when there is none.
func BLFOf(info eventbody.DialogInfo) blfState {
	d, ok := info.Busiest()
	if !ok {
		return blfState{direction: "undefined", state: "terminated"}
	}
	st := blfState{direction: "undefined", state: d.State, callID: d.CallID, remote: UserOf(d.Remote)}
	switch d.Direction {
	case "initiator":
		st.direction = "initiator"
	case "recipient":
		st.direction = "receiver"
	}
	switch d.State {
	case "trying", "proceeding", "early", "confirmed", "terminated":
	default:
		st.state = "unknown"
	}
	if d.Remote == "" {
		st.remote = ""
	}
	return st
}

// reportBLF fires onBLFStateChange and the BLF notification; reason (a
// failure) goes to the log only.
func (e *Engine) reportBLF(peer string, st blfState, reason string) {
	if reason != "" {
		e.logEvent(LogImportant, "BLF "+peer+" failed: "+reason)
	}
	e.emit("onBLFStateChange", peer, st.direction, st.state, st.callID, st.remote)
	e.notify(BLFNotification(peer, st.direction, st.state, st.callID))
}

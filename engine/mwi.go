package engine

import (
	"strconv"
	"strings"

	"github.com/opensoftphone/webphone/eventbody"
	"github.com/opensoftphone/webphone/sipcore"
)

// mwiKind is the message-summary event package (RFC 3842): voicemail.
var mwiKind = &watchKind{
	event:   "message-summary",
	accept:  "application/simple-message-summary",
	expires: 3600,
	notified: func(e *Engine, _ *watch, n sipcore.NotifyInfo) {
		e.onMessageSummary(n)
	},
	failed: func(e *Engine, w *watch, reason string) {
		if e.params.Int("voicemail", 2) >= 3 {
			e.notify(EventNotification("WARNING", "voicemail subscription failed: "+reason))
		}
	},
}

// watchVoicemail subscribes to our own message summary when the settings
// ask for it: voicemail 3 or 4 (the applet documentation: 0 off, 1 only
// unsolicited NOTIFYs, 2 auto (default), 3 after registration, 4 at
// startup), or voicemail 2 with a voicemailnum set. With 2 a server that
// refuses the subscription is only logged; unsolicited NOTIFYs are always
// reported unless voicemail is 0.
func (e *Engine) watchVoicemail() {
	vm := e.params.Int("voicemail", 2)
	if vm < 2 || (vm == 2 && e.params.Get("voicemailnum") == "") {
		return
	}
	user := e.localUser()
	if user == "" {
		return
	}
	e.watchUsers("voicemail", mwiKind, user)
}

// onMessageSummary reports a message-summary NOTIFY (subscribed or
// unsolicited) as the MWI notification, and a display message when new
// voice messages wait. With voicemail=0 it is ignored.
func (e *Engine) onMessageSummary(n sipcore.NotifyInfo) {
	if e.params.Int("voicemail", 2) == 0 || len(n.Body) == 0 {
		return
	}
	s, err := eventbody.ParseMessageSummary(n.Body)
	if err != nil {
		e.logWarn("message-summary NOTIFY: " + err.Error())
		e.notify(EventNotification("WARNING", "malformed voicemail notification"))
		return
	}
	e.detectVoicemailNumber(s.Account)
	e.logEvent(LogImportant, "voicemail: "+strconv.Itoa(s.New)+" new, "+strconv.Itoa(s.Old)+" old")
	e.notify(MWINotification(s.New, s.Old, s.Waiting, s.Account))
	if s.Waiting && s.New > 0 {
		e.display("Voicemail", strconv.Itoa(s.New)+" new voice message(s)")
	}
}

// detectVoicemailNumber sets voicemailnum, when the page left it empty, to
// the user part of the server's Message-Account (e.g. sip:*97@pbx gives
// "*97"), so the page can dial it with call(getparameter("voicemailnum")).
// An account that is our own address names the mailbox, not a number to
// dial, and is not taken.
func (e *Engine) detectVoicemailNumber(account string) {
	if account == "" || e.params.Get("voicemailnum") != "" {
		return
	}
	num := UserOf(account)
	if num == "" || strings.EqualFold(num, e.localUser()) {
		return
	}
	if err := e.params.Set("voicemailnum", num); err == nil {
		e.logEvent(LogImportant, "voicemail number detected: "+num)
	}
}

package engine

import (
	"context"
	"strings"
	"time"

	"github.com/opensoftphone/webphone/sipcore"
)

// chatLine is the line of a live call with peer, or -1.
func (e *Engine) chatLine(peer string) int {
	if l := e.lines.withPeer(peer); l != nil {
		return l.n
	}
	return -1
}

// SendChat sends an instant message with SIP MESSAGE (sendchat). The
// outcome arrives as CHATREPORT notifications (1 sending, 2 sent, 3
// failed). It returns false for an invalid destination or when sending is
// disabled (textmessaging 0 or 2).
func (e *Engine) SendChat(number, msg string) (ok bool) {
	defer e.recovered("sendchat")
	return e.sendText("sendchat", number, msg, e.params.Int("textmessaging", -1) == 5)
}

// sendText sends msg to number with MESSAGE, as an SMS (X-Sms: yes) when
// sms is set, and reports the outcome as CHATREPORT notifications.
func (e *Engine) sendText(what, number, msg string, sms bool) bool {
	if tm := e.params.Int("textmessaging", -1); tm == 0 || tm == 2 {
		return false
	}
	if err := CheckChat(msg); err != nil {
		e.refuseInput(what, err)
		return false
	}
	target, err := e.dialTarget(strings.TrimSpace(number))
	if err != nil {
		e.refuseInput(what, err)
		return false
	}
	peer := UserOf(target)
	ln := e.chatLine(peer)
	e.notify(ChatReportNotification(ln, peer, ChatSending, ""))
	e.safeGo(what, func() {
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		ua, fail := e.waitReady(ctx)
		if fail != "" {
			e.notify(ChatReportNotification(ln, peer, ChatFailed, strings.TrimPrefix(fail, "-1 ")))
			return
		}
		var hdrs []sipcore.Header
		if sms {
			hdrs = append(hdrs, sipcore.Header{Name: "X-Sms", Value: "yes"}) // for the server's SMS gateway
		}
		if _, err := ua.SendMessage(target, "text/plain;charset=UTF-8", []byte(msg), hdrs...); err != nil {
			e.logWarn(what + ": " + err.Error())
			e.notify(ChatReportNotification(ln, peer, ChatFailed, err.Error()))
		}
	})
	return true
}

// onMessageResult reports the outcome of an outgoing MESSAGE.
func (e *Engine) onMessageResult(to string, code int, reason string) {
	peer := UserOf(to)
	ln := e.chatLine(peer)
	if code >= 200 && code < 300 {
		e.notify(ChatReportNotification(ln, peer, ChatSent, ""))
		return
	}
	e.notify(ChatReportNotification(ln, peer, ChatFailed, itoa(code)+" "+reason))
}

// onMessage delivers an incoming MESSAGE as onChat + CHAT, or a composing
// indication as CHATCOMPOSING.
func (e *Engine) onMessage(m sipcore.IncomingMessage) {
	from := UserOf(m.From)
	if tm := e.params.Int("textmessaging", -1); tm == 0 || tm == 1 {
		return
	}
	if inList(e.params.Get("blacklist"), from) {
		return
	}
	ln := e.chatLine(from)
	ct := strings.ToLower(m.ContentType)
	if strings.Contains(ct, "im-iscomposing") {
		e.onComposing(ln, from, m.Body)
		return
	}
	if ct != "" && !strings.HasPrefix(ct, "text/") {
		e.logEvent(LogDetail, "ignored MESSAGE of type "+m.ContentType)
		return
	}
	text := string(m.Body)
	if isSMS(m) {
		// an SMS goes to onSMS instead of onChat; the CHAT notification
		// still reports it
		e.logEvent(LogDetail, "SMS from "+from)
		e.emit("onSMS", from, text)
		e.notify(ChatNotification(ln, from, text))
		return
	}
	e.logEvent(LogDetail, "chat from "+from)
	e.emit("onChat", from, text, ln, "")
	e.notify(ChatNotification(ln, from, text))
}

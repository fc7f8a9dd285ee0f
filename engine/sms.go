package engine

import (
	"strings"

	"github.com/opensoftphone/webphone/sipcore"
)

// SendSMS sends an SMS (sendsms). With the sms parameter set (the links
// parameter of the server's SMS HTTP API, with or without the leading "*")
// it requests that URL with the keywords MYNUMBER (from, else our user
// name), TARGETMOBILE and TEXT replaced (smsapi.go). Otherwise it sends a
// SIP MESSAGE with the header X-Sms: yes, which the server converts
// (mizu_api.md R-SMS-1); from is then only logged (SIP carries the account
// in From). Either way the outcome arrives as CHATREPORT notifications,
// like sendchat's. It returns false for an invalid destination or text, an
// unusable sms URL, or when sending is disabled (textmessaging 0 or 2).
func (e *Engine) SendSMS(number, msg, from string) (ok bool) {
	defer e.recovered("sendsms")
	if tm := e.params.Int("textmessaging", -1); tm == 0 || tm == 2 {
		return false
	}
	from = strings.TrimSpace(from)
	if strings.TrimSpace(e.params.Get("sms")) != "" {
		return e.sendSMSByAPI(number, msg, from)
	}
	if from != "" {
		e.logEvent(LogDetail, "sendsms from "+field(from))
	}
	return e.sendText("sendsms", number, msg, true)
}

// isSMS tells whether an incoming MESSAGE is an SMS the server delivered
// (X-Sms: yes), reported by onSMS instead of onChat.
func isSMS(m sipcore.IncomingMessage) bool {
	return m.Header != nil && strings.EqualFold(strings.TrimSpace(m.Header("X-Sms")), "yes")
}

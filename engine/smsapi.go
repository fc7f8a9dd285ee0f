package engine

import (
	"errors"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"time"
)

// HTTPRequester sends the HTTP API requests of the links parameters (the
// sms API); the platform supplies it (fetch in the browser). Get returns at
// once and calls done once with the HTTP status, or an error; it gives up
// after timeout.
type HTTPRequester interface {
	Get(url string, timeout time.Duration, done func(status int, err error))
}

// Bounds of an sms API request: the URL's length after substitution and
// how long the answer may take (the engine reports a failure then, on its
// own clock, whatever the platform does).
const (
	MaxSMSURLLen  = 8192
	smsAPITimeout = 30 * time.Second
)

// smsKeywords are the upper-case keywords of the sms parameter that the
// phone replaces (mizu-webphone-v3.8 L7716-7718): the sender's number, the
// destination and the text.
const (
	smsKeyFrom   = "MYNUMBER"
	smsKeyTarget = "TARGETMOBILE"
	smsKeyText   = "TEXT"
)

// smsAPIURL builds the sms API request from the sms parameter: an optional
// leading "*" (the links mark of an API request) is dropped, and the
// keywords are replaced by the query-escaped values, all in one pass (a
// value holding a keyword is not replaced again). The result must be an
// http(s) URL with a host, no longer than MaxSMSURLLen.
func smsAPIURL(template, from, target, text string) (string, error) {
	template = strings.TrimPrefix(strings.TrimSpace(template), "*")
	r := strings.NewReplacer(
		smsKeyTarget, url.QueryEscape(target),
		smsKeyFrom, url.QueryEscape(from),
		smsKeyText, url.QueryEscape(text),
	)
	u := r.Replace(template)
	if len(u) > MaxSMSURLLen {
		return "", errors.New("sms API request longer than " + strconv.Itoa(MaxSMSURLLen) + " bytes")
	}
	p, err := url.Parse(u)
	if err != nil {
		return "", errors.New("sms parameter is not a URL")
	}
	if (p.Scheme != "http" && p.Scheme != "https") || p.Host == "" {
		return "", errors.New("sms parameter is not an http(s) URL")
	}
	return u, nil
}

// sendSMSByAPI sends msg to number through the sms HTTP API and reports
// the outcome as CHATREPORT notifications, like a MESSAGE: 1 sending, 2 on
// a 2xx answer, 3 with "HTTP <status>" or the error otherwise.
func (e *Engine) sendSMSByAPI(number, msg, from string) bool {
	number = strings.TrimSpace(number)
	if number == "" {
		e.refuseInput("sendsms", ErrInvalidTarget)
		return false
	}
	if err := checkTargetText(number); err != nil {
		e.refuseInput("sendsms", err)
		return false
	}
	if err := CheckChat(msg); err != nil {
		e.refuseInput("sendsms", err)
		return false
	}
	if from == "" {
		from, _ = Credentials(e.params)
	}
	u, err := smsAPIURL(e.params.Get("sms"), from, number, msg)
	if err != nil {
		e.logWarn("sendsms: " + err.Error())
		return false
	}
	if e.opts.HTTP == nil {
		e.logWarn("sendsms: no HTTP requests on this platform")
		return false
	}
	ln := e.chatLine(number)
	e.notify(ChatReportNotification(ln, number, ChatSending, ""))
	var once sync.Once
	finish := func(status int, err error) {
		once.Do(func() {
			switch {
			case err != nil:
				e.logWarn("sendsms: " + err.Error())
				e.notify(ChatReportNotification(ln, number, ChatFailed, oneLine(err.Error())))
			case status < 200 || status > 299:
				e.notify(ChatReportNotification(ln, number, ChatFailed, "HTTP "+strconv.Itoa(status)))
			default:
				e.notify(ChatReportNotification(ln, number, ChatSent, ""))
			}
		})
	}
	stop := e.opts.AfterFunc(smsAPITimeout, func() { finish(0, errors.New("sms API: no answer in 30 s")) })
	e.logEvent(LogDetail, "sendsms by HTTP API to "+field(number))
	e.opts.HTTP.Get(u, smsAPITimeout, func(status int, err error) {
		stop()
		finish(status, err)
	})
	return true
}

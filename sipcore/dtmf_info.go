package sipcore

import (
	"strconv"
	"strings"

	"github.com/emiago/sipgo/sip"
)

func isDTMFDigit(d rune) bool {
	return (d >= '0' && d <= '9') || d == '*' || d == '#' || (d >= 'A' && d <= 'D') || (d >= 'a' && d <= 'd')
}

// parseDTMFInfo reads a digit from an INFO body: application/dtmf-relay
// ("Signal=5\r\nDuration=160") or application/dtmf ("5").
func parseDTMFInfo(contentType string, body []byte) (digit string, durationMs int, ok bool) {
	ct := strings.ToLower(strings.TrimSpace(strings.SplitN(contentType, ";", 2)[0]))
	text := strings.TrimSpace(string(body))
	switch ct {
	case "application/dtmf-relay":
		for _, line := range strings.Split(text, "\n") {
			k, v, found := strings.Cut(strings.TrimSpace(line), "=")
			if !found {
				continue
			}
			v = strings.TrimSpace(v)
			switch strings.ToLower(strings.TrimSpace(k)) {
			case "signal":
				digit = normalizeDigit(v)
			case "duration":
				durationMs, _ = strconv.Atoi(v)
			}
		}
	case "application/dtmf":
		digit = normalizeDigit(text)
	default:
		return "", 0, false
	}
	return digit, durationMs, digit != ""
}

// normalizeDigit maps event codes 10/11 to * and # and validates.
func normalizeDigit(v string) string {
	switch v {
	case "10":
		return "*"
	case "11":
		return "#"
	}
	if len(v) == 1 && isDTMFDigit(rune(v[0])) {
		return strings.ToUpper(v)
	}
	return ""
}

// readInfo receives INFO in a dialog; DTMF bodies are reported as digits.
func (c *Call) readInfo(req *sip.Request, tx *sip.ServerTx) {
	if len(req.Body()) == 0 {
		c.ua.reply(tx, req, 200, "OK")
		return
	}
	digit, dur, ok := parseDTMFInfo(headerValue(req, "Content-Type"), req.Body())
	if !ok {
		c.ua.reply(tx, req, 415, "Unsupported Media Type", sip.NewHeader("Accept", "application/dtmf-relay, application/dtmf"))
		return
	}
	c.ua.reply(tx, req, 200, "OK")
	if c.ua.ev.DTMF != nil {
		c.ua.ev.DTMF(c, digit, dur)
	}
}

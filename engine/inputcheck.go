package engine

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/opensoftphone/webphone/sipcore"
)

// Limits on what a page passes to the API (docs/decisions-engine.md,
// "Page input"). Longer values are refused with a readable reason.
const (
	// MaxNumberLen is the longest destination a page can dial, chat to or
	// forward to (a number, user name or SIP URI), in bytes.
	MaxNumberLen = 256
	// MaxChatLen is the longest chat text (sendchat), in bytes.
	MaxChatLen = 8192
	// MaxDTMFLen is the longest DTMF string (dtmf, post-dial digits).
	MaxDTMFLen = 256
	// MaxSIPHeaderInput is the longest setsipheader / customsipheader text.
	MaxSIPHeaderInput = 8192
)

// reservedHeaders are the headers the UA writes itself: a page may not add
// or replace them with setsipheader / customsipheader (compact forms too).
var reservedHeaders = map[string]bool{
	"via": true, "v": true, "from": true, "f": true, "to": true, "t": true,
	"call-id": true, "i": true, "cseq": true, "contact": true, "m": true,
	"content-length": true, "l": true, "content-type": true, "c": true,
	"max-forwards": true,
}

// CheckHeaders reports why custom header text (setsipheader,
// customsipheader) cannot be sent: too long, a name that is not a SIP
// token or is one the UA writes itself, a control character in a value.
func CheckHeaders(text string) error {
	if len(text) > MaxSIPHeaderInput {
		return fmt.Errorf("SIP headers longer than %d bytes", MaxSIPHeaderInput)
	}
	if !utf8.ValidString(text) {
		return errors.New("SIP headers: not valid UTF-8")
	}
	for _, h := range ParseHeaderLines(text) {
		if reservedHeaders[strings.ToLower(h.Name)] {
			return fmt.Errorf("header %s is written by the phone itself and cannot be set", h.Name)
		}
		if err := sipcore.CheckHeader(h); err != nil {
			return err
		}
	}
	return nil
}

// checkTargetText reports why a destination (or a part of one, like
// techprefix) cannot be dialled: too long or holding a control character.
func checkTargetText(s string) error {
	if len(s) > MaxNumberLen {
		return fmt.Errorf("%w: longer than %d characters", ErrInvalidTarget, MaxNumberLen)
	}
	if err := sipcore.CheckText(s); err != nil {
		return fmt.Errorf("%w: %v", ErrInvalidTarget, err)
	}
	return nil
}

// CheckChat reports why a chat text cannot be sent.
func CheckChat(text string) error {
	if len(text) > MaxChatLen {
		return fmt.Errorf("chat message longer than %d bytes", MaxChatLen)
	}
	if !utf8.ValidString(text) {
		return errors.New("chat message is not valid UTF-8")
	}
	if strings.ContainsRune(text, 0) {
		return errors.New("chat message contains a NUL character")
	}
	return nil
}

// CheckParam reports why value cannot be taken for the (normalised)
// parameter name because it would reach a SIP message broken: a line break
// or control character, or over the length limit. Parameters that never
// reach SIP accept anything.
func CheckParam(name, value string) error {
	v := strings.TrimSpace(value)
	var err error
	switch name {
	case "displayname":
		err = sipcore.CheckDisplayName(v)
	case "username", "sipusername":
		err = sipcore.CheckUser(v)
	case "serveraddress", "proxyaddress":
		err = sipcore.CheckURIText(v)
	case "webrtcserveraddress":
		for _, a := range strings.Split(v, ",") {
			if err = sipcore.CheckURIText(strings.TrimSpace(a)); err != nil {
				break
			}
		}
	case "realm", "useragent":
		if len(v) > sipcore.MaxHeaderValueLen {
			err = fmt.Errorf("longer than %d bytes", sipcore.MaxHeaderValueLen)
		} else {
			err = sipcore.CheckText(v)
		}
	case "customsipheader":
		err = CheckHeaders(value)
	case "callto", "to", "callforwardalways", "callforwardonbusy", "callforwardonnoanswer", "techprefix":
		err = checkTargetText(v)
	case "sendchat":
		err = CheckChat(value)
	}
	if err != nil {
		return fmt.Errorf("%s: %w", name, err)
	}
	return nil
}

// refuseInput reports page input the engine refused: a warning in the
// log and a display event with the reason, e.g. "ERROR, setparameter:
// displayname: contains a line break".
func (e *Engine) refuseInput(what string, err error) {
	e.logWarn(what + " refused: " + err.Error())
	e.display("", "ERROR, "+what+": "+err.Error())
}

// reportRefusedParams reports the parameters the config object, the URL
// or cookies supplied with values that cannot work (they were not taken).
func (e *Engine) reportRefusedParams() {
	for _, err := range e.params.TakeRefused() {
		e.refuseInput("parameter", err)
	}
}

// maxLoggedInput is how much of a refused page value a log line quotes.
const maxLoggedInput = 64

// loggable quotes a page-supplied value for a log line: control characters
// escaped, and cut to maxLoggedInput bytes so a refused 70,000-digit number
// does not fill the log buffer.
func loggable(s string) string {
	if len(s) > maxLoggedInput {
		return strconv.Quote(s[:maxLoggedInput]) + "... (" + strconv.Itoa(len(s)) + " bytes)"
	}
	return strconv.Quote(s)
}

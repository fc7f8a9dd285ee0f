package eventbody

import (
	"strconv"
	"strings"
)

// IsComposingType is the content type of composing indications (RFC 3994).
const IsComposingType = "application/im-iscomposing+xml"

// IsComposing builds an RFC 3994 indication: state active (typing) or idle,
// with the refresh interval in seconds for active (0 leaves it out).
func IsComposing(active bool, refresh int) []byte {
	state := "idle"
	if active {
		state = "active"
	}
	var b strings.Builder
	b.WriteString(`<?xml version="1.0" encoding="UTF-8"?>` + "\n")
	b.WriteString(`<isComposing xmlns="urn:ietf:params:xml:ns:im-iscomposing"><state>` + state + `</state>`)
	b.WriteString(`<contenttype>text/plain</contenttype>`)
	if active && refresh > 0 {
		b.WriteString(`<refresh>` + strconv.Itoa(refresh) + `</refresh>`)
	}
	b.WriteString("</isComposing>\n")
	return []byte(b.String())
}

// ParseIsComposing reads an RFC 3994 indication: true when the state is
// active. A document without a state, or any other state, is idle.
func ParseIsComposing(body []byte) (active bool, err error) {
	if len(body) > MaxBody {
		return false, ErrTooLarge
	}
	doc, err := parseDocument(body, "")
	if err != nil {
		return false, err
	}
	return strings.EqualFold(strings.TrimSpace(lastText(doc.at("state"))), "active"), nil
}

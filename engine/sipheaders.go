package engine

import (
	"strings"

	"github.com/opensoftphone/webphone/sipcore"
)

// mergeHeaders applies setsipheader entries to a header list: an empty
// value removes that header, otherwise it replaces a header of the same
// name or is added.
func mergeHeaders(list []sipcore.Header, add []sipcore.Header) []sipcore.Header {
	for _, h := range add {
		out := list[:0:0]
		for _, x := range list {
			if !strings.EqualFold(x.Name, h.Name) {
				out = append(out, x)
			}
		}
		if h.Value != "" {
			out = append(out, h)
		}
		list = out
	}
	return list
}

// SetSIPHeader adds custom header lines (setsipheader): "X-A: 1" or several
// separated by ';' (or CRLF when values contain ';'). The scope is the
// current line when it has a call, otherwise global (all later calls).
// "" clears the scope; "X-A:" removes that header.
func (e *Engine) SetSIPHeader(header string) (ok bool) {
	defer e.recovered("setsipheader")
	e.mu.Lock()
	defer e.mu.Unlock()
	scope := &e.headers
	var line *line
	if e.cur != -2 {
		if l := e.currentLineLocked(); l != nil {
			scope, line = &l.headers, l
		}
	}
	if strings.TrimSpace(header) == "" {
		*scope = nil
	} else {
		hs := ParseHeaderLines(strings.ReplaceAll(header, "CRLF", "\r\n"))
		if len(hs) == 0 {
			return false
		}
		*scope = mergeHeaders(*scope, hs)
	}
	// apply at once: a line's headers to the rest of its dialog, global
	// ones to every later request (registrar included)
	switch {
	case line != nil && line.call != nil:
		line.call.SetExtraHeaders(line.headers)
	case line == nil && e.ua != nil:
		e.ua.SetExtraHeaders(e.uaHeadersLocked())
	}
	return true
}

// uaHeadersLocked is what the UA adds to every request: customsipheader
// and the global setsipheader headers.
func (e *Engine) uaHeadersLocked() []sipcore.Header {
	return mergeHeaders(ParseHeaderLines(e.params.Get("customsipheader")), e.headers)
}

// SIPHeaders returns the global headers set with SetSIPHeader.
func (e *Engine) SIPHeaders() []sipcore.Header {
	e.mu.Lock()
	defer e.mu.Unlock()
	return append([]sipcore.Header(nil), e.headers...)
}

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
	if e.cur != -2 {
		if l := e.currentLineLocked(); l != nil {
			scope = &l.headers
		}
	}
	if strings.TrimSpace(header) == "" {
		*scope = nil
		return true
	}
	hs := ParseHeaderLines(strings.ReplaceAll(header, "CRLF", "\r\n"))
	if len(hs) == 0 {
		return false
	}
	*scope = mergeHeaders(*scope, hs)
	return true
}

// SIPHeaders returns the global headers set with SetSIPHeader.
func (e *Engine) SIPHeaders() []sipcore.Header {
	e.mu.Lock()
	defer e.mu.Unlock()
	return append([]sipcore.Header(nil), e.headers...)
}

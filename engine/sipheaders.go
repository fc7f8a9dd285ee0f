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
	header = strings.ReplaceAll(header, "CRLF", "\r\n")
	if err := CheckHeaders(header); err != nil {
		e.refuseInput("setsipheader", err)
		return false
	}
	clear := strings.TrimSpace(header) == ""
	var hs []sipcore.Header
	if !clear {
		if hs = ParseHeaderLines(header); len(hs) == 0 {
			return false
		}
	}
	// apply at once: a line's headers to the rest of its dialog, global
	// ones to every later request (registrar included)
	if e.lines.setHeaders(clear, hs) {
		return true
	}
	if err := e.app.setHeaders(clear, hs, e.customHeaders()); err != nil {
		e.logWarn("setsipheader: " + err.Error()) // checked above: not expected
	}
	return true
}

// customHeaders are the customsipheader parameter's headers.
func (e *Engine) customHeaders() []sipcore.Header {
	return ParseHeaderLines(e.params.Get("customsipheader"))
}

// uaHeaders is what the UA adds to every request: customsipheader and the
// global setsipheader headers.
func (e *Engine) uaHeaders(global []sipcore.Header) []sipcore.Header {
	return mergeHeaders(e.customHeaders(), global)
}

// SIPHeaders returns the global headers set with SetSIPHeader.
func (e *Engine) SIPHeaders() []sipcore.Header { return e.app.globalHeaders() }

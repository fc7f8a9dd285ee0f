package engine

import (
	"context"
	"log/slog"
	"strconv"
	"strings"
)

// sipcoreLogger is the logger the engine gives its sipcore.UA, so that what
// sipcore reports (a transport closed, a dead flow, a dropped frame, a
// recovered panic) lands in getlogs() and, by loglevel, in onEvent("log").
func (e *Engine) sipcoreLogger() *slog.Logger {
	return slog.New(&logHandler{e: e, prefix: "sipcore: "})
}

// logHandler is a slog.Handler writing into the engine log. Levels map to
// the loglevel scale: Error (ERROR) and Warn (WARNING) are level 1, Info is
// level 3 (EVENT), Debug level 5 (EVENT, and only formatted when loglevel
// is 5 or more).
type logHandler struct {
	e      *Engine
	prefix string
	attrs  string // formatted attributes from WithAttrs
	group  string // key prefix from WithGroup, "g." or ""
}

// Enabled skips debug records unless loglevel asks for SIP-level detail.
func (h *logHandler) Enabled(_ context.Context, l slog.Level) bool {
	return l >= slog.LevelInfo || h.e.params.Int("loglevel", 1) >= LogTrace
}

// Handle formats the record as "sipcore: message key=value ..." and logs it.
func (h *logHandler) Handle(_ context.Context, r slog.Record) error {
	var b strings.Builder
	b.WriteString(h.prefix)
	b.WriteString(r.Message)
	b.WriteString(h.attrs)
	r.Attrs(func(a slog.Attr) bool {
		appendAttr(&b, h.group, a)
		return true
	})
	level, kind := LogTrace, "EVENT"
	switch {
	case r.Level >= slog.LevelError:
		level, kind = LogImportant, "ERROR"
	case r.Level >= slog.LevelWarn:
		level, kind = LogImportant, "WARNING"
	case r.Level >= slog.LevelInfo:
		level = LogDetail
	}
	h.e.log(level, kind, b.String())
	return nil
}

// WithAttrs returns a handler that adds attrs to every record.
func (h *logHandler) WithAttrs(attrs []slog.Attr) slog.Handler {
	var b strings.Builder
	b.WriteString(h.attrs)
	for _, a := range attrs {
		appendAttr(&b, h.group, a)
	}
	c := *h
	c.attrs = b.String()
	return &c
}

// WithGroup returns a handler that qualifies later keys with name.
func (h *logHandler) WithGroup(name string) slog.Handler {
	if name == "" {
		return h
	}
	c := *h
	c.group = h.group + name + "."
	return &c
}

// appendAttr writes " key=value", quoting values that need it.
func appendAttr(b *strings.Builder, group string, a slog.Attr) {
	a.Value = a.Value.Resolve()
	if a.Equal(slog.Attr{}) {
		return
	}
	if a.Value.Kind() == slog.KindGroup {
		g := group
		if a.Key != "" {
			g += a.Key + "."
		}
		for _, ga := range a.Value.Group() {
			appendAttr(b, g, ga)
		}
		return
	}
	v := a.Value.String()
	if v == "" || strings.ContainsAny(v, " \t\r\n\"=") {
		v = strconv.Quote(v)
	}
	b.WriteByte(' ')
	b.WriteString(group)
	b.WriteString(a.Key)
	b.WriteByte('=')
	b.WriteString(v)
}

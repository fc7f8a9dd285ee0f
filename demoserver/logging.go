package demoserver

import (
	"context"
	"log/slog"
)

// quietHandler passes on only records at or above min. sipgo warns about
// harmless connection-teardown details (e.g. when a browser tab closes);
// unless the server logger is at debug level, sipgo gets this filter so the
// demo console shows registrations and calls, and real errors.
type quietHandler struct {
	slog.Handler
	min slog.Level
}

func (h quietHandler) Enabled(ctx context.Context, l slog.Level) bool {
	return l >= h.min && h.Handler.Enabled(ctx, l)
}

func (h quietHandler) WithAttrs(a []slog.Attr) slog.Handler {
	return quietHandler{h.Handler.WithAttrs(a), h.min}
}

func (h quietHandler) WithGroup(n string) slog.Handler {
	return quietHandler{h.Handler.WithGroup(n), h.min}
}

// sipgoLogger returns the logger handed to sipgo's layers.
func sipgoLogger(log *slog.Logger) *slog.Logger {
	if log.Enabled(context.Background(), slog.LevelDebug) {
		return log
	}
	return slog.New(quietHandler{Handler: log.Handler(), min: slog.LevelError})
}

//go:build js && wasm

package jsbridge

import (
	"github.com/hack-pad/safejs"
	"github.com/opensoftphone/webphone/engine"
)

// PresenceAPI returns the exported presence, busy lamp and SMS functions
// (added to EngineAPI's set by cmd/wasm): checkpresence(userlist),
// setpresencestatus(status), checkblf(userlist), sendsms(number, msg,
// from) and sendchatiscomposing(number, composing). Each returns at once
// (a boolean; checkpresence its summary string); the results arrive as
// events.
func PresenceAPI(e *engine.Engine) map[string]APIFunc {
	return map[string]APIFunc{
		// checkpresence(userlist): the v4.2 summary of what is known now
		// ("user,state;..."), "" (the documented failure value) when
		// refused, true in the rare case that every watch ended already.
		"checkpresence": func(a []safejs.Value) any {
			if !e.CheckPresence(ArgString(a, 0)) {
				return ""
			}
			if s := e.PresenceSummary(ArgString(a, 0)); s != "" {
				return s
			}
			return true
		},
		"setpresencestatus": func(a []safejs.Value) any { return e.SetPresenceStatus(ArgString(a, 0)) },
		"checkblf":          func(a []safejs.Value) any { return e.CheckBLF(ArgString(a, 0)) },
		// sendchatiscomposing(number, composing): composing true (default)
		// is typing, false idle.
		"sendchatiscomposing": func(a []safejs.Value) any {
			return e.SendChatComposing(ArgString(a, 0), ArgBool(a, 1, true))
		},
		"sendsms": func(a []safejs.Value) any {
			return e.SendSMS(ArgString(a, 0), ArgString(a, 1), ArgString(a, 2))
		},
	}
}

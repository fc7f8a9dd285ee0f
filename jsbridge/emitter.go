//go:build js && wasm

package jsbridge

import (
	"github.com/hack-pad/safejs"
)

// DispatcherName is the page function engine events are handed to; it is
// defined by www/webphone_api.js:
//
//	globalThis.__webphone_dispatch(callbackName, argsArray)
//
// where callbackName is a registrar name such as "onCallStateChange".
const DispatcherName = "__webphone_dispatch"

// NewEmitter returns a function with the engine.EmitFunc shape that hands
// every event to globalThis[dispatcher]. Arguments are converted to plain
// JavaScript values (nil becomes null). A missing dispatcher, or one that
// throws, drops the event: the page's listeners must never break the
// engine. webphone_api.js queues the event and calls the listeners later,
// so this returns quickly.
func NewEmitter(dispatcher string) func(callback string, args ...any) {
	return func(callback string, args ...any) {
		fn, err := safejs.Global().Get(dispatcher)
		if err != nil || fn.Type() != safejs.TypeFunction {
			return
		}
		jsArgs := make([]any, len(args))
		for i, a := range args {
			jsArgs[i] = toJSArg(a)
		}
		_, _ = fn.Invoke(callback, jsArgs)
	}
}

// toJSArg converts an event argument to something safejs.ValueOf accepts.
func toJSArg(a any) any {
	switch v := a.(type) {
	case nil:
		return nil
	case string, bool, int, int32, int64, float64, float32, uint, uint32, uint64, uint8, int8, int16, uint16:
		return v
	case []byte:
		return string(v)
	case error:
		return v.Error()
	case safejs.Value:
		return safejs.Unsafe(v)
	case []any:
		out := make([]any, len(v))
		for i, e := range v {
			out[i] = toJSArg(e)
		}
		return out
	case []string:
		out := make([]any, len(v))
		for i, e := range v {
			out[i] = e
		}
		return out
	case interface{ String() string }:
		return v.String()
	}
	return nil
}

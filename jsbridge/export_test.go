//go:build js && wasm

package jsbridge

import (
	"testing"

	"github.com/hack-pad/safejs"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestExportConvertsArgumentsAndNeverThrows(t *testing.T) {
	release, err := Export("__test_api", map[string]APIFunc{
		"describe": func(args []safejs.Value) any {
			n, isNum := ArgNumber(args, 0)
			return map[string]any{
				"s0": ArgString(args, 0), "n0": n, "isNum": isNum,
				"b1": ArgBool(args, 1, false), "present2": ArgPresent(args, 2),
			}
		},
		"boom":   func([]safejs.Value) any { panic("bad") },
		"badval": func([]safejs.Value) any { return make(chan int) },
		"params": func(args []safejs.Value) any { return ArgObject(args, 0)["serveraddress"] },
	})
	require.NoError(t, err)
	defer release()

	out := jsRun(t, `const api = globalThis.__test_api;
		return JSON.stringify([
			api.describe(-2, "true"),
			api.describe(" 3 ", 1, null),
			api.describe(null, "0", 0),
			api.describe(1.5, "yes", "x"),
			api.boom() === undefined,
			api.badval() === undefined,
			api.params({serveraddress: "127.0.0.1:5060", n: 5, o: {}}),
		])`)
	assert.JSONEq(t, `[
		{"s0":"-2","n0":-2,"isNum":true,"b1":true,"present2":false},
		{"s0":" 3 ","n0":3,"isNum":true,"b1":true,"present2":false},
		{"s0":"","n0":0,"isNum":false,"b1":false,"present2":true},
		{"s0":"1.5","n0":1,"isNum":true,"b1":true,"present2":true},
		true, true, "127.0.0.1:5060"]`, jsString(t, out))

	release()
	assert.Equal(t, "undefined", jsString(t, jsRun(t, `return typeof globalThis.__test_api`)))
}

func TestEmitterCallsTheDispatcher(t *testing.T) {
	jsRun(t, `globalThis.__test_dispatch = (name, args) => { (globalThis.__test_got ||= []).push([name, args]); };`)
	defer jsRun(t, `delete globalThis.__test_dispatch; delete globalThis.__test_got;`)

	emit := NewEmitter("__test_dispatch")
	emit("onCallStateChange", "setup", 1, "1001", "", 1, "abc@x")
	emit("onRegStateChange", "registered", nil)
	emit("onEvent", "event", []byte("STATUS,-1,Ready."))

	got := jsString(t, jsRun(t, `return JSON.stringify(globalThis.__test_got)`))
	assert.JSONEq(t, `[["onCallStateChange",["setup",1,"1001","",1,"abc@x"]],
		["onRegStateChange",["registered",null]],
		["onEvent",["event","STATUS,-1,Ready."]]]`, got)

	// A missing or throwing dispatcher drops the event without breaking Go.
	NewEmitter("__no_such_dispatcher")("onEvent", "log", "x")
	jsRun(t, `globalThis.__test_dispatch = () => { throw new Error("listener bug"); };`)
	emit("onEvent", "log", "y")
}

//go:build js && wasm

package jsbridge

import (
	"os"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// The presence block of webphone_api.js: every function and registrar
// exists, the functions reach the exported set (a refused status answers
// false, a valid one true) and onBLFStateChange's misspellings register
// the same listeners.
func TestPresenceFunctionsInWebphoneAPIJS(t *testing.T) {
	src, err := os.ReadFile("../www/webphone_api.js")
	require.NoError(t, err)
	t.Cleanup(func() {
		jsRun(t, `for (const k of ["webphone_api", "__webphone_go", "__webphone_dispatch", "__webphone_go_ready", "__pres"]) delete globalThis[k];`)
	})
	jsRun(t, `globalThis.webphone_api = {__booted: true, parameters: {autostart: 0}};`)
	jsRun(t, string(src))
	names := []string{"checkpresence", "setpresencestatus", "checkblf", "sendsms", "sendchatiscomposing",
		"onPresenceStateChange", "onBLFStateChange", "onBlfStateChange", "onBLFStateChage", "onSMS"}
	for _, n := range names {
		assert.Equal(t, "function", jsString(t, jsRun(t, `return typeof webphone_api[a0]`, n)), n)
	}

	e := newTestEngine(t, "__webphone_dispatch")
	funcs := EngineAPI(e, &MediaRegistry{})
	for k, f := range PresenceAPI(e) {
		funcs[k] = f
	}
	release, err := Export("__webphone_go", funcs)
	require.NoError(t, err)
	t.Cleanup(release)
	jsRun(t, `globalThis.__pres = []; webphone_api.onBlfStateChange((p, d, s) => __pres.push(p + "," + d + "," + s));
		__webphone_go_ready();`)
	assert.Equal(t, "false", jsString(t, jsRun(t, `return String(webphone_api.setpresencestatus("online"))`)))
	assert.Equal(t, "false", jsString(t, jsRun(t, `return String(webphone_api.checkblf(""))`)))
	assert.Equal(t, "true", jsString(t, jsRun(t, `return String(webphone_api.setpresencestatus("Away"))`)))
	// an event for the canonical name reaches a listener registered under a misspelling
	jsRun(t, `__webphone_dispatch("onBLFStateChange", ["1003", "receiver", "early", "cid", "1001"]);`)
	jsEventually(t, `__pres.length === 1 && __pres[0] === "1003,receiver,early"`)
}

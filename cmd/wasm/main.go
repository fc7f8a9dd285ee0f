//go:build js && wasm

// Command wasm is www/webphone.wasm: it wires the engine to the browser
// (jsbridge) and exports the API object webphone_api.js calls. Built by
// ../../build.sh.
package main

import (
	"github.com/hack-pad/safejs"
	"github.com/opensoftphone/webphone/engine"
	"github.com/opensoftphone/webphone/jsbridge"
)

func main() {
	emit := jsbridge.NewEmitter(jsbridge.DispatcherName)
	media := &jsbridge.MediaRegistry{
		Warn: func(msg string) { emit("onEvent", "log", "WARNING, media: "+msg) },
	}
	e := engine.New(engine.Options{
		Dialer:  jsbridge.NewWSDialer(jsbridge.WSDialerOptions{}),
		Media:   media.Factory,
		Storage: jsbridge.PageStorage(),
		Emit:    emit,
		// webphone_api.js calls autostart right after the page's "loaded"
		// listeners have run, instead of the engine guessing with a timer.
		AutoStartDelay: -1,
	})
	if _, err := jsbridge.Export(jsbridge.APIObjectName, jsbridge.EngineAPI(e, media)); err != nil {
		panic("webphone: cannot export the API: " + err.Error())
	}
	// Tell webphone_api.js that the API object is ready.
	if ready, err := safejs.Global().Get(jsbridge.ReadyHookName); err == nil && ready.Type() == safejs.TypeFunction {
		_, _ = ready.Invoke()
	}
	select {}
}

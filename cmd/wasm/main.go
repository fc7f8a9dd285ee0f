//go:build js && wasm

// Command wasm is www/webphone.wasm: it wires the engine to the browser
// (jsbridge) and exports the API object webphone_api.js calls. Built by
// ../../build.sh.
package main

import (
	"context"
	"time"

	"github.com/hack-pad/safejs"
	"github.com/opensoftphone/webphone/engine"
	"github.com/opensoftphone/webphone/jsbridge"
)

func main() {
	var e *engine.Engine
	var media *jsbridge.MediaRegistry
	var alerts *jsbridge.PageAlerts
	audio := &jsbridge.PageAudio{}
	emitPage := jsbridge.NewEmitter(jsbridge.DispatcherName)
	emit := func(callback string, args ...any) {
		emitPage(callback, args...)
		// Once registered, prepare what the first call needs and is slow
		// to make: its connection with gathered ICE candidates, the page's
		// AudioContext (its microphone graph), the ringback.
		if callback == "onRegStateChange" && len(args) > 0 && args[0] == "registered" && e != nil {
			go func() {
				media.Prewarm(e.Params())
				audio.Prepare()
				alerts.Prepare()
			}()
		}
	}
	devices := &jsbridge.PageDevices{
		Audio: audio,
		Warn:  func(msg string) { emit("onEvent", "log", "WARNING, devices: "+msg) },
	}
	media = &jsbridge.MediaRegistry{
		Warn:    func(msg string) { emit("onEvent", "log", "WARNING, media: "+msg) },
		Devices: devices,
	}
	// The PCM engine (AudioWorklet + Go media over the RTP relay) or WebRTC,
	// per enginepriority_pcm / enginepriority_webrtc (docs/pcm-engine.md).
	pcm := &jsbridge.PCMEngine{
		WebRTC: media.Factory, Audio: audio, Devices: devices,
		Warn: func(msg string) { emit("onEvent", "log", "WARNING, "+msg) },
		Log:  func(msg string) { emit("onEvent", "log", "EVENT, "+msg) },
	}
	alerts = &jsbridge.PageAlerts{
		Audio: audio,
		Warn:  func(msg string) { emit("onEvent", "log", "WARNING, tones: "+msg) },
	}
	e = engine.New(engine.Options{
		Dialer:     jsbridge.NewWSDialer(jsbridge.WSDialerOptions{}),
		Media:      pcm.Factory,
		EngineName: pcm.Name,
		Alerts:     alerts,
		Devices:    devices,
		Recorder:   &jsbridge.PageRecorder{Media: media, Audio: audio, PCM: pcm},
		Notifier:   &jsbridge.PageNotifier{},
		HTTP:       jsbridge.PageHTTP{},
		Conference: &jsbridge.PageConference{
			Media: media, Audio: audio,
			Warn: func(msg string) { emit("onEvent", "log", "WARNING, "+msg) },
		},
		Player: &jsbridge.PagePlayer{
			Audio: audio, Devices: devices,
			Warn: func(msg string) { emit("onEvent", "log", "WARNING, play: "+msg) },
		},
		Storage: jsbridge.PageStorage(),
		Emit:    emit,
		// webphone_api.js calls autostart right after the page's "loaded"
		// listeners have run, instead of the engine guessing with a timer.
		AutoStartDelay: -1,
	})
	pcm.Token, pcm.Param = e.RelayToken, e.GetParameter
	devices.OnFallback = e.DeviceFallback
	devices.OnCamera = func(name string) { media.SetCamera(name) }
	jsbridge.OnFirstUserGesture(e.UserGesture) // askfornotifpermission
	api := jsbridge.EngineAPI(e, media)
	for name, f := range jsbridge.AudioAPI(e, devices) {
		api[name] = f
	}
	for name, f := range jsbridge.PresenceAPI(e) {
		api[name] = f
	}
	for name, f := range jsbridge.ConferenceAPI(e) {
		api[name] = f
	}
	for name, f := range jsbridge.ContactsAPI(e) {
		api[name] = f
	}
	if _, err := jsbridge.Export(jsbridge.APIObjectName, api); err != nil {
		panic("webphone: cannot export the API: " + err.Error())
	}
	// Read the device lists once (labels only if the page already has the
	// microphone permission; they are read again when a call opens it).
	go func() {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		_ = devices.Refresh(ctx)
	}()
	// Tell webphone_api.js that the API object is ready.
	if ready, err := safejs.Global().Get(jsbridge.ReadyHookName); err == nil && ready.Type() == safejs.TypeFunction {
		_, _ = ready.Invoke()
	}
	select {}
}

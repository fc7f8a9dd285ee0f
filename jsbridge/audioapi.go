//go:build js && wasm

package jsbridge

import (
	"context"

	"github.com/hack-pad/safejs"
	"github.com/opensoftphone/webphone/engine"
)

// AudioAPI returns the exported device, volume and recording functions
// (merged into EngineAPI's set by cmd/wasm): getdevicelist, getdevice,
// setdevice, getvolume, setvolume, setloudspeaker, voicerecord, and
// refreshdevices(callback),
// which re-reads the device lists and then calls callback (webphone_api.js
// uses it so that a getdevicelist callback sees the current devices).
func AudioAPI(e *engine.Engine, devices *PageDevices) map[string]APIFunc {
	return map[string]APIFunc{
		"getdevicelist": func(a []safejs.Value) any { return e.GetDeviceList(ArgInt(a, 0, 0)) },
		"getdevice":     func(a []safejs.Value) any { return e.GetDevice(ArgInt(a, 0, 0)) },
		// setdevice(dev, devicename, immediate): immediate does not apply
		// (a device switch always reaches the calls in progress).
		"setdevice": func(a []safejs.Value) any { return e.SetDevice(ArgInt(a, 0, -1), ArgString(a, 1)) },
		"getvolume": func(a []safejs.Value) any { return e.GetVolume(ArgInt(a, 0, 0)) },
		"setvolume": func(a []safejs.Value) any {
			v, ok := ArgNumber(a, 1)
			if !ok {
				return false
			}
			return e.SetVolume(ArgInt(a, 0, -1), v)
		},
		// voicerecord(start, url): record calls in the page and upload
		// them to url (voicerecupload keywords).
		"voicerecord": func(a []safejs.Value) any { return e.VoiceRecord(ArgBool(a, 0, true), ArgString(a, 1)) },
		// play(start, file, looping, toremotepeer): start 1 play, 0 stop,
		// -1 load only.
		"play": func(a []safejs.Value) any {
			start := 1
			if ArgIsBool(a, 0) {
				if !ArgBool(a, 0, true) {
					start = 0
				}
			} else {
				start = ArgInt(a, 0, 1)
			}
			return e.Play(start, ArgString(a, 1), ArgBool(a, 2, false), ArgBool(a, 3, false))
		},
		// setloudspeaker(set): a browser has no earpiece; the speaker is
		// the only output, so the call succeeds and changes nothing.
		"setloudspeaker": func([]safejs.Value) any { return true },
		"refreshdevices": func(a []safejs.Value) any {
			cb := Arg(a, 0)
			go func() {
				ctx, cancel := context.WithTimeout(context.Background(), deviceWaitTimeout)
				defer cancel()
				if err := devices.Refresh(ctx); err != nil {
					devices.warn("device list: " + err.Error())
				}
				if cb.Type() == safejs.TypeFunction {
					_, _ = cb.Invoke()
				}
			}()
			return true
		},
	}
}

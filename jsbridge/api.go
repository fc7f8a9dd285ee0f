//go:build js && wasm

package jsbridge

import (
	"strconv"

	"github.com/hack-pad/safejs"
	"github.com/opensoftphone/webphone/engine"
)

// APIObjectName is the global object webphone_api.js calls into.
const APIObjectName = "__webphone_go"

// EngineAPI returns the exported function set over an engine: one member per
// webphone_api function (lower-case Mizu names, plus "init"). Arguments use
// the Mizu positions, callbacks included (webphone_api.js calls a callback
// argument with the returned value); every member returns at once.
func EngineAPI(e *engine.Engine, media *MediaRegistry) map[string]APIFunc {
	boolFn := func(f func() bool) APIFunc { return func([]safejs.Value) any { return f() } }
	strFn := func(f func() string) APIFunc { return func([]safejs.Value) any { return f() } }
	return map[string]APIFunc{
		// init(parameters): the webphone_api.parameters object; the page
		// URL's wp_ parameters and wp_ cookies are read here. Fires
		// "loaded".
		"init": func(a []safejs.Value) any {
			// wp_ cookies first: the URL's wp_ parameters, applied by Init,
			// win over them; both win over the config object.
			if q := CookieParams(PageCookie()); q != "" {
				e.Params().LoadURL(q)
			}
			e.Init(ArgObject(a, 0), PageURL())
			return true
		},
		// autostart(): start when autostart and a server allow it, then
		// callto/autoaction. webphone_api.js calls it once the "loaded"
		// listeners have run (cmd/wasm disables the engine's own timer).
		"autostart": boolFn(e.AutoStart),
		// delsettings(level): forget the saved settings and stop.
		"delsettings": func(a []safejs.Value) any { return e.DelSettings(ArgInt(a, 0, 1)) },
		"setparameter": func(a []safejs.Value) any {
			// setparameter(name, value[, allowempty]): null, undefined
			// and "" all clear the value.
			if !ArgPresent(a, 0) || len(a) < 2 {
				return false
			}
			return e.SetParameter(ArgString(a, 0), ArgString(a, 1))
		},
		"getparameter": func(a []safejs.Value) any { return e.GetParameter(ArgString(a, 0)) },
		"start":        boolFn(e.Start),
		"stop":         boolFn(e.Stop),
		"register":     boolFn(e.Register),
		"unregister":   boolFn(e.Unregister),
		"call":         func(a []safejs.Value) any { return e.Call(ArgString(a, 0)) },
		// hangup(line): a number (or numeric string) is a line; a boolean
		// (the internal flag) or nothing means the current line.
		"hangup": func(a []safejs.Value) any {
			line, ok := ArgNumber(a, 0)
			if !ok {
				line = -1
			}
			return e.Hangup(line)
		},
		"accept": boolFn(e.Accept),
		// reject(line, reason): a line >= 1 is selected first.
		"reject": func(a []safejs.Value) any {
			if n, ok := ArgNumber(a, 0); ok && n >= 1 {
				e.SetLine(strconv.Itoa(n))
			}
			return e.Reject()
		},
		"ignore":  boolFn(e.Ignore),
		"forward": func(a []safejs.Value) any { return e.Forward(ArgString(a, 0)) },
		// transfer(number): "" transfers the current line to the other call.
		"transfer": func(a []safejs.Value) any { return e.Transfer(ArgString(a, 0)) },
		"hold":     func(a []safejs.Value) any { return e.Hold(ArgBool(a, 0, true)) },
		// mute(state, direction): direction omitted → defmute (-1).
		"mute": func(a []safejs.Value) any { return e.Mute(ArgBool(a, 0, true), ArgInt(a, 1, -1)) },
		"dtmf": func(a []safejs.Value) any {
			msg, line := DTMFArgs(a)
			return e.DTMF(msg, line)
		},
		"sendchat":     func(a []safejs.Value) any { return e.SendChat(ArgString(a, 0), ArgString(a, 1)) },
		"setline":      func(a []safejs.Value) any { return e.SetLine(ArgString(a, 0)) },
		"getline":      func([]safejs.Value) any { return e.GetLine() },
		"isregistered": boolFn(e.IsRegistered),
		"isincall":     boolFn(e.IsInCall),
		"ismuted":      boolFn(e.IsMuted),
		"isonhold":     boolFn(e.IsOnHold),
		// linetocallid(line, callback)
		"linetocallid": func(a []safejs.Value) any { return e.LineToCallID(ArgInt(a, 0, -1)) },
		// callidtoline(callid, callback)
		"callidtoline": func(a []safejs.Value) any { return e.CallIDToLine(ArgString(a, 0)) },
		"setsipheader": func(a []safejs.Value) any { return e.SetSIPHeader(ArgString(a, 0)) },
		// getsipheader(header, callback, must)
		"getsipheader": func(a []safejs.Value) any { return e.GetSIPHeader(ArgString(a, 0), ArgBool(a, 2, false)) },
		// getsipmessage(dir, type, callback, must)
		"getsipmessage": func(a []safejs.Value) any {
			return e.GetSIPMessage(ArgInt(a, 0, -1), ArgInt(a, 1, 0), ArgBool(a, 3, false))
		},
		"getlastrecinvite":   strFn(e.GetLastRecInvite),
		"getlastsentinvite":  strFn(e.GetLastSentInvite),
		"getlogs":            strFn(e.GetLogs),
		"getenginename":      strFn(e.GetEngineName),
		"getstatus":          strFn(e.GetStatus),
		"getregfailreason":   strFn(e.GetRegFailReason),
		"getlastcalldetails": strFn(e.GetLastCallDetails),
		// Video (api_video.go): videocall(number), mutevideo(state,
		// direction), screenshare(number, screenid), stopscreenshare(),
		// setvideodisplaysize(type, width, height).
		"videocall":           func(a []safejs.Value) any { return e.VideoCall(ArgString(a, 0)) },
		"mutevideo":           func(a []safejs.Value) any { return e.MuteVideo(ArgBool(a, 0, true), ArgInt(a, 1, 0)) },
		"screenshare":         func(a []safejs.Value) any { return e.ScreenShare(ArgString(a, 0)) },
		"stopscreenshare":     boolFn(e.StopScreenShare),
		"setvideodisplaysize": func(a []safejs.Value) any { return SetVideoDisplaySizeArgs(media, a) },
		// setcamera(name): the camera part of setdevice(3, name).
		"setcamera": func(a []safejs.Value) any { return media.SetCamera(ArgString(a, 0)) },
		// getcamera(): the camera chosen (getdevice(3)); "" is the default.
		"getcamera": func([]safejs.Value) any { return media.Camera() },
		// registerex(accounts): "server,usr,pwd,ival,proxy,realm,authuser;..."
		"registerex": func(a []safejs.Value) any { return e.RegisterEx(ArgString(a, 0)) },
		// getlinedetails(line): -1 or nothing is the current line
		"getlinedetails":       func(a []safejs.Value) any { return e.GetLineDetails(ArgInt(a, 0, -1)) },
		"getcallerdisplayfull": strFn(e.GetCallerDisplayFull),
		"isencrypted":          func([]safejs.Value) any { return e.IsEncrypted() },
		// nextcallid(callid): "" or nothing generates one
		"nextcallid": func(a []safejs.Value) any { return e.NextCallID(ArgString(a, 0)) },
		// getrtcpeerconnection(line, destnr, callid): by Call-ID when given,
		// else the line (default: the current one). null when none.
		"getrtcpeerconnection": func(a []safejs.Value) any {
			line := -1
			if id := ArgString(a, 2); id != "" {
				line = e.CallIDToLine(id)
			} else if n, ok := ArgNumber(a, 0); ok && n >= 1 {
				line = n
			} else {
				line = e.GetLine()
			}
			if pc, ok := media.PeerConnection(line); ok {
				return pc
			}
			return safejs.Null()
		},
	}
}

// DTMFArgs reads the three dtmf forms pages use: dtmf(msg), dtmf(line, msg)
// and dtmf(msg, line). With two arguments the JavaScript number is the line;
// when both are numbers (dtmf(-2, 1)) the first is the line if it is -2, -1
// or 0, else the second.
func DTMFArgs(a []safejs.Value) (msg string, line int) {
	if len(a) < 2 || !ArgPresent(a, 1) {
		return ArgString(a, 0), -1
	}
	num0 := Arg(a, 0).Type() == safejs.TypeNumber
	num1 := Arg(a, 1).Type() == safejs.TypeNumber
	switch {
	case num0 && !num1:
		return ArgString(a, 1), ArgInt(a, 0, -1)
	case num1 && !num0:
		return ArgString(a, 0), ArgInt(a, 1, -1)
	case num0 && num1:
		if n := ArgInt(a, 0, 1); n >= -2 && n <= 0 {
			return ArgString(a, 1), n
		}
		return ArgString(a, 0), ArgInt(a, 1, -1)
	}
	// Two strings: a second one holding only a line number is the line.
	if n, ok := ArgNumber(a, 1); ok && n >= -2 && n <= 0 {
		return ArgString(a, 0), n
	}
	if n, ok := ArgNumber(a, 0); ok && n >= -2 && n <= 0 {
		return ArgString(a, 1), n
	}
	return ArgString(a, 0), -1
}

// ReadyHookName is the page function called once the API object exists
// (defined by webphone_api.js before it starts the wasm).
const ReadyHookName = "__webphone_go_ready"

//go:build js && wasm

package jsbridge

import (
	"os"
	"strings"
	"testing"
	"time"

	"github.com/hack-pad/safejs"
	"github.com/opensoftphone/webphone/engine"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// jsEventually polls a JavaScript condition until it holds (or fails the
// test after a generous limit: correctness, not speed, is checked).
func jsEventually(t *testing.T, cond string) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for jsString(t, jsRun(t, "return String(!!("+cond+"))")) != "true" {
		if time.Now().After(deadline) {
			t.Fatalf("never true: %s", cond)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

func newTestEngine(t *testing.T, dispatcher string) *engine.Engine {
	e := engine.New(engine.Options{Storage: engine.NewMapStorage(), Emit: NewEmitter(dispatcher), AutoStartDelay: -1})
	t.Cleanup(e.Close)
	return e
}

func TestEngineAPIConvertsMizuArguments(t *testing.T) {
	jsRun(t, `globalThis.__api_events = []; globalThis.__api_dispatch = (n, a) => __api_events.push([n, a]);`)
	orig := PageURL()
	jsRun(t, `history.replaceState(null, "", "?wp_displayname=Bob%20B");
		document.cookie = "wp_displayname=Cookie; path=/"; document.cookie = "wp_realm=cookie%20realm; path=/";`)
	t.Cleanup(func() {
		jsRun(t, `history.replaceState(null, "", a0); delete globalThis.__api_events; delete globalThis.__api_dispatch;
			for (const c of ["wp_displayname", "wp_realm"]) document.cookie = c + "=; path=/; max-age=0";`, orig)
	})
	e := newTestEngine(t, "__api_dispatch")
	release, err := Export("__api_test", EngineAPI(e, &MediaRegistry{}))
	require.NoError(t, err)
	defer release()

	out := jsRun(t, `const g = globalThis.__api_test;
		const r = {};
		r.init = g.init({username: "alice", autostart: 0, register: "0"});
		r.username = g.getparameter("username");
		r.displayname = g.getparameter("displayname");
		r.realm = g.getparameter("realm");
		r.set = g.setparameter("codec", "PCMU");
		r.codec = g.getparameter("codec");
		r.setNoValue = g.setparameter("codec");
		r.setNoName = g.setparameter();
		r.line = g.getline();
		r.incall = g.isincall();
		r.engine = g.getenginename();
		r.hangupBool = g.hangup(true);
		r.hangupAll = g.hangup(-2);
		r.callid = g.linetocallid(1, () => {});
		r.lineOf = g.callidtoline("nope", () => {});
		r.pc = g.getrtcpeerconnection();
		r.status = g.getStatus === undefined ? g.getstatus() : "";
		return JSON.stringify(r);`)
	assert.JSONEq(t, `{"init":true,"username":"alice","displayname":"Bob B","realm":"cookie realm","set":true,"codec":"PCMU",
		"setNoValue":false,"setNoName":false,"line":-1,"incall":false,"engine":"webrtc",
		"hangupBool":false,"hangupAll":false,"callid":"","lineOf":-1,"pc":null,
		"status":"`+e.GetStatus()+`"}`, jsString(t, out))
	jsEventually(t, `__api_events.some(e => e[0] === "onAppStateChange" && e[1][0] === "loaded")`)
}

func TestDTMFArgs(t *testing.T) {
	cases := []struct {
		args []any
		msg  string
		line int
	}{
		{[]any{"123"}, "123", -1},
		{[]any{-2, "1"}, "1", -2},
		{[]any{"5", -1}, "5", -1},
		{[]any{" 12 345 #", 2}, " 12 345 #", 2},
		{[]any{5, -1}, "5", -1},
		{[]any{-2, 7}, "7", -2},
		{[]any{"9", "-2"}, "9", -2},
		{[]any{"9", nil}, "9", -1},
	}
	for _, c := range cases {
		vals := make([]safejs.Value, len(c.args))
		for i, a := range c.args {
			v, err := safejs.ValueOf(a)
			require.NoError(t, err)
			vals[i] = v
		}
		msg, line := DTMFArgs(vals)
		assert.Equal(t, c.msg, msg, "%v", c.args)
		assert.Equal(t, c.line, line, "%v", c.args)
	}
}

// stageFunctions is every webphone_api function of this stage.
var stageFunctions = []string{"setparameter", "getparameter", "start", "stop", "register", "unregister", "call",
	"hangup", "accept", "reject", "ignore", "forward", "transfer", "hold", "mute", "dtmf", "sendchat", "setline", "getline",
	"isregistered", "isincall", "ismuted", "isonhold", "linetocallid", "callidtoline", "setsipheader",
	"getsipheader", "getsipmessage", "getlastrecinvite", "getlastsentinvite", "getlogs", "getenginename",
	"getStatus", "getrtcpeerconnection", "delsettings",
	"onAppStateChange", "onRegStateChange", "onCallStateChange", "onChat", "onDTMF", "onCdr", "onEvent"}

// TestWebphoneAPIJS runs www/webphone_api.js in the page against the real
// exported engine: defaults and queuing before load, replay, listeners.
func TestWebphoneAPIJS(t *testing.T) {
	src, err := os.ReadFile("../www/webphone_api.js")
	require.NoError(t, err)
	t.Cleanup(func() {
		jsRun(t, `for (const k of ["webphone_api", "__webphone_go", "__webphone_dispatch", "__webphone_go_ready", "__seen"]) delete globalThis[k];`)
	})
	// __booted keeps the script from loading webphone.wasm: this test binary
	// plays the wasm.
	jsRun(t, `globalThis.webphone_api = {__booted: true, parameters: {username: "carol", autostart: 0}};`)
	jsRun(t, string(src))

	missing := jsString(t, jsRun(t, `return a0.split(",").filter(n => typeof webphone_api[n] !== "function").join(",")`,
		strings.Join(stageFunctions, ",")))
	assert.Empty(t, missing, "functions missing from webphone_api")

	// Before the engine: documented defaults, actions queued.
	before := jsRun(t, `const w = webphone_api, s = globalThis.__seen = {app: [], order: [], cid: null, chat: [], display: []};
		w.onAppStateChange(function () { throw new Error("a buggy listener"); });
		w.onAppStateChange(st => s.app.push(st));
		w.onLoaded(() => s.order.push("onLoaded"));
		w.onAppStateChange("not a function");
		return JSON.stringify({
			line: w.getline(), status: w.getStatus(), incall: w.isincall(), reg: w.isregistered(),
			user: w.getparameter("username"), engine: w.getenginename(),
			set: w.setparameter("displayname", "Dave"), call: w.linetocallid(1, id => { s.cid = id; }),
			pc: w.getrtcpeerconnection(),
		});`)
	assert.JSONEq(t, `{"line":-1,"status":"STATUS,-1,Initializing","incall":false,"reg":false,
		"user":"carol","engine":"","set":true,"call":"","pc":null}`, jsString(t, before))

	// The wasm "starts": export the engine the way cmd/wasm does.
	e := newTestEngine(t, DispatcherName)
	release, err := Export(APIObjectName, EngineAPI(e, &MediaRegistry{}))
	require.NoError(t, err)
	defer release()
	jsRun(t, `const orig = __webphone_go.autostart;
		__webphone_go.autostart = function () { __seen.order.push("autostart"); return orig(); };
		globalThis.__webphone_go_ready()`)

	jsEventually(t, `__seen.app.includes("loaded")`)
	after := jsRun(t, `const w = webphone_api;
		return JSON.stringify({app: __seen.app, order: __seen.order, cid: __seen.cid,
			display: w.getparameter("displayname"), user: w.getparameter("username"),
			engine: w.getenginename(), line: w.getline()});`)
	assert.JSONEq(t, `{"app":["loaded"],"order":["onLoaded","autostart"],"cid":"","display":"Dave","user":"carol",
		"engine":"webrtc","line":-1}`, jsString(t, after))

	// Several listeners, null clears, deprecated registrars, no throwing.
	jsRun(t, `const w = webphone_api, s = __seen;
		w.onChat(() => s.chat.push("cleared"));
		w.onChat(null);
		w.onChat((from, msg, line, group) => s.chat.push([from, msg, line, group].join("|")));
		w.onChat((from) => s.chat.push("second " + from));
		w.onDisplay((text, title) => s.display.push(title + "/" + text));
		__webphone_dispatch("onChat", ["1001", "hi, there", 1, ""]);
		__webphone_dispatch("onEvent", ["display", "Warning,No microphone, check it"]);
		w.dtmf({}); w.call(undefined); w.mute("x", "y"); w.hold(); w.getsipmessage(1, 2, null);`)
	// call(undefined) is answered by the engine with a display message.
	jsEventually(t, `__seen.display.length === 2`)
	assert.Equal(t, `["1001|hi, there|1|","second 1001"]`, jsString(t, jsRun(t, `return JSON.stringify(__seen.chat)`)))
	assert.Equal(t, `["Warning/No microphone, check it","/Invalid phone number or SIP URI or username"]`,
		jsString(t, jsRun(t, `return JSON.stringify(__seen.display)`)))
}

package browser

import (
	"strings"
	"testing"
	"time"
)

// The helpers webphone_api.js answers itself, and the API_* names, do what
// docs/api.md says: they map to their counterparts with the arguments in
// the right places.
func TestAPIHelpersMapToTheirCounterparts(t *testing.T) {
	srv := startDemo(t)
	p := openPage(t, "page 1001", srv.HTTPURL(), toneWAV(t, 440, 48000), demoParams(srv, "1001"))
	p.waitRegistered(20 * time.Second)

	expect := func(call, want string) {
		t.Helper()
		if got := p.api(call); got != want {
			t.Errorf("%s = %s, want %s", call, got, want)
		}
	}
	expect(`caniusewebrtc()`, `true`)
	expect(`getavailablecallfunc()`, `"conference,transfer,numpad,mute,hold,chat"`)
	expect(`setparameter("callto", "1234")`, `true`)
	expect(`getcallto()`, `"1234"`)
	// API_SetCredentials sets only the non-empty fields.
	expect(`API_SetCredentials("", "", "", "", "Mr Test")`, `true`)
	expect(`getparameter("displayname")`, `"Mr Test"`)
	expect(`getparameter("username")`, `"1001"`)
	expect(`API_GetLine() === webphone_api.getline()`, `true`)
	// Unbuilt: the failure value, also to the callback.
	expect(`API_SetCredentialsMD5("srv", "1001", "0123456789abcdef0123456789abcdef", "realm")`, `false`)
	expect(`API_CheckVoicemail(-1)`, `false`)
	var cbGot []any
	p.eval(`(function () { var got = []; webphone_api.getworkdir(function (v) { got.push(v); }); return got; })()`, &cbGot)
	if len(cbGot) != 1 || cbGot[0] != "" {
		t.Errorf("getworkdir(cb) called cb with %v, want once with \"\"", cbGot)
	}
	// Built: getcallerdisplayfull without an incoming call answers "", also
	// to its callback.
	cbGot = nil
	p.eval(`(function () { var got = []; webphone_api.getcallerdisplayfull(function (v) { got.push(v); }); return got; })()`, &cbGot)
	if len(cbGot) != 1 || cbGot[0] != "" {
		t.Errorf("getcallerdisplayfull(cb) called cb with %v, want once with \"\"", cbGot)
	}
	// Built: transfer without a call fails; API_Transfer reaches transfer.
	expect(`transfer("1002")`, `false`)
	expect(`API_Transfer(-1, "1002")`, `false`)
	expect(`API_GetVolume(0) === webphone_api.getvolume(0)`, `true`)

	// API_Call(line, number) calls the number (its second argument); the
	// demo server has no 1999, so the call ends with 404.
	expect(`API_Call(-1, "1999")`, `true`)
	setup := p.waitCallState("setup", 1, 10*time.Second)
	if setup.arg(2) != "1999" {
		t.Errorf("API_Call(-1, \"1999\") set up a call to %q, want 1999 (%v)", setup.arg(2), setup)
	}
	p.waitCallStateEnded(10 * time.Second)
	// getlastinvite: no INVITE received, so the one sent.
	var inv string
	p.eval(`webphone_api.getlastinvite()`, &inv)
	if !strings.HasPrefix(inv, "INVITE sip:1999@") {
		t.Errorf("getlastinvite() = %.80q, want the INVITE sent to 1999", inv)
	}
}

// waitCallStateEnded waits for onCallStateChange("disconnected").
func (p *page) waitCallStateEnded(timeout time.Duration) event {
	p.t.Helper()
	return p.waitEvent(`onCallStateChange("disconnected")`, timeout, func(e event) bool {
		return e.Cb == "onCallStateChange" && e.arg(0) == "disconnected"
	})
}

package browser

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/opensoftphone/webphone/apispec"
)

// apiGuardJS runs before the page's scripts: it records uncaught errors,
// unhandled promise rejections and the console lines of webphone_api.js.
const apiGuardJS = `(function () {
  window.__apiErrors = [];
  window.__consoleLines = [];
  window.addEventListener('error', function (e) {
    window.__apiErrors.push('uncaught: ' + (e.error && e.error.stack ? e.error.stack : e.message));
  });
  window.addEventListener('unhandledrejection', function (e) {
    var r = e.reason;
    window.__apiErrors.push('unhandled rejection: ' + (r && r.stack ? r.stack : String(r)));
  });
  ['log', 'info', 'warn', 'error'].forEach(function (level) {
    var orig = console[level];
    console[level] = function () {
      try {
        window.__consoleLines.push(Array.prototype.join.call(arguments, ' '));
      } catch (e) { /* an argument that cannot become text */ }
      return orig.apply(console, arguments);
    };
  });
})();`

// apiJunkJS defines __apiJunk(members, only, skip): it calls every
// webphone_api member (those in only, or all but skip) with every set of
// junk arguments, counting which Go API members each one reached (once the
// engine has loaded), and reports exceptions, return values against the
// documented failure values, and the Go members reached per name.
const apiJunkJS = `window.__apiJunk = function (members, only, skip) {
  var go = window.__webphone_go;
  if (go && !go.__spied) {
    window.__goCalls = [];
    Object.keys(go).forEach(function (k) {
      var f = go[k];
      go[k] = function () {
        window.__goCalls.push(k);
        return f.apply(this, arguments);
      };
    });
    go.__spied = true;
  }
  var long = new Array(5001).join('x');
  var crlf = '1002\r\nVia: SIP/2.0/WS evil.invalid\r\n\r\nINVITE sip:evil SIP/2.0\r\nX: y';
  var evil = {
    toString: function () { throw new Error('junk toString'); },
    valueOf: function () { throw new Error('junk valueOf'); }
  };
  var thrower = function () { throw new Error('junk callback'); };
  var sets = [[], [undefined], [null], [0], [-1], [-2], [3], [1e9], [-1e9], [NaN], [Infinity], [true], [false],
    [{}], [[]], [[1, 2]], [evil], [long], [crlf], [thrower], ['1', thrower], [0, 0, thrower],
    [null, null, null, null], [crlf, crlf, crlf, crlf], [long, long, long], [{}, 1e9, crlf, evil],
    [-2, crlf], [evil, evil, evil, evil, evil, evil, evil, evil, evil]];
  var report = { threw: [], badReturn: [], reached: {} };
  members.forEach(function (m) {
    if (only && only.indexOf(m.name) < 0) return;
    if (skip && skip.indexOf(m.name) >= 0) return;
    var reached = {};
    sets.forEach(function (args) {
      window.__goCalls = [];
      var r;
      try {
        r = webphone_api[m.name].apply(webphone_api, args);
      } catch (e) {
        report.threw.push(m.name + '(' + args.length + ' args): ' + (e && e.stack ? e.stack : e));
        return;
      }
      window.__goCalls.forEach(function (k) { reached[k] = true; });
      if (!m.fn) return;
      if (r === undefined || (r === null && m.fail !== null)) {
        report.badReturn.push(m.name + ' returned ' + r);
      } else if (!m.built && JSON.stringify(r) !== JSON.stringify(m.fail)) {
        report.badReturn.push(m.name + ' returned ' + JSON.stringify(r) + ', want its failure value ' + JSON.stringify(m.fail));
      }
    });
    report.reached[m.name] = Object.keys(reached);
  });
  return report;
};`

// junkReport is what __apiJunk returns.
type junkReport struct {
	Threw     []string            `json:"threw"`
	BadReturn []string            `json:"badReturn"`
	Reached   map[string][]string `json:"reached"`
}

// apiMember is one webphone_api member as the page script sees it.
type apiMember struct {
	Name  string          `json:"name"`
	Fn    bool            `json:"fn"`
	Built bool            `json:"built"`
	Fail  json.RawMessage `json:"fail"`
}

// waitCallsEnded waits until no call is up and every call the page set up
// (window.__calls) was reported disconnected; it returns how many there
// were, and fails when there was none.
func waitCallsEnded(t *testing.T, p *page) int {
	t.Helper()
	waitTrue(t, p, `!webphone_api.isincall()`, 30*time.Second)
	setups := 0
	waitFor(t, "a disconnected event for every setup", 30*time.Second, func() bool {
		var calls []string
		p.eval(`window.__calls`, &calls)
		ends := 0
		setups = 0
		for _, c := range calls {
			switch strings.Fields(c)[0] {
			case "setup":
				setups++
			case "disconnected":
				ends++
			}
		}
		return setups > 0 && ends == setups
	})
	return setups
}

// apiMembers returns the documented names and the webphone_api members
// among them.
func apiMembers(t *testing.T) ([]apispec.Name, []apiMember) {
	t.Helper()
	names, err := apispec.All()
	if err != nil {
		t.Fatal(err)
	}
	var members []apiMember
	for _, n := range names {
		if n.Member() {
			fail := n.Fail
			if fail == nil {
				fail = json.RawMessage("null")
			}
			members = append(members, apiMember{Name: n.Name, Fn: n.IsFunction(), Built: n.Built(), Fail: fail})
		}
	}
	return names, members
}

// destructive are the members called only after the liveness check: they
// stop the engine, drop the registration or overwrite the account.
var destructive = []string{"stop", "unregister", "API_Unregister", "delsettings", "API_Register", "API_SetCredentials",
	"stopengine", "unregisterEngine"}

// Every name mizu_api.md documents exists on webphone_api as a function; no
// member throws (synchronously, later or as an unhandled rejection) when
// called with junk (undefined, null, numbers, objects whose toString
// throws, 5000-character strings, CR/LF, throwing callbacks); an unbuilt
// one answers its documented failure value and logs "not supported" once;
// a built one reaches the Go member names.json says it forwards to; and the
// phone still works afterwards (registered, a chat to itself goes through
// the server and back) until the destructive members run last.
func TestAPINamesExistAndSurviveJunk(t *testing.T) {
	names, members := apiMembers(t)
	var functions, registrarMembers []apiMember
	for _, m := range members {
		if m.Fn {
			functions = append(functions, m)
		} else {
			registrarMembers = append(registrarMembers, m)
		}
	}
	membersJSON, _ := json.Marshal(members)
	functionsJSON, _ := json.Marshal(functions)
	registrarsJSON, _ := json.Marshal(registrarMembers)
	destructiveJSON, _ := json.Marshal(destructive)
	dialers := []string{"call", "videocall", "screenshare", "API_Call", "conference", "API_Conf"}
	dialersJSON, _ := json.Marshal(dialers)
	skipJSON, _ := json.Marshal(append(append([]string(nil), destructive...), dialers...))

	srv := startDemo(t)
	p := openSitePage(t, "page 1001", srv.HTTPURL()+"phone.html", toneWAV(t, 440, 48000), demoParams(srv, "1001"), apiGuardJS)
	p.waitRegistered(20 * time.Second)

	// Every member exists, as a function.
	var missing []string
	p.eval(`(function (members) {
		return members.filter(function (m) { return typeof webphone_api[m.name] !== 'function'; })
			.map(function (m) { return m.name + ': ' + typeof webphone_api[m.name]; });
	})(`+string(membersJSON)+`)`, &missing)
	for _, m := range missing {
		t.Errorf("webphone_api.%s, want a function", m)
	}

	var ok bool
	p.eval(apiJunkJS+`; true`, &ok)
	// Call states while the junk runs, and every SIP message the page sends
	// (the engine logs each at loglevel 5): the junk's CR/LF must not
	// become header lines of their own there (in a chat body they may).
	p.eval(`window.__calls = []; webphone_api.onCallStateChange(function (ev, dir, peer, disp, line, callid) {
		window.__calls.push(ev + ' ' + line + ' ' + callid);
	});
	window.__sent = 0; window.__sentJunk = 0; window.__injected = [];
	webphone_api.onEvent(function (type, msg) {
		if (type !== 'log' || typeof msg !== 'string' || msg.indexOf('EVENT, SIP out: ') !== 0) return;
		window.__sent++;
		if (msg.indexOf('evil') >= 0) window.__sentJunk++;
		var lines = msg.split(/\r?\n/);
		for (var i = 1; i < lines.length && lines[i] !== ''; i++) { // the header, not the body
			if (/^(Via: SIP\/2\.0\/WS evil\.invalid|INVITE sip:evil SIP\/2\.0|X: y)$/.test(lines[i])) {
				window.__injected.push(msg.slice(0, 3000));
				return;
			}
		}
	}); true`, &ok)
	// The functions but the destructive ones; then, once the calls they
	// placed have ended, the registrars (onCallStateChange(null) clears the
	// listener that counts the calls); then the liveness check.
	// The functions that place calls go first, on their own, so that their
	// INVITEs reach the wire before other junk (hangup(-2) ...) ends them.
	var dialing junkReport
	p.eval(`__apiJunk(`+string(functionsJSON)+`, `+string(dialersJSON)+`, null)`, &dialing)
	checkJunk(t, "functions that place calls", dialing)
	waitCallsEnded(t, p)
	var first junkReport
	p.eval(`__apiJunk(`+string(functionsJSON)+`, null, `+string(skipJSON)+`)`, &first)
	checkJunk(t, "functions", first)
	p.api(`hangup(-2)`)
	setups := waitCallsEnded(t, p)
	t.Logf("the junk placed %d calls", setups)
	var sent struct {
		Sent, SentJunk int
		Injected       []string
	}
	p.eval(`({Sent: window.__sent, SentJunk: window.__sentJunk, Injected: window.__injected})`, &sent)
	t.Logf("the page sent %d SIP messages, %d of them carrying the CR/LF junk", sent.Sent, sent.SentJunk)
	if sent.Sent == 0 {
		t.Error("no SIP message was logged while the junk ran (loglevel 5 logs each)")
	}
	for _, m := range sent.Injected {
		t.Errorf("a page string's CR/LF became SIP header lines of their own:\n%s", m)
	}
	var registrars junkReport
	p.eval(`__apiJunk(`+string(registrarsJSON)+`, null, null)`, &registrars)
	checkJunk(t, "registrars", registrars)

	waitTrue(t, p, `webphone_api.isregistered()`, 30*time.Second)
	var status string
	p.eval(`webphone_api.getStatus()`, &status)
	if !strings.HasPrefix(status, "STATUS,") {
		t.Errorf("getStatus() = %q after the junk calls, want a STATUS line", status)
	}
	// A chat to itself: out through the server and back in.
	p.eval(`window.__chats = []; webphone_api.onChat(function (from, msg) { window.__chats.push(from + ':' + msg); }); true`, &ok)
	if got := p.api(`sendchat("1001", "still alive")`); got != "true" {
		t.Errorf(`sendchat("1001", "still alive") = %s after the junk calls, want true`, got)
	}
	waitTrue(t, p, `window.__chats.indexOf('1001:still alive') >= 0`, 20*time.Second)

	var last junkReport
	p.eval(`__apiJunk(`+string(membersJSON)+`, `+string(destructiveJSON)+`, null)`, &last)
	checkJunk(t, "destructive members", last)
	p.eval(`webphone_api.getStatus()`, &status)
	if !strings.HasPrefix(status, "STATUS,") {
		t.Errorf("getStatus() = %q after the destructive junk calls, want a STATUS line", status)
	}

	// Built functions reach their Go member.
	reached := map[string][]string{}
	for k, v := range dialing.Reached {
		reached[k] = v
	}
	for k, v := range first.Reached {
		reached[k] = v
	}
	for k, v := range registrars.Reached {
		reached[k] = v
	}
	for k, v := range last.Reached {
		reached[k] = v
	}
	for _, n := range names {
		if n.Go == "" {
			continue
		}
		if !contains(reached[n.Name], n.Go) {
			t.Errorf("%s is %q and forwards to Go %q, but no junk call reached it (reached %v)", n.Name, n.Status, n.Go, reached[n.Name])
		}
	}

	// Errors raised later (timers, promises), once the tasks the junk
	// queued have run (two turns of the event loop: webphone_api.js
	// delivers events one turn after they are queued), and the
	// "not supported" lines.
	var errs []string
	p.eval(`new Promise(function (r) {
		setTimeout(function () { setTimeout(function () { r(window.__apiErrors); }, 0); }, 0);
	})`, &errs)
	for _, e := range errs {
		t.Errorf("after the junk calls: %s", e)
	}
	var lines []string
	p.eval(`window.__consoleLines`, &lines)
	for _, n := range names {
		if !n.Member() || n.Built() {
			continue
		}
		want := "webphone: " + n.Name + ": not supported by this engine yet"
		count := 0
		for _, l := range lines {
			if l == want {
				count++
			}
		}
		if count != 1 {
			t.Errorf("%q logged %d times, want once", want, count)
		}
	}
}

// Before the engine has loaded (here it never does: the site has no
// webphone.wasm) every member exists, none throws on junk, an unbuilt one
// answers its failure value and every function answers something.
func TestAPINamesBeforeTheEngineLoads(t *testing.T) {
	_, members := apiMembers(t)
	membersJSON, _ := json.Marshal(members)
	site := makeSite(t)
	if err := os.Remove(filepath.Join(site, "webphone.wasm")); err != nil {
		t.Fatal(err)
	}
	p := openSitePage(t, "page without engine", serveStatic(t, site)+"phone.html", toneWAV(t, 440, 48000),
		map[string]string{"serveraddress": "127.0.0.1", "username": "1001"}, apiGuardJS)
	waitTrue(t, p, `window.__consoleLines.some(function (l) { return l.indexOf('cannot load the webphone engine') >= 0; })`, 20*time.Second)

	var ok bool
	p.eval(apiJunkJS+`; true`, &ok)
	var r junkReport
	p.eval(`__apiJunk(`+string(membersJSON)+`, null, null)`, &r)
	checkJunk(t, "before load", r)
	var errs []string
	p.eval(`new Promise(function (r) {
		setTimeout(function () { setTimeout(function () { r(window.__apiErrors); }, 0); }, 0);
	})`, &errs)
	for _, e := range errs {
		t.Errorf("after the junk calls: %s", e)
	}
	var status string
	p.eval(`webphone_api.getStatus()`, &status)
	if status != "STATUS,-1,Initializing" {
		t.Errorf("getStatus() before load = %q, want STATUS,-1,Initializing", status)
	}
}

func checkJunk(t *testing.T, phase string, r junkReport) {
	t.Helper()
	for _, s := range r.Threw {
		t.Errorf("%s: threw: %s", phase, s)
	}
	for _, s := range r.BadReturn {
		t.Errorf("%s: %s", phase, s)
	}
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

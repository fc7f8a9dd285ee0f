package browser

import (
	"context"
	"fmt"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"
)

// streamingRefused makes WebAssembly.compileStreaming (and
// instantiateStreaming) fail as they do
// when a server does not send application/wasm: webphone_api.js must fall
// back to fetching an ArrayBuffer.
const streamingRefused = `WebAssembly.instantiateStreaming = WebAssembly.compileStreaming = function () {
	window.__streamingRefused = true;
	return Promise.reject(new TypeError("Incorrect response MIME type. Expected 'application/wasm'."));
};`

// lineItem is the XPath of the button of a line in the softphone's list of
// calls, found by the name it shows.
func lineItem(name string) string {
	return `//ul[@id='lines']/li[.//span[@class='line-name' and text()='` + name + `']]/button`
}

// lineState is the state text of the line named name in the list of calls.
func lineState(p *page, name string) string {
	p.t.Helper()
	var v string
	p.eval(`(function () { var out = ''; document.querySelectorAll('#lines li').forEach(function (li) {
		if (li.querySelector('.line-name').textContent === `+jsString(name)+`) out = li.querySelector('.line-state').textContent; });
		return out; })()`, &v)
	return v
}

func waitLineState(t *testing.T, p *page, name, want string, timeout time.Duration) {
	t.Helper()
	waitFor(t, p.name+": line "+name+" "+want, timeout, func() bool { return lineState(p, name) == want })
}

// skinRegistered waits until softphone.html shows its phone: the login
// screen gone, the lamp saying Online.
func skinRegistered(t *testing.T, p *page, timeout time.Duration) {
	t.Helper()
	p.waitText("#regState", regexp.MustCompile(`^Online$`), timeout)
	p.waitVisible("#main", true, timeout)
	p.waitVisible("#login", false, timeout)
	waitTrue(t, p, `webphone_api.isregistered()`, timeout)
}

// dial types number on the dial pad key by key and presses Call.
func dial(p *page, number string) {
	p.t.Helper()
	p.click("#tabDial")
	for _, k := range number {
		p.click(`#pad button[data-key="` + string(k) + `"]`)
	}
	if got := p.value("#number"); !strings.HasSuffix(got, number) {
		p.t.Fatalf("%s: the number field shows %q after dialling %q", p.name, got, number)
	}
	p.click("#btnCall")
}

// Three softphone.html pages, used only through what a person sees and
// clicks, through the demo server. 1001 and 1003 sign in from their URL;
// 1002 (whose wasm loads through the ArrayBuffer fallback) signs in on the
// login screen, first with a wrong password. 1001 adds two contacts, which
// are still there after a reload; calls 1002 on the dial pad (with a
// backspace); 1002 answers; both hear each other; the timer runs; hold,
// mute and keypad tones; chat with an unread mark; 1003 calls in, 1001
// answers and the first call goes on hold; switching lines; a conference
// of both; hanging up one; a transfer; the history lists the calls; a
// declined call and an unknown number show their reason in words.
// Screenshots of each step go to the test's screenshot folder.
func TestSoftphoneUI(t *testing.T) {
	srv := startDemo(t)
	base := srv.HTTPURL()
	shots := screenshotDir(t)
	const toneA, toneB, toneC = 440.0, 1000.0, 700.0
	const wait = 20 * time.Second

	withProfile := func(user string) map[string]string {
		p := demoParams(srv, user)
		p["profile"] = user
		return p
	}
	a := openUIPage(t, "softphone 1001", base, "softphone.html", toneWAV(t, toneA, 48000), withProfile("1001"), "")
	b := openUIPage(t, "softphone 1002", base, "softphone.html", toneWAV(t, toneB, 48000),
		map[string]string{"loglevel": "5", "profile": "1002", "brandname": "Acme Phone", "colortheme": "3"}, streamingRefused)
	c := openUIPage(t, "softphone 1003", base, "softphone.html", toneWAV(t, toneC, 48000), withProfile("1003"), "")

	// 1001: signed in from the URL, no login screen.
	skinRegistered(t, a, wait)
	a.screenshot(shots, "01-dialpad")

	// 1002: the login screen, branded and themed by its parameters.
	b.waitVisible("#login", true, wait)
	waitTrue(t, b, `window.__streamingRefused === true && webphone_api.getenginename() === 'webrtc'`, wait)
	if got := b.text("#brand"); got != "Acme Phone" {
		t.Errorf("1002: brand %q, want the brandname parameter", got)
	}
	if got := b.attr("html", "data-theme"); got != "3" {
		t.Errorf("1002: theme %q, want colortheme 3", got)
	}
	b.typeInto("#username", "1002")
	b.typeInto("#password", "wrong")
	b.typeInto("#serveraddress", srv.Domain())
	b.typeInto("#webrtcserveraddress", srv.WSURL())
	b.screenshot(shots, "02-login")
	b.click("#btnLogin")
	b.waitText("#loginError", regexp.MustCompile(`^Wrong user name or password$`), wait)
	if code := b.attr("#loginError", "title"); !regexp.MustCompile(`^40[13] `).MatchString(code) {
		t.Errorf("1002: the refusal's tooltip is %q, want the SIP code and reason", code)
	}
	b.screenshot(shots, "03-login-refused")
	b.typeInto("#password", "pass1002")
	b.click("#btnLogin")
	skinRegistered(t, b, wait)
	skinRegistered(t, c, wait)

	// Settings: the devices are listed, and the speaker volume follows its
	// slider moved with the keyboard.
	a.click("#tabSettings")
	waitTrue(t, a, `document.getElementById('devMic').options.length > 0 && document.getElementById('devSpk').options.length > 0`, wait)
	a.waitVisible("#volSpk", true, wait)
	before := a.api(`getvolume(1)`)
	a.focus("#volSpk")
	a.keys(kb.ArrowDown + kb.ArrowDown + kb.ArrowDown + kb.ArrowDown + kb.ArrowDown)
	waitFor(t, "1001: the speaker volume to go down", wait, func() bool {
		var v, was float64
		a.eval(`webphone_api.getvolume(1)`, &v)
		_, _ = fmt.Sscan(before, &was)
		return v < was
	})
	a.screenshot(shots, "01b-settings")

	// 1001 adds two contacts; they are still there after a reload.
	a.click("#tabContacts")
	for _, ct := range [][2]string{{"Bob", "1002"}, {"Carol", "1003"}} {
		a.typeInto("#contactName", ct[0])
		a.typeInto("#contactNumber", ct[1])
		a.click("#btnAddContact")
		a.waitTextContains("#contactList", ct[0]+ct[1], wait)
	}
	a.reload()
	skinRegistered(t, a, wait)
	a.click("#tabContacts")
	a.waitText("#contactList", regexp.MustCompile(`^Bob1002.*Carol1003`), wait)
	// the demo server's presence agent lights the lamps of the users online
	waitTrue(t, a, `!!document.querySelector('#contactList li[data-number="1002"] .lamp.on')`, wait)
	a.screenshot(shots, "04-contacts")

	// 1001 dials 1002 on the pad, correcting a wrong digit with backspace.
	a.click("#tabDial")
	for _, k := range "1003" {
		a.click(`#pad button[data-key="` + string(k) + `"]`)
	}
	a.click("#btnBackspace")
	dial(a, "2") // 100 + 2
	a.waitText("#cardName", regexp.MustCompile(`^Bob$`), wait)
	a.waitText("#cardState", regexp.MustCompile(`^(Calling…|Ringing…)$`), wait)
	b.waitText("#cardState", regexp.MustCompile(`^Incoming call$`), wait)
	if got := b.text("#cardName"); got != "1001" {
		t.Errorf("1002: the caller card names %q, want 1001", got)
	}
	b.waitVisible("#btnAnswer", true, wait)
	if got := b.text("title"); got != "Incoming call: 1001" {
		t.Errorf("1002: the page title during the incoming call is %q", got)
	}
	b.screenshot(shots, "05-incoming")
	b.click("#btnAnswer")
	for _, p := range []*page{a, b} {
		p.waitText("#cardState", regexp.MustCompile(`^Connected$`), wait)
		p.waitText("#cardTimer", regexp.MustCompile(`^0:0[1-9]$`), wait)
		p.waitVisible("#btnAnswer", false, wait)
	}
	b.waitText("title", regexp.MustCompile(`^Acme Phone$`), wait)
	lineA := a.waitCallState("connected", 1, wait).arg(4)
	lineB := b.waitCallState("connected", 2, wait).arg(4)
	t.Logf("1001 hears: %v", a.waitHears(lineA, toneB, wait))
	t.Logf("1002 hears: %v", b.waitHears(lineB, toneA, wait))
	a.screenshot(shots, "06-in-call")
	// Bob's busy lamp turns on in 1001's contacts
	waitTrue(t, a, `!!document.querySelector('#contactList li[data-number="1002"] .lamp.busy')`, wait)

	// Hold and resume, mute and unmute.
	a.click("#btnHold")
	waitTrue(t, a, `webphone_api.isonhold() && webphone_api.getrtcpeerconnection().localDescription.sdp.indexOf('a=sendonly') >= 0`, wait)
	a.waitText("#cardState", regexp.MustCompile(`^On hold$`), wait)
	a.waitText("#btnHold .lbl", regexp.MustCompile(`^Resume$`), wait)
	a.click("#btnHold")
	waitTrue(t, a, `!webphone_api.isonhold() && webphone_api.getrtcpeerconnection().localDescription.sdp.indexOf('a=sendrecv') >= 0`, wait)
	a.waitText("#cardState", regexp.MustCompile(`^Connected$`), wait)
	a.click("#btnMute")
	waitTrue(t, a, `webphone_api.ismuted() && webphone_api.getrtcpeerconnection().getSenders()[0].track.enabled === false`, wait)
	a.waitText("#cardState", regexp.MustCompile(`^Connected · Muted$`), wait)
	a.click("#btnMute")
	waitTrue(t, a, `!webphone_api.ismuted() && webphone_api.getrtcpeerconnection().getSenders()[0].track.enabled === true`, wait)

	// Keypad tones: RFC 4733 played by the RTCDTMFSender, SIP INFO reaching
	// 1002's onDTMF.
	a.click("#btnKeypad")
	a.waitVisible("#dtmfPad", true, wait)
	if got := a.api(`setparameter('dtmfmode', '4')`); got != "true" {
		t.Fatalf("setparameter('dtmfmode', '4') = %s, want true", got)
	}
	var ok bool
	a.eval(`(function () { window.__tones = ''; webphone_api.getrtcpeerconnection().getSenders()[0].dtmf
		.addEventListener('tonechange', function (e) { window.__tones += e.tone; }); return true; })()`, &ok)
	a.click(`#dtmfPad button[data-key="1"]`)
	waitTrue(t, a, `window.__tones === '1'`, wait)
	a.click(`#dtmfPad button[data-key="#"]`)
	waitTrue(t, a, `window.__tones === '1#'`, wait)
	if got := a.api(`setparameter('dtmfmode', '1')`); got != "true" {
		t.Fatalf("setparameter('dtmfmode', '1') = %s, want true", got)
	}
	a.click(`#dtmfPad button[data-key="5"]`)
	b.waitEvent("onDTMF 5", wait, func(e event) bool { return e.Cb == "onDTMF" && e.arg(0) == "5" })
	a.click("#btnKeypad")

	// Chat from the contact's chat button; 1002 sees an unread mark until it
	// opens the thread.
	a.click("#tabContacts")
	a.click(`#contactList li[data-number="1002"] button.chat`)
	a.waitVisible("#threadView", true, wait)
	a.typeInto("#chatInput", "hello, B")
	a.click("#btnSend")
	a.waitText("#messages", regexp.MustCompile(`^hello, B\d`), wait)
	if got := a.value("#chatInput"); got != "" {
		t.Errorf("1001: the chat field still holds %q after sending", got)
	}
	b.waitText("#chatBadge", regexp.MustCompile(`^1$`), wait)
	b.waitVisible("#chatBadge", true, wait)
	b.click("#tabChat")
	b.waitVisible(`#threadList li.unread[data-peer="1001"]`, true, wait)
	b.screenshot(shots, "07-chat-unread")
	b.click(`#threadList li[data-peer="1001"] button`)
	b.waitText("#messages", regexp.MustCompile(`^hello, B\d{1,2}:\d\d`), wait)
	b.waitVisible("#chatBadge", false, wait)
	b.typeInto("#chatInput", "hi A")
	b.click("#btnSend")
	a.waitText("#messages", regexp.MustCompile(`hello, B.*hi A`), wait)
	a.screenshot(shots, "08-chat")

	// 1003 calls 1001 from the keyboard alone: digits and Enter typed
	// anywhere on the page dial.
	c.click("#brand")
	c.keys("1001")
	c.waitText("#cardState", regexp.MustCompile(`^$`), wait) // no call yet
	if got := c.value("#number"); got != "1001" {
		t.Fatalf("1003: the number field shows %q after typing 1001 on the page", got)
	}
	c.keys("\r")
	// answering holds the call with Bob
	a.waitText("#cardState", regexp.MustCompile(`^Incoming call$`), wait)
	a.waitText("#cardName", regexp.MustCompile(`^Carol$`), wait)
	a.click("#btnAnswer")
	c.waitText("#cardState", regexp.MustCompile(`^Connected$`), wait)
	waitLineState(t, a, "Bob", "On hold", wait)
	waitLineState(t, a, "Carol", "Connected", wait)
	a.screenshot(shots, "09-two-lines")
	// choosing Bob's line holds Carol and resumes Bob
	a.click(lineItem("Bob"))
	waitLineState(t, a, "Carol", "On hold", wait)
	waitLineState(t, a, "Bob", "Connected", wait)
	a.waitText("#cardName", regexp.MustCompile(`^Bob$`), wait)

	// Conference: the two calls joined.
	a.click("#btnConference")
	a.waitVisible("#actionForm", true, wait)
	a.click("#btnActionGo") // no number: join the calls there are
	a.waitEvent("the conference", wait, func(e event) bool { return e.Cb == "onCallStateChange" && e.arg(0) == "conference" })
	waitLineState(t, a, "Carol", "In conference", wait)
	waitLineState(t, a, "Bob", "In conference", wait)
	waitTrue(t, a, `!webphone_api.isonhold()`, wait)
	a.screenshot(shots, "10-conference")

	// Carol leaves: 1001 chooses her line and hangs up.
	a.click(lineItem("Carol"))
	a.waitText("#cardName", regexp.MustCompile(`^Carol$`), wait)
	a.click("#btnHangup")
	c.waitText("#cardState", regexp.MustCompile(`^Call ended$`), wait)
	waitTrue(t, c, `!webphone_api.isincall()`, wait)

	// Transfer: 1001 hands Bob over to 1003.
	a.waitText("#cardName", regexp.MustCompile(`^Bob$`), wait)
	a.waitText("#cardState", regexp.MustCompile(`^Connected$`), wait) // a conference of one is a call again
	a.click("#btnTransfer")
	a.typeInto("#actionNumber", "1003")
	a.click("#btnActionGo")
	c.waitText("#cardState", regexp.MustCompile(`^Incoming call$`), wait)
	c.click("#btnAnswer")
	b.waitText("#cardName", regexp.MustCompile(`^1003$`), 2*wait)
	b.waitText("#cardState", regexp.MustCompile(`^Connected$`), wait)
	waitTrue(t, a, `!webphone_api.isincall()`, wait)
	b.click("#btnHangup")
	for _, p := range []*page{b, c} {
		waitTrue(t, p, `!webphone_api.isincall()`, wait)
	}

	// History: 1001's calls with Bob and Carol, named from the contacts.
	a.click("#tabHistory")
	a.waitText("#historyList", regexp.MustCompile(`Carol`), wait)
	a.waitText("#historyList", regexp.MustCompile(`Bob`), wait)
	if !a.visible(`#historyList li.outgoing[data-number="1002"]`) || !a.visible(`#historyList li.incomingcall[data-number="1003"]`) {
		t.Errorf("1001: the history does not list the outgoing call to 1002 and the incoming one from 1003: %q", a.text("#historyList"))
	}
	a.screenshot(shots, "11-history")

	// A declined call and an unknown number end with their reason in words.
	dial(a, "1003")
	c.waitText("#cardState", regexp.MustCompile(`^Incoming call$`), wait)
	c.click("#btnReject")
	a.waitText("#cardState", regexp.MustCompile(`^Declined$`), wait)
	if code := a.attr("#cardState", "title"); !strings.HasPrefix(code, "603") {
		t.Errorf("1001: the tooltip of a declined call is %q, want the 603 reason", code)
	}
	a.screenshot(shots, "12-declined")
	a.waitVisible("#callView", false, wait)
	dial(a, "1999")
	a.waitText("#cardState", regexp.MustCompile(`^Number not found$`), wait)
	if code := a.attr("#cardState", "title"); !strings.HasPrefix(code, "404") {
		t.Errorf("1001: the tooltip of a call to an unknown number is %q, want the 404 reason", code)
	}
	a.click("#tabHistory")
	a.waitText("#historyList", regexp.MustCompile(`Declined`), wait)
	for _, p := range []*page{a, b, c} {
		p.noExceptions()
	}
}

// Two tabs of one browser, opened with two profiles (wp_profile), sign in
// as two users on their login screens (the second in German, its language
// parameter): after a reload each is still its own user. On a 360 px
// phone screen no page is wider than the screen, the arrow keys move
// between the tabs, and a long press on 0 types '+'.
func TestSoftphoneTwoTabsTwoUsers(t *testing.T) {
	srv := startDemo(t)
	const wait = 20 * time.Second
	server := map[string]string{"serveraddress": srv.Domain(), "webrtcserveraddress": srv.WSURL()}
	one := func(user string) map[string]string {
		p := map[string]string{"profile": user}
		return p
	}
	first := openUIPage(t, "tab 1004", srv.HTTPURL(), "softphone.html", toneWAV(t, 440, 48000), one("1004"), "")
	de := one("1005")
	de["language"] = "de"
	second := first.newTab("tab 1005", srv.HTTPURL()+"softphone.html", de)
	second.waitText("#btnLogin", regexp.MustCompile(`^Anmelden$`), wait) // the language parameter
	second.waitText("#tabDial", regexp.MustCompile(`^Wählen$`), wait)
	for i, p := range []*page{first, second} {
		user := []string{"1004", "1005"}[i]
		p.waitVisible("#login", true, wait)
		p.typeInto("#username", user)
		p.typeInto("#password", "pass"+user)
		p.typeInto("#serveraddress", server["serveraddress"])
		p.typeInto("#webrtcserveraddress", server["webrtcserveraddress"])
		p.click("#btnLogin")
		skinRegistered(t, p, wait)
	}
	// A phone screen (360 px): nothing wider than the screen; the tabs
	// follow the arrow keys.
	ctx, cancel := context.WithTimeout(first.ctx, uiTimeout)
	if err := chromedp.Do(ctx, chromedp.EmulateViewport(360, 640)); err != nil {
		t.Fatalf("viewport: %v", err)
	}
	cancel()
	for _, tab := range []string{"#tabDial", "#tabContacts", "#tabHistory", "#tabChat", "#tabSettings"} {
		first.click(tab)
		waitTrue(t, first, `document.documentElement.scrollWidth <= window.innerWidth`, wait)
	}
	first.focus("#tabSettings")
	first.keys(kb.ArrowRight) // wraps to the first tab
	waitTrue(t, first, `document.activeElement.id === 'tabDial' && document.getElementById('tabDial').getAttribute('aria-selected') === 'true' && !document.getElementById('panelDial').hidden`, wait)
	first.keys(kb.ArrowRight)
	waitTrue(t, first, `document.activeElement.id === 'tabContacts' && !document.getElementById('panelContacts').hidden && document.getElementById('panelDial').hidden`, wait)
	first.screenshot(screenshotDir(t), "phone-360")

	// The dial pad's 0 gives '+' when held, and 0 when tapped; backspace
	// takes the last character away.
	first.click("#tabDial")
	first.pressUntil(`#pad button[data-key="0"]`, wait, func() bool { return first.value("#number") == "+" })
	first.click(`#pad button[data-key="0"]`)
	first.click(`#pad button[data-key="9"]`)
	waitTrue(t, first, `document.getElementById('number').value === '+09'`, wait)
	first.click("#btnBackspace")
	waitTrue(t, first, `document.getElementById('number').value === '+0'`, wait)

	for i, p := range []*page{first, second} {
		user := []string{"1004", "1005"}[i]
		p.reload()
		skinRegistered(t, p, wait)
		if got := p.api(`getparameter('username')`); got != `"`+user+`"` {
			t.Errorf("%s after a reload: username %s, want %s", p.name, got, user)
		}
		p.waitText("#me", regexp.MustCompile(`^`+user+`$`), wait)
	}
}

// The SIP reasons a call or a registration ends with, in the words the
// softphone shows (reasons.js), each with the reason itself for the
// tooltip.
func TestSoftphoneReasonWords(t *testing.T) {
	srv := startDemo(t)
	p := openUIPage(t, "softphone", srv.HTTPURL(), "softphone.html", toneWAV(t, 440, 48000), nil, "")
	p.waitVisible("#login", true, 20*time.Second)
	for reason, want := range map[string]string{
		"486 Busy Here":                   "Busy",
		"600 Busy Everywhere":             "Busy",
		"603 Decline":                     "Declined",
		"404 Not Found":                   "Number not found",
		"480 Temporarily Unavailable":     "Unreachable",
		"503 Service Unavailable":         "Unreachable",
		"408 Request Timeout":             "No answer",
		"401 Unauthorized":                "Wrong user name or password",
		"403 Forbidden":                   "Wrong user name or password",
		"487 Request Terminated":          "Cancelled",
		"488 Not Acceptable Here":         "Audio could not start",
		"transport: dial ws://x: refused": "Unreachable",
		"-1 no response":                  "No answer",
		"BYE bye received":                "Call ended",
		"499 Something New":               "Failed",
	} {
		var got struct{ Words, Code string }
		p.eval(`(function (r) { return { Words: r.words, Code: r.code }; })(SP.reason(`+jsString(reason)+`))`, &got)
		if got.Words != want || got.Code != reason {
			t.Errorf("SP.reason(%q) = %q (tooltip %q), want %q (tooltip the reason)", reason, got.Words, got.Code, want)
		}
	}
}

package browser

import (
	"context"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// navigate opens pageURL in p's tab, as following a link does.
func (p *page) navigate(pageURL string) {
	p.t.Helper()
	ctx, cancel := context.WithTimeout(p.ctx, 30*time.Second)
	defer cancel()
	if err := chromedp.Do(ctx, chromedp.Navigate(pageURL)); err != nil {
		p.t.Fatalf("%s: open %s: %v", p.name, pageURL, err)
	}
}

// href is the address the link sel leads to ("" when there is none).
func (p *page) href(sel string) string {
	p.t.Helper()
	var v string
	p.eval(`(function (a) { return a ? a.href : ''; })(document.querySelector(`+jsString(sel)+`))`, &v)
	return v
}

// The demo's front door: "/" lists the demo accounts; the softphone link of
// 1001 opens the skin signed in; the examples open signed in as 1005 and
// work: the minimal example registers, the API example accepts a call from
// the softphone, the basic example registers; the click-to-call link of 1005
// calls 1001 and chats with it.
func TestLandingPageOpensTheSkinsAndExamples(t *testing.T) {
	srv := startDemo(t)
	shots := screenshotDir(t)
	const wait = 20 * time.Second
	home := openUIPage(t, "landing", srv.HTTPURL(), "", toneWAV(t, 440, 48000), nil, "")
	home.waitText("#accounts tbody", regexp.MustCompile(`1001`), wait)
	var rows int
	home.eval(`document.querySelectorAll('#accounts tbody tr').length`, &rows)
	if rows != 5 {
		t.Errorf("the landing page lists %d accounts, want the 5 demo accounts", rows)
	}
	home.screenshot(shots, "landing")
	phoneURL := home.href(`tr[data-user="1001"] a.softphone`)
	c2cURL := home.href(`tr[data-user="1001"] a.click2call`)
	if phoneURL == "" || !strings.Contains(c2cURL, "wp_callto=1002") {
		t.Fatalf("links of 1001: softphone %q, click to call %q", phoneURL, c2cURL)
	}
	var examples []string
	home.eval(`Array.from(document.querySelectorAll('#examples a')).map(function (a) { return a.href; })`, &examples)
	if len(examples) != 3 {
		t.Fatalf("the landing page links %d examples, want 3: %v", len(examples), examples)
	}

	// the softphone, from its link
	phone := openUIPage(t, "softphone 1001", "", phoneURL, toneWAV(t, 440, 48000), nil, "")
	skinRegistered(t, phone, wait)

	// the examples, from their links, in one tab
	ex := home
	for _, u := range examples {
		ex.navigate(u)
		switch {
		case strings.Contains(u, "minimal_example"):
			ex.waitTextContains("#status", "Registered", wait)
		case strings.Contains(u, "api_example"):
			ex.waitText("#reg", regexp.MustCompile(`^registered$`), wait)
			phone.typeInto("#number", "1005")
			phone.click("#btnCall")
			ex.waitText("#call_state", regexp.MustCompile(`^from 1001: ringing`), wait)
			ex.click("#accept")
			ex.waitText("#call_state", regexp.MustCompile(`^from 1001: connected`), wait)
			phone.waitText("#cardState", regexp.MustCompile(`^Connected$`), wait)
			ex.waitTextContains("#log", "onCallStateChange connected", wait)
			ex.click("#hangup")
			phone.waitText("#cardState", regexp.MustCompile(`^Call ended$`), wait)
		case strings.Contains(u, "basic.html"):
			ex.waitText("#state", regexp.MustCompile(`^registered$`), wait)
		default:
			t.Errorf("an example the test does not know: %s", u)
		}
	}

	// click to call, from its link: 1005 calls 1001 with the button, then
	// chats from the right-click menu.
	ex.navigate(home2c2c(t, srv.HTTPURL(), ex))
	ex.waitText("#c2k_container_0 .c2k-label", regexp.MustCompile(`^Call$`), wait)
	ex.waitRegistered(wait)
	ex.click("#c2k_container_0 button")
	phone.waitText("#cardState", regexp.MustCompile(`^Incoming call$`), wait)
	phone.click("#btnAnswer")
	ex.waitText("#c2k_container_0 .c2k-status", regexp.MustCompile(`^0:0[1-9]$`), wait)
	ex.click("#c2k_container_0 button")
	phone.waitText("#cardState", regexp.MustCompile(`^Call ended$`), wait)
	ex.waitText("#c2k_container_0 .c2k-label", regexp.MustCompile(`^Call$`), wait)
	ex.rightClick("#c2k_container_0 button")
	ex.waitVisible(".c2k-chat-input", true, wait)
	ex.typeInto(".c2k-chat-input", "a question from the web")
	ex.click(".c2k-chat form button")
	phone.waitText("#chatBadge", regexp.MustCompile(`^1$`), wait)
	phone.click("#tabChat")
	phone.waitTextContains(`#threadList li[data-peer="1005"]`, "a question from the web", wait)
	phone.noExceptions() // (not ex: the test's recorder throws on the landing page, which has no webphone_api)
}

// home2c2c opens the landing page in p and returns the click-to-call link
// of 1005 (which calls 1001).
func home2c2c(t *testing.T, base string, p *page) string {
	t.Helper()
	p.navigate(base)
	p.waitText("#accounts tbody", regexp.MustCompile(`1005`), 20*time.Second)
	u := p.href(`tr[data-user="1005"] a.click2call`)
	if !strings.Contains(u, "wp_callto=1001") {
		t.Fatalf("the click-to-call link of 1005 is %q, want one calling 1001", u)
	}
	return u
}

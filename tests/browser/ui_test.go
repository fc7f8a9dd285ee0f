package browser

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// openUIPage opens a page of the site the way a user would (file is e.g.
// "softphone.html" or "examples/basic.html"), with the test page's recorder
// (testdata/phone_recorder.js: window.T, T.measure) added once the page's
// own scripts have run, so that failures dump the engine's callbacks and the
// test can measure the received audio. extraPreload runs before the page's
// scripts.
func openUIPage(t *testing.T, name, base, file, wav string, params map[string]string, extraPreload string) *page {
	t.Helper()
	rec, err := os.ReadFile(filepath.Join("testdata", "phone_recorder.js"))
	if err != nil {
		t.Fatalf("%s: %v", name, err)
	}
	preload := extraPreload + "\ndocument.addEventListener('DOMContentLoaded', function () {\n" + string(rec) + "\n});\n"
	return openSitePage(t, name, base+file, wav, params, preload)
}

// uiTimeout bounds one UI action (finding and clicking an element, typing).
const uiTimeout = 10 * time.Second

// click clicks the element sel (a CSS selector, or an XPath starting with
// "//") with the mouse, as a user would: a disabled button does nothing.
func (p *page) click(sel string) {
	p.t.Helper()
	ctx, cancel := context.WithTimeout(p.ctx, uiTimeout)
	defer cancel()
	click := chromedp.Click(chromedp.CSS(sel))
	if strings.HasPrefix(sel, "//") {
		click = chromedp.Click(chromedp.Search(sel))
	}
	if err := chromedp.Do(ctx, click); err != nil {
		p.t.Fatalf("%s: click %s: %v", p.name, sel, err)
	}
}

// typeInto replaces the value of the input sel by typing text key by key.
func (p *page) typeInto(sel, text string) {
	p.t.Helper()
	var cleared bool
	p.eval(`(function (e) { if (!e) return false; e.value = ''; return true; })(document.querySelector(`+jsString(sel)+`))`, &cleared)
	if !cleared {
		p.t.Fatalf("%s: no %s to type into", p.name, sel)
	}
	ctx, cancel := context.WithTimeout(p.ctx, uiTimeout)
	defer cancel()
	if err := chromedp.Do(ctx, chromedp.SendKeys(chromedp.CSS(sel), text)); err != nil {
		p.t.Fatalf("%s: type %q into %s: %v", p.name, text, sel, err)
	}
	if got := p.value(sel); got != text {
		p.t.Fatalf("%s: %s holds %q after typing %q", p.name, sel, got, text)
	}
}

// value is the current value of the input sel.
func (p *page) value(sel string) string {
	p.t.Helper()
	var v string
	p.eval(`document.querySelector(`+jsString(sel)+`).value`, &v)
	return v
}

// text is the textContent of the element sel ("" when there is none).
func (p *page) text(sel string) string {
	p.t.Helper()
	var v string
	p.eval(`(function (e) { return e ? e.textContent : ''; })(document.querySelector(`+jsString(sel)+`))`, &v)
	return v
}

// waitText waits until the textContent of sel matches re and returns the
// submatches.
func (p *page) waitText(sel string, re *regexp.Regexp, timeout time.Duration) []string {
	p.t.Helper()
	deadline := time.Now().Add(timeout)
	for {
		got := p.text(sel)
		if m := re.FindStringSubmatch(got); m != nil {
			return m
		}
		if time.Now().After(deadline) {
			p.t.Fatalf("%s: %s does not match %s within %v; it shows %q", p.name, sel, re, timeout, got)
		}
		time.Sleep(150 * time.Millisecond)
	}
}

// waitTextContains waits until the textContent of sel contains want.
func (p *page) waitTextContains(sel, want string, timeout time.Duration) {
	p.t.Helper()
	p.waitText(sel, regexp.MustCompile(regexp.QuoteMeta(want)), timeout)
}

// jsString quotes s as a JavaScript string literal.
func jsString(s string) string {
	b, _ := json.Marshal(s)
	return string(b)
}

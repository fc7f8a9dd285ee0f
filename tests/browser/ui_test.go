package browser

import (
	"context"
	"encoding/json"
	"errors"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/input"
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
	// a phone-sized window: the skins are made for it, and the screenshots show it
	return openSitePage(t, name, base+file, wav, params, preload, chromedp.WindowSize(420, 900))
}

// newTab opens pageURL (with the wp_ parameters) in another tab of p's
// browser: the two share localStorage, as two tabs of one browser do.
func (p *page) newTab(name, pageURL string, params map[string]string) *page {
	p.t.Helper()
	q := url.Values{}
	for k, v := range params {
		q.Set("wp_"+k, v)
	}
	if len(q) > 0 {
		pageURL += "?" + q.Encode()
	}
	ctx, cancel := chromedp.NewContext(p.ctx)
	p.t.Cleanup(cancel)
	tab := &page{t: p.t, name: name, ctx: ctx}
	if err := chromedp.Do(ctx); err != nil { // opens the tab, for as long as ctx lives
		p.t.Fatalf("%s: cannot open a tab: %v", name, err)
	}
	startCtx, cancelStart := context.WithTimeout(ctx, 30*time.Second)
	defer cancelStart()
	if err := chromedp.Do(startCtx, chromedp.Navigate(pageURL)); err != nil {
		p.t.Fatalf("%s: cannot open %s: %v", name, pageURL, err)
	}
	return tab
}

// visible reports whether the element sel is shown (not hidden by itself
// or by a parent).
func (p *page) visible(sel string) bool {
	p.t.Helper()
	var v bool
	p.eval(`(function (e) { return !!e && e.getClientRects().length > 0; })(document.querySelector(`+jsString(sel)+`))`, &v)
	return v
}

// waitVisible waits until the element sel is shown (want true) or hidden.
func (p *page) waitVisible(sel string, want bool, timeout time.Duration) {
	p.t.Helper()
	deadline := time.Now().Add(timeout)
	for p.visible(sel) != want {
		if time.Now().After(deadline) {
			p.t.Fatalf("%s: %s visible = %v within %v, want %v", p.name, sel, !want, timeout, want)
		}
		time.Sleep(150 * time.Millisecond)
	}
}

// attr is the attribute name of the element sel ("" when either is
// missing).
func (p *page) attr(sel, name string) string {
	p.t.Helper()
	var v string
	p.eval(`(function (e) { return e ? (e.getAttribute(`+jsString(name)+`) || '') : ''; })(document.querySelector(`+jsString(sel)+`))`, &v)
	return v
}

// noExceptions fails the test when a script of the page threw.
func (p *page) noExceptions() {
	p.t.Helper()
	p.mu.Lock()
	defer p.mu.Unlock()
	for _, l := range p.console {
		if strings.HasPrefix(l, "exception: ") || strings.Contains(l, "listener failed") {
			p.t.Errorf("%s: a script failed: %s", p.name, l)
		}
	}
}

// screenshotDir is where the UI tests write their screenshots: the folder
// $WEBPHONE_SCREENSHOTS names, else a folder of the test's own (logged)
// under the temporary directory, kept after the test.
func screenshotDir(t *testing.T) string {
	t.Helper()
	dir := os.Getenv("WEBPHONE_SCREENSHOTS")
	if dir == "" {
		dir = filepath.Join(os.TempDir(), "webphone-screenshots", strings.ReplaceAll(t.Name(), "/", "_"))
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatalf("screenshots: %v", err)
	}
	t.Logf("screenshots go to %s", dir)
	return dir
}

// screenshot writes what the page shows now to dir/name.png.
func (p *page) screenshot(dir, name string) {
	p.t.Helper()
	ctx, cancel := context.WithTimeout(p.ctx, uiTimeout)
	defer cancel()
	png, err := chromedp.Run(ctx, chromedp.CaptureScreenshot())
	if err != nil {
		p.t.Fatalf("%s: screenshot %s: %v", p.name, name, err)
	}
	if err := os.WriteFile(filepath.Join(dir, name+".png"), png, 0o644); err != nil {
		p.t.Fatalf("%s: screenshot %s: %v", p.name, name, err)
	}
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

// rightClick clicks the element sel (a CSS selector) with the right mouse
// button.
func (p *page) rightClick(sel string) {
	p.t.Helper()
	ctx, cancel := context.WithTimeout(p.ctx, uiTimeout)
	defer cancel()
	nodes, err := chromedp.Run(ctx, chromedp.Nodes(chromedp.CSS(sel), chromedp.NodeVisible))
	if err == nil && len(nodes) == 0 {
		err = errors.New("no such element")
	}
	if err == nil {
		err = chromedp.Do(ctx, chromedp.MouseClickNode(nodes[0], chromedp.ButtonRight))
	}
	if err != nil {
		p.t.Fatalf("%s: right-click %s: %v", p.name, sel, err)
	}
}

// pressUntil presses the mouse on the element sel and keeps it pressed
// until done reports true (a long press), then releases it.
func (p *page) pressUntil(sel string, timeout time.Duration, done func() bool) {
	p.t.Helper()
	var xy []float64
	p.eval(`(function (e) { var r = e.getBoundingClientRect(); return [r.left + r.width / 2, r.top + r.height / 2]; })(document.querySelector(`+jsString(sel)+`))`, &xy)
	ctx, cancel := context.WithTimeout(p.ctx, timeout+uiTimeout)
	defer cancel()
	if err := chromedp.Do(ctx, chromedp.MouseEvent(input.DispatchMouseEventTypeMousePressed, xy[0], xy[1], chromedp.ButtonLeft, chromedp.ClickCount(1))); err != nil {
		p.t.Fatalf("%s: press %s: %v", p.name, sel, err)
	}
	waitFor(p.t, p.name+": the long press on "+sel, timeout, done)
	if err := chromedp.Do(ctx, chromedp.MouseEvent(input.DispatchMouseEventTypeMouseReleased, xy[0], xy[1], chromedp.ButtonLeft, chromedp.ClickCount(1))); err != nil {
		p.t.Fatalf("%s: release %s: %v", p.name, sel, err)
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

// keys types text with the keyboard into whatever has the focus.
func (p *page) keys(text string) {
	p.t.Helper()
	ctx, cancel := context.WithTimeout(p.ctx, uiTimeout)
	defer cancel()
	if err := chromedp.Do(ctx, chromedp.KeyEvent(text)); err != nil {
		p.t.Fatalf("%s: type %q: %v", p.name, text, err)
	}
}

// focus gives the element sel the keyboard focus.
func (p *page) focus(sel string) {
	p.t.Helper()
	ctx, cancel := context.WithTimeout(p.ctx, uiTimeout)
	defer cancel()
	if err := chromedp.Do(ctx, chromedp.Focus(chromedp.CSS(sel))); err != nil {
		p.t.Fatalf("%s: focus %s: %v", p.name, sel, err)
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

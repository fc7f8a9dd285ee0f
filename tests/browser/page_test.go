package browser

import (
	"context"
	"encoding/json"
	"fmt"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	cdppage "github.com/chromedp/cdproto/page"
	"github.com/chromedp/cdproto/runtime"
	"github.com/chromedp/chromedp"

	"github.com/opensoftphone/webphone/tests/infra"
)

// page is the test page open in its own headless Chromium process.
type page struct {
	t    *testing.T
	name string
	ctx  context.Context

	mu      sync.Mutex
	console []string
}

// event is one recorded webphone_api callback.
type event struct {
	Cb   string `json:"cb"`
	Args []any  `json:"args"`
	At   int64  `json:"at"`
}

// arg returns argument i as a string ("" when missing or null).
func (e event) arg(i int) string {
	if i >= len(e.Args) || e.Args[i] == nil {
		return ""
	}
	switch v := e.Args[i].(type) {
	case string:
		return v
	case float64:
		if v == float64(int64(v)) {
			return fmt.Sprint(int64(v))
		}
		return fmt.Sprint(v)
	default:
		return fmt.Sprint(v)
	}
}

func (e event) String() string { return fmt.Sprintf("%s%v", e.Cb, e.Args) }

// openPage starts Chromium with wav as its microphone and opens
// base+"phone.html" with the parameters as wp_ URL parameters. The browser
// (its whole process group) is killed when the test ends; on failure the
// page's console, engine log and recorded callbacks go to t.Log.
func openPage(t *testing.T, name, base, wav string, params map[string]string) *page {
	t.Helper()
	return openSitePage(t, name, base+"phone.html", wav, params, "")
}

// openSitePage is openPage for any page of the site (pageURL without a
// query): preload, when not empty, is a script Chromium runs in the page
// before any of the page's own scripts; extra options override the
// defaults (e.g. the autoplay policy).
func openSitePage(t *testing.T, name, pageURL, wav string, params map[string]string, preload string, extra ...chromedp.ExecAllocatorOption) *page {
	t.Helper()
	q := url.Values{}
	for k, v := range params {
		q.Set("wp_"+k, v)
	}
	if len(q) > 0 {
		pageURL += "?" + q.Encode()
	}

	chrome := infra.NewChromium(t, wav, extra...)
	p := &page{t: t, name: name}
	listen := func(ev any) {
		switch ev := ev.(type) {
		case *runtime.EventConsoleAPICalled:
			var parts []string
			for _, a := range ev.Args {
				if a.Value != nil {
					var s string
					if json.Unmarshal(a.Value, &s) == nil {
						parts = append(parts, s)
					} else {
						parts = append(parts, string(a.Value))
					}
				} else {
					parts = append(parts, a.Description)
				}
			}
			p.addConsole(string(ev.Type) + ": " + strings.Join(parts, " "))
		case *runtime.EventExceptionThrown:
			d := ev.ExceptionDetails
			text := d.Text
			if d.Exception != nil && d.Exception.Description != "" {
				text += " " + d.Exception.Description
			}
			p.addConsole(fmt.Sprintf("exception: %s (%s:%d)", text, d.URL, d.LineNumber))
		}
	}
	ctx, cancelCtx := chromedp.NewContext(chrome.Alloc, chromedp.WithListener(listen))
	p.ctx = ctx
	t.Cleanup(func() {
		if t.Failed() {
			p.dump()
		}
		cancelCtx()
		chrome.Stop()
	})
	// The first Run starts the browser, which lives as long as its context:
	// no timeout on that one.
	if err := chromedp.Do(ctx); err != nil {
		t.Fatalf("%s: cannot start Chromium: %v", name, err)
	}
	startCtx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	if preload != "" {
		if _, err := chromedp.Call(startCtx, cdppage.AddScriptToEvaluateOnNewDocument,
			cdppage.AddScriptToEvaluateOnNewDocumentParams{Source: preload}); err != nil {
			t.Fatalf("%s: cannot add the preload script: %v", name, err)
		}
	}
	if err := chromedp.Do(startCtx, chromedp.Navigate(pageURL)); err != nil {
		t.Fatalf("%s: cannot open %s in Chromium: %v", name, pageURL, err)
	}
	return p
}

func (p *page) addConsole(line string) {
	p.mu.Lock()
	p.console = append(p.console, line)
	p.mu.Unlock()
}

// dump logs what the page saw.
func (p *page) dump() {
	p.mu.Lock()
	console := append([]string(nil), p.console...)
	p.mu.Unlock()
	p.t.Logf("---- %s: browser console (%d lines)\n%s", p.name, len(console), strings.Join(console, "\n"))
	// The text of a UI page's elements (softphone.html, basic.html; the
	// bare test page has none).
	var ui string
	if err := p.evalErr(uiTextJS, &ui); err == nil && ui != "" {
		p.t.Logf("---- %s: page elements\n%s", p.name, tail(ui, 12000))
	}
	var logs string
	if err := p.evalErr(`webphone_api.getlogs()`, &logs); err == nil {
		p.t.Logf("---- %s: getlogs()\n%s", p.name, tail(logs, 12000))
	}
	var events []event
	if err := p.evalErr(`T.events`, &events); err == nil {
		var sb strings.Builder
		for _, e := range events {
			sb.WriteString(e.String())
			sb.WriteByte('\n')
		}
		p.t.Logf("---- %s: callbacks\n%s", p.name, tail(sb.String(), 12000))
	}
}

// uiTextJS lists the text of every element with an id that is not a
// control.
const uiTextJS = `Array.from(document.querySelectorAll('[id]'))
	.filter(function (e) { return !/^(INPUT|BUTTON)$/.test(e.tagName) && e.id !== 'pad'; })
	.map(function (e) { return '#' + e.id + ': ' + e.textContent; }).join('\n')`

func tail(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return "..." + s[len(s)-n:]
}

// evalErr evaluates a JavaScript expression (awaiting a Promise result) into
// out.
func (p *page) evalErr(expr string, out any) error {
	ctx, cancel := context.WithTimeout(p.ctx, 15*time.Second)
	defer cancel()
	raw, err := chromedp.Run(ctx, chromedp.Evaluate[[]byte](expr, chromedp.EvalAwaitPromise))
	if err != nil {
		return err
	}
	if len(raw) == 0 {
		raw = []byte("null")
	}
	return json.Unmarshal(raw, out)
}

// eval is evalErr that fails the test on error.
func (p *page) eval(expr string, out any) {
	p.t.Helper()
	if err := p.evalErr(expr, out); err != nil {
		p.t.Fatalf("%s: evaluate %s: %v", p.name, expr, err)
	}
}

// api calls webphone_api.<call> (e.g. `call("1002")`) and returns its result
// as JSON text.
func (p *page) api(call string) string {
	p.t.Helper()
	var res any
	p.eval("webphone_api."+call, &res)
	b, _ := json.Marshal(res)
	return string(b)
}

// events returns every callback recorded so far.
func (p *page) events() []event {
	p.t.Helper()
	var evs []event
	p.eval(`T.events`, &evs)
	return evs
}

// waitEvent waits until a recorded callback matches and returns it.
func (p *page) waitEvent(what string, timeout time.Duration, match func(e event) bool) event {
	p.t.Helper()
	deadline := time.Now().Add(timeout)
	for {
		for _, e := range p.events() {
			if match(e) {
				return e
			}
		}
		if time.Now().After(deadline) {
			p.t.Fatalf("%s: no %s within %v", p.name, what, timeout)
		}
		time.Sleep(150 * time.Millisecond)
	}
}

// waitCallState waits for onCallStateChange(state, ...) with the given
// direction (0: any).
// A call that ends while another state is awaited fails the test at once,
// quoting the engine's ERROR log lines.
func (p *page) waitCallState(state string, direction int, timeout time.Duration) event {
	p.t.Helper()
	dir := func(e event) bool { return direction == 0 || e.arg(1) == fmt.Sprint(direction) }
	return p.waitEvent(fmt.Sprintf("onCallStateChange(%q, direction %d)", state, direction), timeout, func(e event) bool {
		if e.Cb != "onCallStateChange" || !dir(e) {
			return false
		}
		if e.arg(0) == "disconnected" && state != "disconnected" {
			p.t.Fatalf("%s: the call ended (%v) while waiting for %q; engine errors:\n%s", p.name, e, state, p.errorLogs())
		}
		return e.arg(0) == state
	})
}

// errorLogs returns the engine's log lines that start with ERROR.
func (p *page) errorLogs() string {
	var logs []string
	if err := p.evalErr(`T.logs.filter(function (l) { return /ERROR/.test(l); })`, &logs); err != nil {
		return err.Error()
	}
	return strings.Join(logs, "\n")
}

// waitRegistered waits for onRegStateChange("registered").
func (p *page) waitRegistered(timeout time.Duration) {
	p.t.Helper()
	p.waitEvent(`onRegStateChange("registered")`, timeout, func(e event) bool {
		return e.Cb == "onRegStateChange" && e.arg(0) == "registered"
	})
}

// count returns how many recorded callbacks match.
func (p *page) count(match func(e event) bool) int {
	p.t.Helper()
	n := 0
	for _, e := range p.events() {
		if match(e) {
			n++
		}
	}
	return n
}

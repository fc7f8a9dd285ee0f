// Command e2e drives two softphone.html pages in one headless Chromium
// through a running webphone-demo server: both register, 1001 calls 1002,
// 1002 accepts, audio flows, hold/unhold, mute, RFC 4733 DTMF, chat, hang
// up. Page 1002 loads the wasm through the ArrayBuffer fallback. It is a separate module (it needs chromedp) run by
// `../../../build.sh e2e`, which starts and stops the server.
//
//	go run . http://127.0.0.1:18080
package main

import (
	"context"
	"fmt"
	"os"
	"strings"
	"time"

	cdppage "github.com/chromedp/cdproto/page"
	"github.com/chromedp/cdproto/runtime"
	"github.com/chromedp/chromedp"
)

type page struct {
	name string
	ctx  context.Context
}

func (p page) eval(js string) (string, error) {
	var out string
	err := chromedp.Run(p.ctx, chromedp.Evaluate(js, &out, func(e *runtime.EvaluateParams) *runtime.EvaluateParams {
		return e.WithAwaitPromise(true)
	}))
	return out, err
}

func (p page) must(js string) string {
	out, err := p.eval(js)
	if err != nil {
		fail(p, "evaluate "+js+": "+err.Error())
	}
	return out
}

// waitFor polls a condition; the limit only bounds a failing run.
func (p page) waitFor(what, cond string) {
	deadline := time.Now().Add(20 * time.Second)
	for time.Now().Before(deadline) {
		if out, err := p.eval("String(!!(" + cond + "))"); err == nil && out == "true" {
			fmt.Printf("ok   %s: %s\n", p.name, what)
			return
		}
		time.Sleep(100 * time.Millisecond)
	}
	fail(p, what)
}

func fail(p page, what string) {
	status, _ := p.eval("String(document.getElementById('status') ? document.getElementById('status').textContent : webphone_api.getStatus())")
	log, _ := p.eval("String(document.getElementById('log') ? document.getElementById('log').textContent : webphone_api.getlogs())")
	fmt.Printf("FAIL %s: %s\n  status: %s\n  log:\n%s\n", p.name, what, status, log)
	os.Exit(1)
}

func main() {
	if len(os.Args) != 2 || !strings.HasPrefix(os.Args[1], "http://") {
		fmt.Fprintln(os.Stderr, "usage: e2e http://host:port (a running webphone-demo)")
		os.Exit(2)
	}
	base := strings.TrimRight(os.Args[1], "/")
	host := strings.TrimPrefix(base, "http://")
	chromium := os.Getenv("WEBPHONE_CHROMIUM")
	if chromium == "" {
		chromium = "/usr/bin/chromium"
	}
	opts := append(chromedp.DefaultExecAllocatorOptions[:],
		chromedp.ExecPath(chromium),
		chromedp.Flag("use-fake-device-for-media-stream", true),
		chromedp.Flag("use-fake-ui-for-media-stream", true),
		chromedp.Flag("autoplay-policy", "no-user-gesture-required"),
		chromedp.Flag("allow-loopback-in-peer-connection", true),
	)
	alloc, cancel := chromedp.NewExecAllocator(context.Background(), opts...)
	defer cancel()
	browser, cancelBrowser := chromedp.NewContext(alloc)
	defer cancelBrowser()
	if err := chromedp.Run(browser); err != nil {
		fmt.Fprintln(os.Stderr, "e2e: start chromium:", err)
		os.Exit(1)
	}
	// open loads softphone.html for user; preload runs before the page's
	// scripts.
	open := func(file, user, preload string) page {
		ctx, _ := chromedp.NewContext(browser)
		if preload != "" {
			if err := chromedp.Run(ctx, chromedp.ActionFunc(func(ctx context.Context) error {
				_, err := cdppage.AddScriptToEvaluateOnNewDocument(preload).Do(ctx)
				return err
			})); err != nil {
				fmt.Fprintln(os.Stderr, "e2e: preload:", err)
				os.Exit(1)
			}
		}
		u := fmt.Sprintf("%s/%s?wp_serveraddress=%s&wp_webrtcserveraddress=ws://%s/ws&wp_username=%s&wp_password=pass%s",
			base, file, strings.Split(host, ":")[0], host, user, user)
		if err := chromedp.Run(ctx, chromedp.Navigate(u)); err != nil {
			fmt.Fprintln(os.Stderr, "e2e: open page:", err)
			os.Exit(1)
		}
		return page{name: user, ctx: ctx}
	}
	// Page 1002 sees instantiateStreaming fail (as with a server that does
	// not send application/wasm): webphone_api.js must fall back to an
	// ArrayBuffer.
	a := open("softphone.html", "1001", "")
	b := open("softphone.html", "1002", `WebAssembly.instantiateStreaming = () => { window.__streamingRefused = true;
		return Promise.reject(new TypeError("Incorrect response MIME type. Expected 'application/wasm'.")); };`)
	a.waitFor("registered", "webphone_api.isregistered()")
	b.waitFor("registered", "webphone_api.isregistered()")
	b.waitFor("loaded through the ArrayBuffer fallback", "window.__streamingRefused === true && webphone_api.getenginename() === 'webrtc'")

	// The page's own controls drive the call.
	a.must("document.getElementById('number').value = '1002'; document.getElementById('btnCall').click(); 'ok'")
	b.waitFor("incoming call shown", "document.getElementById('incoming').style.display === 'block'")
	b.must("document.getElementById('btnAccept').click(); 'ok'")
	a.waitFor("connected", "document.getElementById('lines').textContent.includes('connected')")
	b.waitFor("connected", "document.getElementById('lines').textContent.includes('connected')")
	a.waitFor("ICE connected", "['connected','completed'].includes(webphone_api.getrtcpeerconnection().iceConnectionState)")
	b.waitFor("remote audio element playing", "(() => { const el = document.querySelector('audio[data-webphone-line]'); return !!el && !!el.srcObject && !el.paused; })()")
	b.waitFor("audio bytes received", `(async () => { let n = 0; (await webphone_api.getrtcpeerconnection().getStats()).forEach(x => { if (x.type === 'inbound-rtp') n += x.bytesReceived; }); return n > 1000; })()`)

	a.must("document.getElementById('btnHold').click(); 'ok'")
	a.waitFor("on hold, local SDP sendonly", "webphone_api.isonhold() && webphone_api.getrtcpeerconnection().localDescription.sdp.includes('a=sendonly')")
	a.waitFor("hold button offers unhold", "document.getElementById('btnHold').textContent === 'Unhold'")
	a.must("document.getElementById('btnHold').click(); 'ok'")
	a.waitFor("off hold, local SDP sendrecv", "!webphone_api.isonhold() && webphone_api.getrtcpeerconnection().localDescription.sdp.includes('a=sendrecv')")
	a.must("document.getElementById('btnMute').click(); 'ok'")
	a.waitFor("muted, microphone track disabled", "webphone_api.ismuted() && webphone_api.getrtcpeerconnection().getSenders()[0].track.enabled === false")
	a.must("document.getElementById('btnMute').click(); 'ok'")
	a.waitFor("unmuted", "!webphone_api.ismuted() && webphone_api.getrtcpeerconnection().getSenders()[0].track.enabled === true")
	a.must("String(webphone_api.setparameter('dtmfmode', '4'))")
	a.must(`(() => { window.__tones = ''; webphone_api.getrtcpeerconnection().getSenders()[0].dtmf
		.addEventListener('tonechange', e => { window.__tones += e.tone; }); return 'ok'; })()`)
	if a.must("String(webphone_api.dtmf('1#'))") != "true" {
		fail(a, "dtmf() refused")
	}
	a.waitFor("RFC 4733 DTMF played by the RTCDTMFSender", "window.__tones === '1#'")

	a.must("document.getElementById('chatmsg').value = 'hello, B'; document.getElementById('btnChat').click(); 'ok'")
	b.waitFor("chat received", "document.getElementById('chatlog').textContent.includes('1001: hello, B')")
	a.must("document.getElementById('btnHangup').click(); 'ok'")
	b.waitFor("call ended", "!webphone_api.isincall()")
	a.waitFor("call ended with a CDR", "!webphone_api.isincall() && document.getElementById('log').textContent.includes('CDR 1001')")
	// The basic example registers from its URL parameters alone.
	ex := open("examples/basic.html", "1003", "")
	ex.waitFor("examples/basic.html registered", "document.getElementById('state').textContent === 'registered' && webphone_api.isregistered()")
	fmt.Println("e2e: PASS")
}

//go:build bench

package bench

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/opensoftphone/webphone/demoserver"
	"github.com/opensoftphone/webphone/tests/infra"
)

var users = map[string]string{"alice": "alice-secret", "bob": "bob-secret"}

// engines are measured in turn, in alternating order from round to round.
var engines = []struct{ name, page string }{
	{"webphone", "webphone_bench.html"},
	{"JsSIP 3.13.8", "jssip_bench.html"},
}

// TestBrowserBench runs the rounds and reports (BENCH_ROUNDS, default 5).
func TestBrowserBench(t *testing.T) {
	root, err := filepath.Abs(filepath.Join("..", ".."))
	if err != nil {
		t.Fatal(err)
	}
	rounds := 5
	if n, err := strconv.Atoi(os.Getenv("BENCH_ROUNDS")); err == nil && n > 0 {
		rounds = n
	}
	jssipDir := os.Getenv("WEBPHONE_JSSIP_DIR")
	if jssipDir == "" {
		jssipDir = "/opt/webphone-test/jssip-3.13.8"
	}
	site := t.TempDir()
	for _, src := range []string{filepath.Join(root, "www"), "testdata"} {
		if err := infra.CopyTree(src, site); err != nil {
			t.Fatal(err)
		}
	}
	if err := infra.CopyFile(filepath.Join(jssipDir, "jssip.js"), filepath.Join(site, "jssip.js")); err != nil {
		t.Fatalf("JsSIP bundle (scripts/bench.sh browser installs it): %v", err)
	}
	static := demoserver.NewStaticHandler(site)
	static.Warm()
	base := serve(t, static)

	r := infra.StartRtpengine(t)
	k := infra.StartKamailio(t, infra.KamailioOptions{Users: users, RtpengineNG: r.NGAddr})
	bob := infra.StartBaresip(t, infra.BaresipOptions{User: "bob", Password: users["bob"], Registrar: k.UDPAddr, AutoAnswer: true})
	stun := silentSTUN(t)
	wav := filepath.Join(t.TempDir(), "tone.wav")
	if err := infra.WriteToneWAV(wav, 1000, 60, 48000); err != nil {
		t.Fatal(err)
	}
	q := url.Values{}
	for k, v := range map[string]string{"serveraddress": k.Domain, "webrtcserveraddress": k.WSURL,
		"username": "alice", "password": users["alice"], "loglevel": "1"} {
		q.Set("wp_"+k, v)
	}
	query := "?" + q.Encode()
	q.Set("wp_stunserveraddress", stun)
	stunQuery := "?" + q.Encode()

	// Untimed: baresip, Kamailio and rtpengine answer their first call
	// slower than the next ones; neither engine should pay for that.
	warmUp(t, base+engines[0].page+query, wav, bob)

	res := results{}
	for round := 0; round < rounds; round++ {
		for i := range engines {
			e := engines[(i+round)%len(engines)]
			s := measure(t, e.name, base+e.page, query, stunQuery, wav, bob)
			t.Logf("round %d %s: %v", round+1, e.name, s)
			res.add(e.name, s)
		}
	}
	rep := report{results: res, ours: engines[0].name, theirs: engines[1].name, rounds: rounds}
	if rep.wasm, err = measureSize(filepath.Join(site, "webphone.wasm")); err != nil {
		t.Fatal(err)
	}
	if rep.jssip, err = measureSize(filepath.Join(site, "jssip.js")); err != nil {
		t.Fatal(err)
	}
	table := rep.table()
	fmt.Println(table)
	if err := os.WriteFile(filepath.Join(root, "docs", "bench-browser.png"), rep.chart(), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := updateSpeedDoc(filepath.Join(root, "docs", "speed.md"), table); err != nil {
		t.Fatal(err)
	}
}

// measure runs one round for one engine in a fresh browser (empty cache).
func measure(t *testing.T, name, pageURL, query, stunQuery, wav string, bob *infra.Baresip) sample {
	b := startBrowser(t, wav)
	defer b.close()
	s := sample{}

	b.navigate(pageURL + query)
	m := b.waitMarks(name)
	s[mLoadedFirst], s[mRegFirst] = m.Loaded, m.Registered
	t.Logf("%s first visit: %s", name, b.phases())

	s[mIdleCPU] = b.idleCPU(3*time.Second, 8*time.Second)
	s[mIdleSteady] = b.idleCPU(0, 8*time.Second) // the next 8 s: start-up work (V8 tiering up the code) is over
	s[mCallCold] = b.call(name, bob)
	s[mCallWarm] = b.call(name, bob)

	b.navigate(pageURL + query)
	m = b.waitMarks(name)
	s[mLoadedRepeat], s[mRegRepeat] = m.Loaded, m.Registered
	t.Logf("%s repeat visit: %s", name, b.phases())

	b.navigate(pageURL + stunQuery)
	b.waitMarks(name)
	s[mCallSTUNCold] = b.call(name, bob)
	s[mCallSTUNWarm] = b.call(name, bob)
	return s
}

// warmUp registers a page and places one call, untimed.
func warmUp(t *testing.T, pageURL, wav string, bob *infra.Baresip) {
	b := startBrowser(t, wav)
	defer b.close()
	b.navigate(pageURL)
	b.waitMarks("warm-up")
	b.call("warm-up", bob)
}

// browser is one headless Chromium.
type browser struct {
	t      *testing.T
	ctx    context.Context
	cancel func()
	pid    func() int // the browser's process (group) id
}

func startBrowser(t *testing.T, wav string) *browser {
	chrome := infra.NewChromium(t, wav)
	ctx, cancelCtx := chromedp.NewContext(chrome.Alloc)
	b := &browser{t: t, ctx: ctx, pid: chrome.Pid}
	b.cancel = func() {
		cancelCtx()
		chrome.Stop()
	}
	t.Cleanup(b.cancel)
	if _, err := chromedp.Run(ctx, chromedp.Navigate("about:blank")); err != nil {
		t.Fatalf("cannot start Chromium: %v", err)
	}
	return b
}

func (b *browser) close() { b.cancel() }

func (b *browser) navigate(u string) {
	ctx, cancel := context.WithTimeout(b.ctx, 30*time.Second)
	defer cancel()
	if _, err := chromedp.Run(ctx, chromedp.Navigate(u)); err != nil {
		b.t.Fatalf("open %s: %v", u, err)
	}
}

func (b *browser) eval(expr string, out any) {
	ctx, cancel := context.WithTimeout(b.ctx, 15*time.Second)
	defer cancel()
	raw, err := chromedp.Run(ctx, chromedp.Evaluate[[]byte](expr))
	if err != nil {
		b.t.Fatalf("evaluate %s: %v", expr, err)
	}
	if len(raw) == 0 {
		raw = []byte("null")
	}
	if err := json.Unmarshal(raw, out); err != nil {
		b.t.Fatalf("evaluate %s: %v", expr, err)
	}
}

// until polls cond (every 20 ms; the times measured are taken in the page)
// and fails the benchmark after timeout.
func (b *browser) until(what string, timeout time.Duration, cond func() bool) {
	deadline := time.Now().Add(timeout)
	for !cond() {
		if time.Now().After(deadline) {
			var ev []string
			b.eval(`B.events`, &ev)
			b.t.Fatalf("timed out after %v waiting for %s (events %v)", timeout, what, ev)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// phases lists when the page's scripts and wasm arrived and the loader's
// marks (webphone_api.js), in ms since navigation start, for the log.
func (b *browser) phases() string {
	var out string
	b.eval(`performance.getEntries().filter(function (e) {
		return e.entryType === 'mark' || /\.(js|wasm)$/.test(e.name.split('?')[0]);
	}).map(function (e) {
		return e.name.replace(/.*\//, '').replace(/\?.*/, '') + ' ' + Math.round(e.startTime) +
			(e.responseEnd ? '-' + Math.round(e.responseEnd) : '');
	}).join(', ')`, &out)
	return out
}

type marks struct {
	Loaded     float64 `json:"loaded"`
	Registered float64 `json:"registered"`
}

// waitMarks waits until the page registered and returns its marks.
func (b *browser) waitMarks(name string) marks {
	var m marks
	b.until(name+" registered", 30*time.Second, func() bool {
		b.eval(`window.B ? B.t : {}`, &m)
		return m.Registered > 0
	})
	return m
}

// call places a call to bob, returns call() to connected in ms, hangs up
// and waits until both ends are free.
func (b *browser) call(name string, bob *infra.Baresip) float64 {
	var ok bool
	b.eval(`B.call("bob")`, &ok)
	var at struct{ CallAt, ConnectedAt float64 }
	b.until(name+" call connected", 60*time.Second, func() bool {
		b.eval(`({CallAt: B.callAt, ConnectedAt: B.connectedAt})`, &at)
		return at.ConnectedAt > 0
	})
	var wire []string
	b.eval(`B.wire`, &wire)
	b.t.Logf("%s call: %.0f ms, SIP %v", name, at.ConnectedAt-at.CallAt, wire)
	if _, err := bob.WaitEvent("CALL_ESTABLISHED", 10*time.Second); err != nil {
		b.t.Fatalf("baresip: %v", err)
	}
	b.eval(`B.hangup()`, &ok)
	b.until(name+" call ended", 10*time.Second, func() bool {
		var ended float64
		b.eval(`B.endedAt`, &ended)
		return ended > 0
	})
	if _, err := bob.WaitEvent("CALL_CLOSED", 10*time.Second); err != nil {
		b.t.Fatalf("baresip: %v", err)
	}
	return at.ConnectedAt - at.CallAt
}

// idleCPU is the CPU time of the browser's renderer processes over a
// window that starts after (from now), in percent of one core.
func (b *browser) idleCPU(after, window time.Duration) float64 {
	time.Sleep(after) // let the start-up work (compiling included) finish
	t0, c0 := time.Now(), b.rendererCPU()
	time.Sleep(window)
	t1, c1 := time.Now(), b.rendererCPU()
	return 100 * (c1 - c0) / t1.Sub(t0).Seconds()
}

// rendererCPU sums the CPU seconds of every thread of the processes of
// the browser's process group started with --type=renderer (schedstat: in
// nanoseconds, finer than the clock ticks of stat).
func (b *browser) rendererCPU() float64 {
	pgid := strconv.Itoa(b.pid())
	entries, _ := os.ReadDir("/proc")
	total := 0.0
	for _, e := range entries {
		if _, err := strconv.Atoi(e.Name()); err != nil {
			continue
		}
		stat, err := os.ReadFile("/proc/" + e.Name() + "/stat")
		if err != nil {
			continue
		}
		// After the ")" closing the command name: state ppid pgrp ...
		i := strings.LastIndexByte(string(stat), ')')
		if i < 0 {
			continue
		}
		if f := strings.Fields(string(stat)[i+1:]); len(f) < 3 || f[2] != pgid {
			continue
		}
		cmdline, _ := os.ReadFile("/proc/" + e.Name() + "/cmdline")
		if !strings.Contains(string(cmdline), "--type=renderer") {
			continue
		}
		tasks, _ := os.ReadDir("/proc/" + e.Name() + "/task")
		for _, task := range tasks {
			st, err := os.ReadFile("/proc/" + e.Name() + "/task/" + task.Name() + "/schedstat")
			if err != nil {
				continue
			}
			if f := strings.Fields(string(st)); len(f) > 0 {
				ns, _ := strconv.ParseFloat(f[0], 64)
				total += ns / 1e9
			}
		}
	}
	return total
}

// silentSTUN is a UDP socket that reads STUN requests and never answers.
func silentSTUN(t *testing.T) string {
	c, err := net.ListenPacket("udp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	go func() {
		buf := make([]byte, 1500)
		for {
			if _, _, err := c.ReadFrom(buf); err != nil {
				return
			}
		}
	}()
	return c.LocalAddr().String()
}

// serve serves h on a free loopback port until the benchmark ends.
func serve(t *testing.T, h http.Handler) string {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	srv := &http.Server{Handler: h, ReadHeaderTimeout: 10 * time.Second}
	done := make(chan struct{})
	go func() {
		defer close(done)
		if err := srv.Serve(ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
			t.Logf("static server: %v", err)
		}
	}()
	t.Cleanup(func() {
		_ = srv.Close()
		<-done
	})
	return "http://" + ln.Addr().String() + "/"
}

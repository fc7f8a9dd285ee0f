package browser

import (
	"compress/gzip"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/opensoftphone/webphone/tests/infra"
)

// The HTTPS guide's nginx site (deploy/nginx/webphone.conf) in front of the
// Kamailio configuration the tests run: the page loads over https (the wasm
// as application/wasm, gzipped), port 80 redirects, and two pages register
// through wss:// on the proxy and call each other: Kamailio reaches each
// page through its own proxied connection.
func TestHTTPSSiteAndWSSProxyInFrontOfKamailio(t *testing.T) {
	k := infra.StartKamailio(t, infra.KamailioOptions{Users: kamailioUsers})
	n := infra.StartNginx(t, infra.NginxOptions{Root: makeSite(t), Upstream: k.WSAddr})
	t.Cleanup(func() {
		if t.Failed() {
			t.Logf("---- nginx log\n%s", tail(n.Log(), 4000))
			t.Logf("---- kamailio log\n%s", tail(k.Log(), 8000))
		}
	})

	client := n.Client()
	req, _ := http.NewRequest("GET", n.HTTPSURL+"/webphone.wasm", nil)
	req.Header.Set("Accept-Encoding", "gzip")
	resp, err := client.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	if ct := resp.Header.Get("Content-Type"); ct != "application/wasm" {
		t.Errorf("webphone.wasm served as %q, want application/wasm", ct)
	}
	if ce := resp.Header.Get("Content-Encoding"); ce != "gzip" {
		t.Errorf("webphone.wasm Content-Encoding %q, want gzip", ce)
	} else if zr, err := gzip.NewReader(resp.Body); err != nil {
		t.Errorf("webphone.wasm gzip: %v", err)
	} else if head := make([]byte, 4); func() bool { _, err := io.ReadFull(zr, head); return err != nil }() || string(head) != "\x00asm" {
		t.Errorf("webphone.wasm does not start with the wasm magic: %q", head)
	}
	resp.Body.Close()
	resp, err = client.Get(n.HTTPURL + "/phone.html")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if loc := resp.Header.Get("Location"); resp.StatusCode != http.StatusMovedPermanently || !strings.HasPrefix(loc, "https://") {
		t.Errorf("http:// answers %d Location %q, want 301 to https://", resp.StatusCode, loc)
	}

	params := func(user string) map[string]string {
		return map[string]string{"serveraddress": k.Domain, "webrtcserveraddress": n.WSSURL,
			"username": user, "password": kamailioUsers[user], "loglevel": "5"}
	}
	insecure := chromedp.Flag("ignore-certificate-errors", true)
	a := openSitePage(t, "alice", n.HTTPSURL+"/phone.html", toneWAV(t, 440, 48000), params("alice"), "", insecure)
	b := openSitePage(t, "bob", n.HTTPSURL+"/phone.html", toneWAV(t, 1000, 48000), params("bob"), "", insecure)
	a.waitRegistered(20 * time.Second)
	b.waitRegistered(20 * time.Second)
	if got := a.api(`isencrypted()`); got != "2" {
		t.Errorf("isencrypted() over wss = %s, want 2", got)
	}

	if got := a.api(`call("bob")`); got != "true" {
		t.Fatalf("call(\"bob\") = %s", got)
	}
	b.waitCallState("ringing", 2, 20*time.Second)
	if got := b.api(`accept()`); got != "true" {
		t.Fatalf("accept() = %s", got)
	}
	ca := a.waitCallState("connected", 1, 20*time.Second)
	b.waitCallState("connected", 2, 20*time.Second)
	t.Logf("alice hears bob through the https pages: %v", a.waitHears(ca.arg(4), 1000, 20*time.Second))
	if got := b.api(`hangup()`); got != "true" {
		t.Fatalf("hangup() = %s", got)
	}
	a.waitCallState("disconnected", 1, 10*time.Second)
	b.waitCallState("disconnected", 2, 10*time.Second)
}

package demoserver

import (
	"io"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

func httpGet(t *testing.T, u string) (int, string) {
	t.Helper()
	res, err := http.Get(u)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	b, err := io.ReadAll(res.Body)
	if err != nil {
		t.Fatal(err)
	}
	return res.StatusCode, string(b)
}

// "/" is the landing page, not a directory listing: each demo account has
// a softphone link that signs it in (its own profile, the server and the
// WebSocket URL of the host the browser used) and a click-to-call link;
// the examples that exist are linked too.
func TestLandingPageLinksTheSkinsWithTheAccounts(t *testing.T) {
	www := t.TempDir()
	for _, f := range []string{"softphone.html", "click2call.html", "examples/minimal_example.html", "examples/api_example.html"} {
		if err := os.MkdirAll(filepath.Dir(filepath.Join(www, f)), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(www, f), []byte("<p>page</p>"), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	s := startServerWith(t, Options{Addr: "127.0.0.1:0", WWWDir: www, Accounts: map[string]string{"1001": "pass1001", "1002": "p&ss<2>"}})
	code, body := httpGet(t, s.HTTPURL())
	if code != http.StatusOK {
		t.Fatalf("GET / = %d", code)
	}
	if strings.Contains(body, "softphone.html</a>") || !strings.Contains(body, `id="accounts"`) {
		t.Fatalf("GET / is not the landing page:\n%s", body)
	}
	if strings.Contains(body, "p&ss<2>") {
		t.Errorf("a password went into the page unescaped")
	}
	links := regexp.MustCompile(`href="([^"]+)"`).FindAllStringSubmatch(body, -1)
	found := map[string]url.Values{}
	for _, l := range links {
		u, err := url.Parse(strings.ReplaceAll(l[1], "&amp;", "&"))
		if err != nil {
			t.Fatalf("bad link %q: %v", l[1], err)
		}
		q := u.Query()
		found[u.Path+" "+q.Get("wp_username")] = q
	}
	ws := "ws://" + strings.TrimPrefix(strings.TrimSuffix(s.HTTPURL(), "/"), "http://") + "/ws"
	for _, user := range []string{"1001", "1002"} {
		q, ok := found["softphone.html "+user]
		if !ok {
			t.Fatalf("no softphone link for %s in %v", user, found)
		}
		want := map[string]string{"wp_profile": user, "wp_username": user, "wp_password": s.accounts[user],
			"wp_serveraddress": s.Domain(), "wp_webrtcserveraddress": ws}
		for k, v := range want {
			if q.Get(k) != v {
				t.Errorf("softphone link of %s: %s = %q, want %q", user, k, q.Get(k), v)
			}
		}
		if c, ok := found["click2call.html "+user]; !ok || c.Get("wp_callto") == "" || c.Get("wp_callto") == user {
			t.Errorf("click-to-call link of %s: %v, want one calling the other account", user, c)
		}
	}
	for _, ex := range []string{"examples/minimal_example.html", "examples/api_example.html"} {
		if !strings.Contains(body, `href="`+ex+"?") {
			t.Errorf("the landing page does not link %s", ex)
		}
	}
	if strings.Contains(body, "examples/basic.html") {
		t.Errorf("the landing page links examples/basic.html, which is not in the folder")
	}

	// A folder with its own index.html keeps it.
	if err := os.WriteFile(filepath.Join(www, "index.html"), []byte("<p>mine</p>"), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, body := httpGet(t, s.HTTPURL()); body != "<p>mine</p>" {
		t.Errorf("with an index.html, GET / = %q", body)
	}
}

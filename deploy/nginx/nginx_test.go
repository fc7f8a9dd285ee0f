package nginx

import (
	"strings"
	"testing"
)

// ForTest replaces every server-specific line of the shipped site, and
// refuses a site where one of them is missing or repeated.
func TestForTestReplacesTheServerLines(t *testing.T) {
	l := Local{HTTPPort: 1080, HTTPSPort: 1443, Cert: "/t/c.pem", Key: "/t/k.pem", Root: "/t/www", Upstream: "127.0.0.1:5066"}
	got, err := ForTest(Site, l)
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"listen 127.0.0.1:1080;", "listen 127.0.0.1:1443 ssl http2;", "ssl_certificate     /t/c.pem;",
		"ssl_certificate_key /t/k.pem;", "root /t/www;", "proxy_pass http://127.0.0.1:5066;"} {
		if !strings.Contains(got, want) {
			t.Errorf("the adapted site lacks %q", want)
		}
	}
	for _, gone := range []string{"[::]", "letsencrypt", "/var/www/webphone"} {
		if strings.Contains(got, gone) {
			t.Errorf("the adapted site still has %q", gone)
		}
	}
	if _, err := ForTest(strings.Replace(Site, "root /var/www/webphone;", "root /srv;", 1), l); err == nil {
		t.Error("ForTest accepted a site without its root line")
	}
	if _, err := ForTest(Site+"\n\tlisten 80;\n", l); err == nil {
		t.Error("ForTest accepted a site with two listen 80 lines")
	}
}

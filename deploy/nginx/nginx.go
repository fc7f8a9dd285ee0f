// Package nginx holds the nginx site shipped for servers (webphone.conf: the
// page over HTTPS and the SIP WebSocket proxied to Kamailio) and adapts it
// for the tests, which run nginx with it (tests/infra.StartNginx). The guide
// is docs/servers/https.md.
package nginx

import (
	_ "embed"
	"fmt"
	"strings"
)

// Site is the shipped site configuration (webphone.conf).
//
//go:embed webphone.conf
var Site string

// Local are the values a test instance of the site uses instead of the
// server's.
type Local struct {
	HTTPPort, HTTPSPort int    // on 127.0.0.1, for ports 80 and 443
	Cert, Key           string // PEM files, for the Let's Encrypt ones
	Root                string // the folder served, for /var/www/webphone
	Upstream            string // host:port of Kamailio's ws listener, for 127.0.0.1:8080
}

// ForTest returns the site with the server-specific lines replaced by l's
// values and the IPv6 listeners left out. Each replaced line must be in the
// site exactly once: a test fails when the shipped file changes under it.
func ForTest(site string, l Local) (string, error) {
	for _, r := range []struct{ old, new string }{
		{"\tlisten 80;\n", fmt.Sprintf("\tlisten 127.0.0.1:%d;\n", l.HTTPPort)},
		{"\tlisten [::]:80;\n", ""},
		{"\tlisten 443 ssl http2;\n", fmt.Sprintf("\tlisten 127.0.0.1:%d ssl http2;\n", l.HTTPSPort)},
		{"\tlisten [::]:443 ssl http2;\n", ""},
		{"/etc/letsencrypt/live/sip.example.com/fullchain.pem;", l.Cert + ";"},
		{"/etc/letsencrypt/live/sip.example.com/privkey.pem;", l.Key + ";"},
		{"root /var/www/webphone;", "root " + l.Root + ";"},
		{"proxy_pass http://127.0.0.1:8080;", "proxy_pass http://" + l.Upstream + ";"},
	} {
		if n := strings.Count(site, r.old); n != 1 {
			return "", fmt.Errorf("nginx: the site has %q %d times, want once", strings.TrimSpace(r.old), n)
		}
		site = strings.Replace(site, r.old, r.new, 1)
	}
	return site, nil
}

package infra

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"fmt"
	"math/big"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/opensoftphone/webphone/deploy/nginx"
)

// NginxOptions configures StartNginx.
type NginxOptions struct {
	// Root is the folder served (the test site).
	Root string
	// Upstream is Kamailio's WebSocket address (Kamailio.WSAddr), which
	// the site's /ws location proxies to.
	Upstream string
}

// Nginx is a running nginx with the shipped site (deploy/nginx).
type Nginx struct {
	// HTTPSURL is the site, e.g. "https://127.0.0.1:40123" (a self-signed
	// certificate: browsers need --ignore-certificate-errors).
	HTTPSURL string
	// WSSURL is the SIP WebSocket through the proxy, HTTPSURL's /ws.
	WSSURL string
	// HTTPURL is the plain http port, which redirects to https.
	HTTPURL string
	// Dir holds the configuration, certificate and logs.
	Dir string

	proc *process
}

// StartNginx starts nginx with deploy/nginx/webphone.conf adapted to free
// 127.0.0.1 ports, a self-signed certificate for 127.0.0.1, opts.Root and
// opts.Upstream, and waits until it answers over HTTPS.
func StartNginx(t testing.TB, opts NginxOptions) *Nginx {
	t.Helper()
	bin := lookBinary(t, "nginx")
	dir := t.TempDir()
	for _, d := range []string{"tmp", "logs"} {
		if err := os.Mkdir(filepath.Join(dir, d), 0o755); err != nil {
			t.Fatalf("infra: %v", err)
		}
	}
	cert, key := selfSignedCert(t, dir)
	httpPort, httpsPort := FreeTCPPort(t), FreeTCPPort(t)
	site, err := nginx.ForTest(nginx.Site, nginx.Local{HTTPPort: httpPort, HTTPSPort: httpsPort,
		Cert: cert, Key: key, Root: opts.Root, Upstream: opts.Upstream})
	if err != nil {
		t.Fatalf("infra: %v", err)
	}
	user := ""
	if os.Geteuid() == 0 {
		user = "user root;\n" // the workers read the test's private folders
	}
	tmp := filepath.Join(dir, "tmp")
	conf := fmt.Sprintf(`%sworker_processes 1;
daemon off;
pid %s;
error_log stderr info;
events { worker_connections 256; }
http {
	include /etc/nginx/mime.types;
	access_log %s;
	client_body_temp_path %s/body;
	proxy_temp_path %s/proxy;
	fastcgi_temp_path %s/fastcgi;
	uwsgi_temp_path %s/uwsgi;
	scgi_temp_path %s/scgi;
%s}
`, user, filepath.Join(dir, "nginx.pid"), filepath.Join(dir, "logs", "access.log"), tmp, tmp, tmp, tmp, tmp, site)
	confPath := filepath.Join(dir, "nginx.conf")
	if err := os.WriteFile(confPath, []byte(conf), 0o644); err != nil {
		t.Fatalf("infra: %v", err)
	}
	args := []string{"-p", dir, "-c", confPath, "-e", "stderr"}
	if out, err := runQuiet(bin, append([]string{"-t"}, args...)...); err != nil {
		t.Fatalf("infra: nginx rejects the shipped site: %v\n%s", err, out)
	}
	n := &Nginx{
		HTTPSURL: fmt.Sprintf("https://127.0.0.1:%d", httpsPort),
		WSSURL:   fmt.Sprintf("wss://127.0.0.1:%d/ws", httpsPort),
		HTTPURL:  fmt.Sprintf("http://127.0.0.1:%d", httpPort),
		Dir:      dir,
	}
	n.proc = startProcess(t, "nginx", dir, bin, args, nil)
	client := n.Client()
	if err := n.proc.waitUntil(15*time.Second, func() error {
		resp, err := client.Get(n.HTTPSURL + "/")
		if err != nil {
			return err
		}
		resp.Body.Close()
		return nil
	}); err != nil {
		t.Fatalf("infra: nginx did not start: %v\n%s", err, n.proc.tail(4000))
	}
	return n
}

// Client is an HTTP client that trusts the instance's certificate and
// does not follow redirects.
func (n *Nginx) Client() *http.Client {
	return &http.Client{
		Timeout:       10 * time.Second,
		Transport:     &http.Transport{TLSClientConfig: &tls.Config{InsecureSkipVerify: true}, DisableCompression: true},
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}
}

// Log returns nginx's output so far.
func (n *Nginx) Log() string { return n.proc.Log() }

// Stop ends nginx; the test's cleanup also does it.
func (n *Nginx) Stop() { n.proc.Stop() }

// selfSignedCert writes a certificate and key for 127.0.0.1 into dir.
func selfSignedCert(t testing.TB, dir string) (cert, key string) {
	t.Helper()
	k, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatalf("infra: %v", err)
	}
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "127.0.0.1"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(24 * time.Hour),
		IPAddresses: []net.IP{net.IPv4(127, 0, 0, 1)}, DNSNames: []string{"localhost"}}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &k.PublicKey, k)
	if err != nil {
		t.Fatalf("infra: %v", err)
	}
	kder, err := x509.MarshalECPrivateKey(k)
	if err != nil {
		t.Fatalf("infra: %v", err)
	}
	cert, key = filepath.Join(dir, "cert.pem"), filepath.Join(dir, "key.pem")
	for path, block := range map[string]*pem.Block{cert: {Type: "CERTIFICATE", Bytes: der}, key: {Type: "EC PRIVATE KEY", Bytes: kder}} {
		if err := os.WriteFile(path, pem.EncodeToMemory(block), 0o600); err != nil {
			t.Fatalf("infra: %v", err)
		}
	}
	return cert, key
}

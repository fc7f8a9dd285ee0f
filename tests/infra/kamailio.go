package infra

import (
	"fmt"
	"net"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/opensoftphone/webphone/deploy/kamailio"
)

// KamailioOptions configures StartKamailio.
type KamailioOptions struct {
	// Users maps SIP user names to their digest passwords. User names may
	// hold letters, digits and -_.+; passwords any printable ASCII except
	// the double quote, backslash and dollar sign.
	Users map[string]string
	// RtpengineNG is the ng control address (host:port, e.g. from
	// Rtpengine.NGAddr). When set, every INVITE/UPDATE offer and answer is
	// anchored in rtpengine with flags chosen by the next hop's transport.
	RtpengineNG string
	// Debug raises Kamailio's log level from 2 (info) to 3 (debug).
	Debug bool
	// Presence adds the presence server (presence, presence_xml,
	// presence_dialoginfo, pua_dialoginfo on db_text tables): PUBLISH and
	// SUBSCRIBE for presence and dialog (busy lamps) are answered by
	// Kamailio, which follows the calls it relays for their dialog state.
	Presence bool
}

// Kamailio is a running Kamailio registrar/proxy.
type Kamailio struct {
	// WSURL is the SIP-over-WebSocket URL, e.g. "ws://127.0.0.1:40123".
	WSURL string
	// WSAddr is the WebSocket TCP address, e.g. "127.0.0.1:40123".
	WSAddr string
	// UDPAddr is the SIP UDP address, e.g. "127.0.0.1:40124".
	UDPAddr string
	// Domain is the SIP domain and digest realm ("127.0.0.1").
	Domain string
	// Dir is the instance's private directory (config, runtime files, log).
	Dir string

	proc     *process
	bin      string
	args     []string // command line of the running instance
	restarts int
}

// StartKamailio starts Kamailio on free 127.0.0.1 ports and waits until it
// answers OPTIONS over UDP and accepts TCP on the WebSocket port.
func StartKamailio(t testing.TB, opts KamailioOptions) *Kamailio {
	t.Helper()
	bin := lookBinary(t, "kamailio")
	modules := kamailioModulesDir(t)
	dir := t.TempDir()
	runDir := filepath.Join(dir, "run")
	if err := os.Mkdir(runDir, 0o755); err != nil {
		t.Fatalf("infra: %v", err)
	}

	debug := 2
	if opts.Debug {
		debug = 3
	}
	var rtpSock string
	if opts.RtpengineNG != "" {
		if _, _, err := net.SplitHostPort(opts.RtpengineNG); err != nil {
			t.Fatalf("infra: bad RtpengineNG address %q: %v", opts.RtpengineNG, err)
		}
		rtpSock = "udp:" + opts.RtpengineNG
	}

	var presenceDB string
	if opts.Presence {
		presenceDB = filepath.Join(dir, "db")
		copyKamailioTables(t, presenceDB, "version", "presentity", "active_watchers", "watchers", "xcap", "pua")
	}

	var lastErr error
	for attempt := 0; attempt < 3; attempt++ {
		udpPort := FreeUDPPort(t)
		wsPort := FreeTCPPort(t)
		cfgPath := filepath.Join(dir, "kamailio.cfg")
		f, err := os.Create(cfgPath)
		if err != nil {
			t.Fatalf("infra: %v", err)
		}
		// the configuration shipped in deploy/kamailio, for this instance
		err = kamailio.Render(f, kamailio.Config{
			UDPPort: udpPort, WSPort: wsPort, Domain: "127.0.0.1", ModulesDir: modules,
			Debug: debug, Users: opts.Users, RtpengineSock: rtpSock, PresenceDB: presenceDB,
		})
		f.Close()
		if err != nil {
			t.Fatalf("infra: write kamailio.cfg: %v", err)
		}
		if out, err := runQuiet(bin, "-c", "-f", cfgPath); err != nil {
			t.Fatalf("infra: kamailio rejects its generated config: %v\n%s", err, out)
		}
		k := &Kamailio{
			WSURL:   fmt.Sprintf("ws://127.0.0.1:%d", wsPort),
			WSAddr:  fmt.Sprintf("127.0.0.1:%d", wsPort),
			UDPAddr: fmt.Sprintf("127.0.0.1:%d", udpPort),
			Domain:  "127.0.0.1",
			Dir:     dir,
		}
		k.bin = bin
		k.args = []string{
			"-DD", "-E", "-f", cfgPath, "-Y", runDir, "-P", filepath.Join(runDir, "kamailio.pid"),
			"-m", "32", "-M", "8", "-a", "no",
		}
		k.proc = startProcess(t, fmt.Sprintf("kamailio-%d", attempt), dir, bin, k.args, nil)
		lastErr = k.waitReady()
		if lastErr == nil {
			return k
		}
		k.proc.Stop()
		if !strings.Contains(k.proc.Log(), "bind") {
			t.Fatalf("infra: kamailio did not start: %v\n%s", lastErr, k.proc.tail(4000))
		}
	}
	t.Fatalf("infra: kamailio did not start after 3 attempts: %v", lastErr)
	return nil
}

// waitReady waits until Kamailio answers OPTIONS over UDP and accepts TCP
// on the WebSocket port.
func (k *Kamailio) waitReady() error {
	return k.proc.waitUntil(20*time.Second, func() error {
		if err := sipOptionsPing(k.UDPAddr, 300*time.Millisecond); err != nil {
			return err
		}
		c, err := net.DialTimeout("tcp", k.WSAddr, 300*time.Millisecond)
		if err != nil {
			return err
		}
		return c.Close()
	})
}

// Restart stops Kamailio and starts it again with the same configuration
// and ports, as an operator restarting the server would: every WebSocket
// connection drops and every registration (kept in memory) is forgotten.
// It returns once the new instance answers; the old instance's log is kept
// in its own file (Log returns the new one's).
func (k *Kamailio) Restart(t testing.TB) {
	t.Helper()
	k.proc.Stop()
	var err error
	for attempt := 0; attempt < 3; attempt++ {
		k.restarts++
		k.proc = startProcess(t, fmt.Sprintf("kamailio-restart-%d", k.restarts), k.Dir, k.bin, k.args, nil)
		if err = k.waitReady(); err == nil {
			return
		}
		k.proc.Stop()
		if !strings.Contains(k.proc.Log(), "bind") {
			break
		}
		// the port is still held by the closing instance's sockets: retry
	}
	t.Fatalf("infra: kamailio did not restart: %v\n%s", err, k.proc.tail(4000))
}

// Log returns Kamailio's output so far (its stderr log).
func (k *Kamailio) Log() string { return k.proc.Log() }

// LogPath is the file Kamailio logs to.
func (k *Kamailio) LogPath() string { return k.proc.logPath }

// Pid is the process id of Kamailio's main process (its process group).
func (k *Kamailio) Pid() int { return k.proc.Pid() }

// Stop ends Kamailio; the test's cleanup also does it.
func (k *Kamailio) Stop() { k.proc.Stop() }

// kamailioModulesDir finds the directory holding Kamailio's modules.
func kamailioModulesDir(t testing.TB) string {
	t.Helper()
	candidates, _ := filepath.Glob("/usr/lib/*/kamailio/modules")
	candidates = append(candidates, "/usr/lib/kamailio/modules", "/usr/lib64/kamailio/modules",
		"/usr/local/lib64/kamailio/modules", "/usr/local/lib/kamailio/modules")
	for _, d := range candidates {
		if _, err := os.Stat(filepath.Join(d, "websocket.so")); err == nil {
			return d
		}
	}
	t.Fatalf("infra: Kamailio modules (websocket.so) not found; install kamailio-websocket-modules (scripts/install-deps.sh)")
	return ""
}

// kamailioDBTextDir holds the db_text table definitions the kamailio package
// ships.
const kamailioDBTextDir = "/usr/share/kamailio/dbtext/kamailio"

// copyKamailioTables creates dir with empty db_text tables (their header
// lines) for Kamailio's presence modules.
func copyKamailioTables(t testing.TB, dir string, tables ...string) {
	t.Helper()
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatalf("infra: %v", err)
	}
	for _, tb := range tables {
		b, err := os.ReadFile(filepath.Join(kamailioDBTextDir, tb))
		if err != nil {
			t.Fatalf("infra: Kamailio's db_text table %s (package kamailio): %v", tb, err)
		}
		if err := os.WriteFile(filepath.Join(dir, tb), b, 0o644); err != nil {
			t.Fatalf("infra: %v", err)
		}
	}
}

package infra

import (
	"bytes"
	"crypto/rand"
	"encoding/binary"
	"fmt"
	mrand "math/rand/v2"
	"net"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// Turn is a running coturn TURN server on 127.0.0.1 (UDP, no TLS, no
// database) with one static long-term credential.
type Turn struct {
	// Addr is the TURN/STUN UDP address, e.g. "127.0.0.1:40126" (the
	// turnserveraddress parameter).
	Addr string
	// User and Password are the long-term credential; Realm its realm.
	User, Password, Realm string
	// RelayMin and RelayMax bound the relay ports it allocates.
	RelayMin, RelayMax int
	// Dir is the instance's private directory (log, pid file).
	Dir string

	proc *process
}

// StartTurn starts coturn's turnserver on a free 127.0.0.1 UDP port,
// relaying from 127.0.0.1 (loopback peers allowed), logging to its
// output, and waits until it answers a STUN Binding request.
func StartTurn(t testing.TB) *Turn {
	t.Helper()
	bin := lookBinary(t, "turnserver")
	dir := t.TempDir()
	var lastErr error
	for attempt := 0; attempt < 3; attempt++ {
		port := FreeUDPPort(t)
		// A private slice of rtpengine's range (20000-32599, below the
		// kernel's ephemeral ports); coturn skips busy ports.
		min := 20000 + 200*mrand.IntN(63)
		tu := &Turn{Addr: fmt.Sprintf("127.0.0.1:%d", port), User: "webphone", Password: "turn-secret",
			Realm: "webphone.test", RelayMin: min, RelayMax: min + 199, Dir: dir}
		tu.proc = startProcess(t, fmt.Sprintf("turnserver-%d", attempt), dir, bin, []string{
			"-n", "--listening-ip=127.0.0.1", "--relay-ip=127.0.0.1", fmt.Sprintf("--listening-port=%d", port),
			fmt.Sprintf("--min-port=%d", tu.RelayMin), fmt.Sprintf("--max-port=%d", tu.RelayMax),
			"--lt-cred-mech", "--user=" + tu.User + ":" + tu.Password, "--realm=" + tu.Realm,
			// coturn always opens an SQLite user database: a private,
			// empty one instead of the system's (the user is --user)
			"--userdb=" + filepath.Join(dir, "turndb"),
			"--no-tls", "--no-dtls", "--no-tcp", "--no-tcp-relay", "--no-cli", "--no-rfc5780",
			"--allow-loopback-peers", "--fingerprint", "--verbose",
			"--log-file=stdout", "--simple-log", "--pidfile=" + filepath.Join(dir, "turnserver.pid"),
		}, nil)
		lastErr = tu.proc.waitUntil(15*time.Second, func() error { return stunBinding(tu.Addr, 300*time.Millisecond) })
		if lastErr == nil {
			return tu
		}
		tu.proc.Stop()
		if !strings.Contains(strings.ToLower(tu.proc.Log()), "bind") {
			t.Fatalf("infra: turnserver did not start: %v\n%s", lastErr, tu.proc.tail(4000))
		}
	}
	t.Fatalf("infra: turnserver did not start after 3 attempts: %v", lastErr)
	return nil
}

// Log returns turnserver's output so far.
func (tu *Turn) Log() string { return tu.proc.Log() }

// Pid is turnserver's process id (its process group).
func (tu *Turn) Pid() int { return tu.proc.Pid() }

// Stop ends turnserver; the test's cleanup also does it.
func (tu *Turn) Stop() { tu.proc.Stop() }

// Allocations is the number of successful TURN allocations in its log.
func (tu *Turn) Allocations() int {
	return strings.Count(tu.Log(), "ALLOCATE processed, success")
}

// stunBinding sends a STUN Binding request (RFC 5389) to addr and expects a
// success response with the same transaction id.
func stunBinding(addr string, timeout time.Duration) error {
	conn, err := net.Dial("udp4", addr)
	if err != nil {
		return err
	}
	defer conn.Close()
	req := make([]byte, 20)
	binary.BigEndian.PutUint16(req[0:], 0x0001) // Binding request, no attributes
	binary.BigEndian.PutUint32(req[4:], 0x2112A442)
	if _, err := rand.Read(req[8:20]); err != nil {
		return err
	}
	if _, err := conn.Write(req); err != nil {
		return err
	}
	_ = conn.SetReadDeadline(time.Now().Add(timeout))
	buf := make([]byte, 1500)
	n, err := conn.Read(buf)
	if err != nil {
		return err
	}
	if n < 20 || binary.BigEndian.Uint16(buf[0:]) != 0x0101 || !bytes.Equal(buf[8:20], req[8:20]) {
		return fmt.Errorf("unexpected STUN answer % x", buf[:min(n, 20)])
	}
	return nil
}

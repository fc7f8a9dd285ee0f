package infra

import (
	"fmt"
	"math/rand/v2"
	"net"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"
)

// Rtpengine is a running rtpengine media relay (userspace only).
type Rtpengine struct {
	// NGAddr is the ng control protocol address, e.g. "127.0.0.1:40125"
	// (pass it as KamailioOptions.RtpengineNG).
	NGAddr string
	// PortMin and PortMax bound the RTP ports it allocates.
	PortMin, PortMax int
	// Dir is the instance's private directory (log).
	Dir string

	proc *process
}

// StartRtpengine starts rtpengine on 127.0.0.1 with a private RTP port
// range and waits until it answers an ng ping.
func StartRtpengine(t testing.TB) *Rtpengine {
	t.Helper()
	bin := lookBinary(t, "rtpengine")
	dir := t.TempDir()
	var lastErr error
	for attempt := 0; attempt < 3; attempt++ {
		ng := fmt.Sprintf("127.0.0.1:%d", FreeUDPPort(t))
		// A private slice of 200 ports in 20000-32599: below the kernel's
		// ephemeral range (32768+, where the SIP ports come from) and above
		// baresip's RTP ports (10000-19999). rtpengine skips busy ports.
		min := 20000 + 200*rand.IntN(63)
		r := &Rtpengine{NGAddr: ng, PortMin: min, PortMax: min + 199, Dir: dir}
		r.proc = startProcess(t, fmt.Sprintf("rtpengine-%d", attempt), dir, bin, []string{
			"--config-file=none", "--foreground", "--log-stderr", "--log-level=6",
			"--table=-1", "--interface=127.0.0.1", "--dtls-passive",
			"--listen-ng=" + ng, fmt.Sprintf("--port-min=%d", r.PortMin), fmt.Sprintf("--port-max=%d", r.PortMax),
			"--pidfile=" + filepath.Join(dir, "rtpengine.pid"), "--delete-delay=0",
		}, nil)
		lastErr = r.proc.waitUntil(15*time.Second, func() error { return rtpengineNGPing(ng, 300*time.Millisecond) })
		if lastErr == nil {
			return r
		}
		r.proc.Stop()
		if !strings.Contains(strings.ToLower(r.proc.Log()), "bind") {
			t.Fatalf("infra: rtpengine did not start: %v\n%s", lastErr, r.proc.tail(4000))
		}
	}
	t.Fatalf("infra: rtpengine did not start after 3 attempts: %v", lastErr)
	return nil
}

// Log returns rtpengine's output so far.
func (r *Rtpengine) Log() string { return r.proc.Log() }

// Pid is rtpengine's process id (its process group).
func (r *Rtpengine) Pid() int { return r.proc.Pid() }

// Stop ends rtpengine; the test's cleanup also does it.
func (r *Rtpengine) Stop() { r.proc.Stop() }

// rtpengineNGPing sends an ng "ping" and expects "pong".
func rtpengineNGPing(addr string, timeout time.Duration) error {
	conn, err := net.Dial("udp4", addr)
	if err != nil {
		return err
	}
	defer conn.Close()
	cookie := fmt.Sprintf("infra%d", rand.Uint32())
	if _, err := conn.Write([]byte(cookie + " d7:command4:pinge")); err != nil {
		return err
	}
	_ = conn.SetReadDeadline(time.Now().Add(timeout))
	buf := make([]byte, 4096)
	n, err := conn.Read(buf)
	if err != nil {
		return err
	}
	reply := string(buf[:n])
	if !strings.HasPrefix(reply, cookie+" ") || !strings.Contains(reply, "pong") {
		return fmt.Errorf("unexpected ng reply %q", reply)
	}
	return nil
}

var rtpengineCommandRe = regexp.MustCompile(`Received command '([a-z ]+)'`)

// Commands lists the ng commands rtpengine received so far, in order,
// without pings (e.g. ["offer", "answer", "delete"]).
func (r *Rtpengine) Commands() []string {
	var cmds []string
	for _, m := range rtpengineCommandRe.FindAllStringSubmatch(r.Log(), -1) {
		if m[1] != "ping" {
			cmds = append(cmds, m[1])
		}
	}
	return cmds
}

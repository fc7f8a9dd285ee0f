package infra

import (
	"errors"
	"net"
	"os"
	"path/filepath"
	"strconv"
	"testing"
	"time"
)

// Sipp is one sipp process (Debian package sip-tester) playing a scenario
// as the far end on 127.0.0.1 over UDP.
type Sipp struct {
	proc *process
	// Port is the UDP port sipp listens on.
	Port int
	dir  string
}

// StartSippServer starts sipp on a free UDP port of 127.0.0.1 with the
// scenario file (a sipp XML scenario), playing one call (-m 1; extra may
// say "-m", "2") within limit (sipp's global timeout; it then fails).
// extra are further sipp arguments, after the defaults. The process is stopped at the end of the test.
func StartSippServer(t testing.TB, scenario string, limit time.Duration, extra ...string) *Sipp {
	t.Helper()
	return startSipp(t, scenario, FreeUDPPort(t), limit, extra)
}

// StartSippClient starts sipp on 127.0.0.1:port playing a scenario that
// calls remote ("127.0.0.1:5060"): one call, within limit.
func StartSippClient(t testing.TB, scenario string, port int, remote string, limit time.Duration, extra ...string) *Sipp {
	t.Helper()
	return startSipp(t, scenario, port, limit, append(append([]string(nil), extra...), remote))
}

func startSipp(t testing.TB, scenario string, port int, limit time.Duration, extra []string) *Sipp {
	t.Helper()
	bin := lookBinary(t, "sipp")
	abs, err := filepath.Abs(scenario)
	if err != nil {
		t.Fatalf("infra: scenario %s: %v", scenario, err)
	}
	if _, err := os.Stat(abs); err != nil {
		t.Fatalf("infra: scenario %s: %v", scenario, err)
	}
	dir := t.TempDir()
	args := []string{"-sf", abs, "-i", "127.0.0.1", "-p", strconv.Itoa(port), "-t", "u1",
		"-m", "1", "-nostdin", "-timeout", strconv.Itoa(int(limit/time.Second)) + "s", "-timeout_error",
		"-trace_err", "-error_file", filepath.Join(dir, "errors.log"),
		"-trace_msg", "-message_file", filepath.Join(dir, "messages.log")}
	args = append(args, extra...)
	p := startProcess(t, "sipp", dir, bin, args, nil)
	s := &Sipp{proc: p, Port: port, dir: dir}
	// sipp is ready when its UDP port is taken
	if err := p.waitUntil(10*time.Second, func() error { return udpPortTaken(port) }); err != nil {
		t.Fatalf("infra: sipp: %v\n%s", err, p.tail(2000))
	}
	return s
}

// Address is sipp's address as an engine serveraddress ("udp:127.0.0.1:N").
func (s *Sipp) Address() string { return "udp:127.0.0.1:" + strconv.Itoa(s.Port) }

// Pid is the id of the process group sipp runs in.
func (s *Sipp) Pid() int { return s.proc.Pid() }

// Wait waits at most timeout for sipp to finish its scenario and returns
// nil when it passed (exit status 0), else an error with sipp's error log
// and the messages it saw.
func (s *Sipp) Wait(timeout time.Duration) error {
	select {
	case <-s.proc.done:
	case <-time.After(timeout):
		s.proc.Stop()
		return &SippError{What: "sipp did not finish in " + timeout.String(), Log: s.logs()}
	}
	if s.proc.waitErr != nil {
		return &SippError{What: "sipp failed: " + s.proc.waitErr.Error(), Log: s.logs()}
	}
	return nil
}

// Messages returns the SIP messages sipp sent and received so far.
func (s *Sipp) Messages() string {
	b, _ := os.ReadFile(filepath.Join(s.dir, "messages.log"))
	return string(b)
}

func (s *Sipp) logs() string {
	errs, _ := os.ReadFile(filepath.Join(s.dir, "errors.log"))
	return "--- sipp output\n" + s.proc.tail(3000) + "\n--- errors\n" + string(errs) + "\n--- messages\n" + s.Messages()
}

// SippError is a failed sipp run with its logs.
type SippError struct {
	What string
	Log  string
}

func (e *SippError) Error() string { return e.What + "\n" + e.Log }

// udpPortTaken returns nil when something is bound to 127.0.0.1:port/udp.
func udpPortTaken(port int) error {
	c, err := net.ListenPacket("udp4", "127.0.0.1:"+strconv.Itoa(port))
	if err != nil {
		return nil // in use
	}
	c.Close()
	return errors.New("port still free")
}

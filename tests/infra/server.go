package infra

import (
	"testing"
)

// Server is a server a test started with StartServer: its own process
// group, its output in a log file, stopped by the test's cleanup.
type Server struct{ p *process }

// StartServer starts the installed program bin (looked up on PATH and in
// the sbin folders) with args, in a fresh temporary folder, for a test
// that drives a server itself (the deploy/ configuration tests). Relative
// paths in args are relative to that folder, so pass absolute ones. The
// cleanup stops the whole group and, when the test failed, logs the
// server's output.
func StartServer(t testing.TB, name, bin string, args ...string) *Server {
	t.Helper()
	s := &Server{p: startProcess(t, name, t.TempDir(), lookBinary(t, bin), args, nil)}
	t.Cleanup(func() {
		// cleanups run last-in first-out: this runs before startProcess's
		// Stop, so the log is read while the group still exists
		if t.Failed() {
			t.Logf("%s output:\n%s", name, s.p.tail(8000))
		}
	})
	return s
}

// Pid is the id of the process group that holds the server.
func (s *Server) Pid() int { return s.p.Pid() }

// Exited reports whether the server has ended.
func (s *Server) Exited() bool { return s.p.Exited() }

// Log returns everything the server wrote so far.
func (s *Server) Log() string { return s.p.Log() }

// Stop ends the server's process group (also done by the cleanup).
func (s *Server) Stop() { s.p.Stop() }

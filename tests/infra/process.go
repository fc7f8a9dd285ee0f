package infra

import (
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

// process is one server started by a test, in its own process group, with
// its stdout and stderr written to a log file.
type process struct {
	name     string
	cmd      *exec.Cmd
	lifeline *os.File // write end of the watchdog pipe; closing it kills the group
	logPath  string
	done     chan struct{}
	waitErr  error
	stop     sync.Once
}

// lookBinary finds a server binary or fails the test with a clear message.
func lookBinary(t testing.TB, name string) string {
	t.Helper()
	path, err := exec.LookPath(name)
	if err != nil {
		for _, dir := range []string{"/usr/sbin", "/usr/bin", "/usr/local/bin", "/usr/local/sbin"} {
			p := filepath.Join(dir, name)
			if st, e := os.Stat(p); e == nil && !st.IsDir() {
				return p
			}
		}
		t.Fatalf("infra: %s is not installed (%v); run scripts/install-deps.sh", name, err)
	}
	return path
}

// watchdogScript runs the server ("$@") in the background and a watchdog
// that kills the whole process group when its stdin (a pipe whose only
// write end this test process holds) reaches EOF: so the servers and the
// children they forked die even when the test binary is killed (e.g. by
// go test -timeout) before its cleanups run. The shell is the group leader.
const watchdogScript = `exec 3<&0
"$@" </dev/null &
srv=$!
( trap '' TERM INT; cat <&3 >/dev/null; kill -KILL 0 ) </dev/null &
exec 3<&-
trap 'kill -TERM $srv 2>/dev/null' TERM INT
wait $srv
st=$?
while kill -0 $srv 2>/dev/null; do wait $srv; st=$?; done
exit $st`

// startProcess starts bin with args in dir, logging to dir/<name>.log, and
// registers a cleanup that stops the whole process group.
func startProcess(t testing.TB, name, dir, bin string, args []string, env []string) *process {
	t.Helper()
	logPath := filepath.Join(dir, name+".log")
	logFile, err := os.Create(logPath)
	if err != nil {
		t.Fatalf("infra: create %s log: %v", name, err)
	}
	lifeR, lifeW, err := os.Pipe()
	if err != nil {
		logFile.Close()
		t.Fatalf("infra: pipe: %v", err)
	}
	cmd := exec.Command("/bin/sh", append([]string{"-c", watchdogScript, "infra-" + name, bin}, args...)...)
	cmd.Dir = dir
	cmd.Stdin = lifeR
	cmd.Stdout = logFile
	cmd.Stderr = logFile
	cmd.Env = append(os.Environ(), env...)
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	err = cmd.Start()
	lifeR.Close()
	if err != nil {
		logFile.Close()
		lifeW.Close()
		t.Fatalf("infra: start %s (%s %s): %v", name, bin, strings.Join(args, " "), err)
	}
	p := &process{name: name, cmd: cmd, lifeline: lifeW, logPath: logPath, done: make(chan struct{})}
	go func() {
		p.waitErr = cmd.Wait()
		logFile.Close()
		close(p.done)
	}()
	t.Cleanup(p.Stop)
	return p
}

// Pid is the process group id: the id of the watchdog shell leading the
// group that holds the server and everything it forked.
func (p *process) Pid() int { return p.cmd.Process.Pid }

// Exited reports whether the process has ended.
func (p *process) Exited() bool {
	select {
	case <-p.done:
		return true
	default:
		return false
	}
}

// Log returns everything the process wrote so far.
func (p *process) Log() string {
	b, err := os.ReadFile(p.logPath)
	if err != nil {
		return fmt.Sprintf("(cannot read %s: %v)", p.logPath, err)
	}
	return string(b)
}

// Stop ends the process group: SIGTERM, then SIGKILL after 3 s. It is safe
// to call more than once.
func (p *process) Stop() {
	p.stop.Do(func() {
		pgid := p.cmd.Process.Pid
		_ = syscall.Kill(-pgid, syscall.SIGTERM)
		select {
		case <-p.done:
		case <-time.After(3 * time.Second):
			_ = syscall.Kill(-pgid, syscall.SIGKILL)
			<-p.done
		}
		// Children that outlived the leader still belong to the group.
		_ = syscall.Kill(-pgid, syscall.SIGKILL)
		p.lifeline.Close()
	})
}

// waitUntil polls ready every 50 ms until it returns nil, the process exits,
// or timeout passes.
func (p *process) waitUntil(timeout time.Duration, ready func() error) error {
	deadline := time.Now().Add(timeout)
	var last error
	for time.Now().Before(deadline) {
		if p.Exited() {
			return fmt.Errorf("%s exited early (%v)", p.name, p.waitErr)
		}
		if last = ready(); last == nil {
			return nil
		}
		time.Sleep(50 * time.Millisecond)
	}
	if last == nil {
		last = errors.New("timeout")
	}
	return fmt.Errorf("%s not ready after %v: %w", p.name, timeout, last)
}

// tail returns the last n bytes of the log, for failure messages.
func (p *process) tail(n int) string {
	s := p.Log()
	if len(s) > n {
		s = "..." + s[len(s)-n:]
	}
	return s
}

package infra

import (
	"context"
	"os/exec"
	"sync"
	"syscall"
	"testing"

	"github.com/chromedp/chromedp"
)

// ChromiumPath is the browser the tests drive (Debian's chromium).
const ChromiumPath = "/usr/bin/chromium"

// Chromium is one headless Chromium for a test: fake media devices with a
// WAV file as the microphone, loopback ICE candidates, no background
// network traffic, and its own process group, which Stop (and the test's
// cleanup) ends by its id.
type Chromium struct {
	// Alloc is the allocator context to make chromedp contexts from.
	Alloc context.Context

	cancel func()
	mu     sync.Mutex
	cmd    *exec.Cmd
}

// NewChromium prepares a browser with wav as its microphone; extra options
// override the defaults (e.g. the autoplay policy). The browser starts with
// the first chromedp action on a context made from Alloc.
func NewChromium(t testing.TB, wav string, extra ...chromedp.ExecAllocatorOption) *Chromium {
	t.Helper()
	c := &Chromium{}
	opts := []chromedp.ExecAllocatorOption{
		chromedp.ExecPath(ChromiumPath),
		chromedp.UserDataDir(t.TempDir()),
		chromedp.Flag("headless", true),
		chromedp.NoSandbox,
		chromedp.NoFirstRun,
		chromedp.NoDefaultBrowserCheck,
		chromedp.Flag("use-fake-device-for-media-stream", true),
		chromedp.Flag("use-fake-ui-for-media-stream", true),
		chromedp.Flag("use-file-for-fake-audio-capture", wav),
		chromedp.Flag("allow-loopback-in-peer-connection", true),
		chromedp.Flag("autoplay-policy", "no-user-gesture-required"),
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-gpu", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.Flag("disable-dev-shm-usage", true),
		chromedp.Flag("disable-background-timer-throttling", true),
		chromedp.Flag("disable-renderer-backgrounding", true),
		chromedp.ModifyCmdFunc(func(cmd *exec.Cmd) {
			// Its own process group, so that Stop ends every Chromium
			// process (renderers, zygote, ...) by the group id.
			cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true, Pdeathsig: syscall.SIGKILL}
			c.mu.Lock()
			c.cmd = cmd
			c.mu.Unlock()
		}),
	}
	c.Alloc, c.cancel = chromedp.NewExecAllocator(context.Background(), append(opts, extra...)...)
	t.Cleanup(c.Stop)
	return c
}

// Pid is the browser's process (group) id, or -1 before it started.
func (c *Chromium) Pid() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.cmd == nil || c.cmd.Process == nil {
		return -1
	}
	return c.cmd.Process.Pid
}

// Stop ends the browser and every process of its group; it may be called
// more than once.
func (c *Chromium) Stop() {
	c.cancel()
	if pid := c.Pid(); pid > 0 {
		_ = syscall.Kill(-pid, syscall.SIGKILL)
	}
}

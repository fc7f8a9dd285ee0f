package browser

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"testing"

	"github.com/opensoftphone/webphone/tests/infra"
)

// chromiumPath is the browser the tests drive.
const chromiumPath = infra.ChromiumPath

// repoRoot is the repository root (this package is tests/browser).
var repoRoot string

// TestMain builds www/webphone.wasm once for the test binary, and fails
// clearly when that or Chromium is missing.
func TestMain(m *testing.M) {
	root, err := filepath.Abs(filepath.Join("..", ".."))
	if err != nil {
		fmt.Fprintln(os.Stderr, "browser tests:", err)
		os.Exit(1)
	}
	repoRoot = root
	if _, err := os.Stat(chromiumPath); err != nil {
		fmt.Fprintf(os.Stderr, "browser tests: %s is missing (install chromium; scripts/install-deps.sh): %v\n", chromiumPath, err)
		os.Exit(1)
	}
	cmd := exec.Command("./build.sh")
	cmd.Dir = root
	if out, err := cmd.CombinedOutput(); err != nil {
		fmt.Fprintf(os.Stderr, "browser tests: ./build.sh failed: %v\n%s\n", err, out)
		os.Exit(1)
	}
	// A private copy of the built www/, so that another build.sh running in
	// the same tree cannot change the files under a running test.
	snap, err := os.MkdirTemp("", "webphone-www-")
	if err != nil {
		fmt.Fprintln(os.Stderr, "browser tests:", err)
		os.Exit(1)
	}
	wwwSnapshot = snap
	if err := infra.CopyTree(filepath.Join(root, "www"), snap); err != nil {
		os.RemoveAll(snap)
		fmt.Fprintln(os.Stderr, "browser tests: copy www/:", err)
		os.Exit(1)
	}
	code := m.Run()
	os.RemoveAll(snap)
	os.Exit(code)
}

// wwwSnapshot holds the files of www/ as built by TestMain.
var wwwSnapshot string

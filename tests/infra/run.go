package infra

import (
	"context"
	"os/exec"
	"time"
)

// runQuiet runs a short command and returns its combined output.
func runQuiet(bin string, args ...string) (string, error) {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	out, err := exec.CommandContext(ctx, bin, args...).CombinedOutput()
	return string(out), err
}

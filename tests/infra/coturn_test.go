package infra

import (
	"strconv"
	"testing"
	"time"
)

// coturn starts, answers STUN, and its Stop ends it.
func TestTurnStartsAnswersSTUNAndStops(t *testing.T) {
	tu := StartTurn(t)
	if err := stunBinding(tu.Addr, 2*time.Second); err != nil {
		t.Fatalf("STUN Binding to %s: %v", tu.Addr, err)
	}
	tu.Stop()
	if err := stunBinding(tu.Addr, 300*time.Millisecond); err == nil {
		t.Fatalf("turnserver (pid %s) still answers after Stop", strconv.Itoa(tu.Pid()))
	}
}

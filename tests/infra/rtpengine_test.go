package infra

import (
	"testing"
	"time"
)

func TestRtpengineAnswersPingAndStops(t *testing.T) {
	r := StartRtpengine(t)
	if err := rtpengineNGPing(r.NGAddr, 2*time.Second); err != nil {
		t.Fatalf("ng ping: %v", err)
	}
	r.Stop()
	if err := rtpengineNGPing(r.NGAddr, 300*time.Millisecond); err == nil {
		t.Fatalf("rtpengine still answers after Stop")
	}
}

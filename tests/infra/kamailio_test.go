package infra

import (
	"strings"
	"testing"
	"time"
)

func TestKamailioAnswersOptionsAndStops(t *testing.T) {
	k := StartKamailio(t, KamailioOptions{Users: map[string]string{"alice": "alicepw"}})
	if err := sipOptionsPing(k.UDPAddr, 2*time.Second); err != nil {
		t.Fatalf("OPTIONS to %s: %v", k.UDPAddr, err)
	}
	if !strings.HasPrefix(k.WSURL, "ws://127.0.0.1:") || k.Domain != "127.0.0.1" {
		t.Fatalf("unexpected addresses: %+v", k)
	}
	k.Stop()
	if err := sipOptionsPing(k.UDPAddr, 300*time.Millisecond); err == nil {
		t.Fatalf("Kamailio still answers after Stop")
	}
}

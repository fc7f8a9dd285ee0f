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

// Restart brings Kamailio back on the same addresses, as a new process.
func TestKamailioRestartKeepsAddresses(t *testing.T) {
	k := StartKamailio(t, KamailioOptions{Users: map[string]string{"alice": "alicepw"}})
	udp, ws, pid := k.UDPAddr, k.WSAddr, k.Pid()
	k.Restart(t)
	if k.UDPAddr != udp || k.WSAddr != ws {
		t.Fatalf("addresses changed: %s %s, were %s %s", k.UDPAddr, k.WSAddr, udp, ws)
	}
	if k.Pid() == pid {
		t.Fatalf("Restart kept process %d", pid)
	}
	if err := sipOptionsPing(k.UDPAddr, 2*time.Second); err != nil {
		t.Fatalf("OPTIONS after Restart: %v", err)
	}
}

// With Presence, Kamailio starts with its presence modules on db_text.
func TestKamailioWithPresenceStarts(t *testing.T) {
	k := StartKamailio(t, KamailioOptions{Users: map[string]string{"alice": "alicepw"}, Presence: true})
	if err := sipOptionsPing(k.UDPAddr, 2*time.Second); err != nil {
		t.Fatalf("OPTIONS to %s: %v\n%s", k.UDPAddr, err, k.Log())
	}
}

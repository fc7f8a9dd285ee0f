package main

import (
	"net"
	"strings"
	"testing"

	"github.com/opensoftphone/webphone/demoserver"
)

// A second demo on the ports of a running one fails with a hint that names
// the flag to change: -addr for the web port, -udp (or -udp "") for SIP/UDP.
func TestBusyPortsGetAHint(t *testing.T) {
	first, err := demoserver.New(demoserver.Options{Addr: "127.0.0.1:0", UDPAddr: "127.0.0.1:0"})
	if err != nil {
		t.Fatal(err)
	}
	if err := first.Start(t.Context()); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { first.Close() })
	web := strings.TrimSuffix(strings.TrimPrefix(first.HTTPURL(), "http://"), "/")
	free, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	freeAddr := free.Addr().String()
	free.Close()

	cases := []struct{ addr, udp, want string }{
		{web, "", "-addr 127.0.0.1:"},
		{freeAddr, first.UDPAddr(), `-udp ""`},
	}
	for _, c := range cases {
		second, err := demoserver.New(demoserver.Options{Addr: c.addr, UDPAddr: c.udp})
		if err != nil {
			t.Fatal(err)
		}
		err = second.Start(t.Context())
		if err == nil {
			second.Close()
			t.Fatalf("a second server on %s / %s started", c.addr, c.udp)
		}
		hint := busyHint(err, c.addr, c.udp)
		if !strings.Contains(hint, c.want) {
			t.Errorf("error %v: hint %q, want it to name %s", err, hint, c.want)
		}
	}
	if h := busyHint(net.ErrClosed, "a", "b"); h != "" {
		t.Errorf("another error got the hint %q", h)
	}
}

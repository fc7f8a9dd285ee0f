package rtprelay

import (
	"bytes"
	"net/netip"
	"testing"
)

func TestPacketRoundTrip(t *testing.T) {
	for _, addr := range []string{"192.0.2.7:4000", "[2001:db8::1]:5004", "[::ffff:192.0.2.9]:7078"} {
		p := Packet{Kind: KindRTCP, Stream: 513, Addr: netip.MustParseAddrPort(addr), Payload: []byte{0x80, 1, 2, 3}}
		b, err := AppendPacket(nil, p)
		if err != nil {
			t.Fatal(err)
		}
		got, err := ParsePacket(b)
		if err != nil {
			t.Fatal(addr, err)
		}
		want := netip.AddrPortFrom(p.Addr.Addr().Unmap(), p.Addr.Port())
		if got.Kind != p.Kind || got.Stream != 513 || got.Addr != want || !bytes.Equal(got.Payload, p.Payload) {
			t.Fatalf("%s: got %+v", addr, got)
		}
		if b[1] != 2 || b[2] != 1 {
			t.Fatalf("stream id not big endian: % x", b[:3])
		}
	}
}

func TestPutHeaderMatchesAppendPacket(t *testing.T) {
	for _, addr := range []string{"192.0.2.7:4000", "[2001:db8::1]:5004"} {
		ap := netip.MustParseAddrPort(addr)
		want, _ := AppendPacket(nil, Packet{Kind: KindRTP, Stream: 9, Addr: ap, Payload: []byte("xyz")})
		buf := make([]byte, MaxHeader+3)
		copy(buf[MaxHeader:], "xyz")
		start := putHeader(buf, MaxHeader, KindRTP, 9, ap)
		if !bytes.Equal(buf[start:], want) {
			t.Fatalf("%s: putHeader % x, AppendPacket % x", addr, buf[start:], want)
		}
	}
}

func TestParsePacketRejectsJunk(t *testing.T) {
	good, _ := AppendPacket(nil, Packet{Kind: KindRTP, Stream: 1, Addr: netip.MustParseAddrPort("192.0.2.1:9"), Payload: []byte{1}})
	big, _ := AppendPacket(nil, Packet{Kind: KindRTP, Stream: 1, Addr: netip.MustParseAddrPort("192.0.2.1:9")})
	big = append(big, make([]byte, MaxPayload+1)...)
	cases := map[string][]byte{
		"empty":     nil,
		"short":     good[:5],
		"kind":      append([]byte{9}, good[1:]...),
		"stream 0":  append([]byte{1, 0, 0}, good[3:]...),
		"family":    append(append([]byte{}, good[:3]...), append([]byte{5}, good[4:]...)...),
		"short v6":  {1, 0, 1, 6, 1, 2, 3, 4, 5, 6, 7, 8},
		"oversized": big,
	}
	for name, b := range cases {
		if _, err := ParsePacket(b); err == nil {
			t.Errorf("%s: parsed", name)
		}
	}
	if _, err := AppendPacket(nil, Packet{Kind: KindRTP, Stream: 1, Addr: netip.MustParseAddrPort("192.0.2.1:9"), Payload: make([]byte, MaxPayload+1)}); err == nil {
		t.Error("AppendPacket took an oversized payload")
	}
}

func TestParseControl(t *testing.T) {
	c, err := ParseControl([]byte(`{"op":"alloc","id":7}`))
	if err != nil || c.Op != OpAlloc || c.ID != 7 {
		t.Fatalf("%+v %v", c, err)
	}
	for _, junk := range []string{``, `{`, `[]`, `{"id":1}`, `{"op":"alloc","id":70000}`, `{"op":"alloc","id":-1}`, `"hello"`} {
		if _, err := ParseControl([]byte(junk)); err == nil {
			t.Errorf("%q parsed", junk)
		}
	}
	if _, err := ParseControl(append([]byte(`{"op":"hello","token":"`), bytes.Repeat([]byte("a"), MaxControl)...)); err == nil {
		t.Error("oversized control parsed")
	}
}

package rtprelay

import (
	"bytes"
	"net/netip"
	"testing"
)

// FuzzParsePacket: no input panics, and what parses encodes back to itself.
func FuzzParsePacket(f *testing.F) {
	good, _ := AppendPacket(nil, Packet{Kind: KindRTP, Stream: 1, Addr: netip.MustParseAddrPort("192.0.2.1:4000"), Payload: []byte{0x80}})
	six, _ := AppendPacket(nil, Packet{Kind: KindRTCP, Stream: 9, Addr: netip.MustParseAddrPort("[2001:db8::1]:5"), Payload: nil})
	f.Add(good)
	f.Add(six)
	f.Add([]byte{1, 0, 1, 6, 0})
	f.Fuzz(func(t *testing.T, b []byte) {
		p, err := ParsePacket(b)
		if err != nil {
			return
		}
		again, err := AppendPacket(nil, p)
		if err != nil {
			t.Fatalf("parsed %+v does not encode: %v", p, err)
		}
		q, err := ParsePacket(again)
		if err != nil || q.Kind != p.Kind || q.Stream != p.Stream || q.Addr != p.Addr || !bytes.Equal(q.Payload, p.Payload) {
			t.Fatalf("round trip %+v -> %+v (%v)", p, q, err)
		}
	})
}

// FuzzClientReceive: no frame makes the client panic or block.
func FuzzClientReceive(f *testing.F) {
	f.Add(false, []byte(`{"op":"alloc","id":1,"ip":"127.0.0.1","port":4000}`))
	f.Add(false, []byte(`{"op":"error","id":1,"code":403}`))
	f.Add(false, []byte(`{"op":"freed","id":1}`))
	f.Add(false, []byte(`{"op":"error"}`))
	pk, _ := AppendPacket(nil, Packet{Kind: KindRTP, Stream: 1, Addr: netip.MustParseAddrPort("192.0.2.1:4000"), Payload: []byte{1}})
	f.Add(true, pk)
	f.Fuzz(func(t *testing.T, binary bool, b []byte) {
		sock := &fakeSocket{sentCh: make(chan struct{}, 10)}
		c := NewClient(sock, "t")
		c.Receive(false, ctl(Control{Op: OpReady}))
		c.mu.Lock()
		c.pending[1] = make(chan allocResult, 1)
		c.mu.Unlock()
		c.Receive(false, ctl(Control{Op: OpAlloc, ID: 1, IP: "127.0.0.1", Port: 4000}))
		for range 3 {
			c.Receive(binary, b)
		}
	})
}

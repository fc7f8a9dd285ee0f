package webaudio

import (
	"bytes"
	"context"
	"fmt"
	"net"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/opensoftphone/webphone/mediacore"
	"github.com/pion/rtp"
)

func udp(t *testing.T) net.PacketConn {
	t.Helper()
	c, err := net.ListenPacket("udp4", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = c.Close() })
	return c
}

type phone struct {
	m        *Media
	mu       sync.Mutex
	digits   string
	released chan struct{}
}

func (p *phone) got() string {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.digits
}

// newPhone is a PCM media whose microphone plays freq at 48 kHz.
func newPhone(t *testing.T, freq float64) *phone {
	t.Helper()
	w := &toneWorklet{rate: 48000, freq: freq, queue: 960, RingPort: NewRingPort(1 << 14)}
	p := &phone{released: make(chan struct{})}
	m, err := NewMedia(MediaConfig{
		RTP: udp(t), RTCP: udp(t), Audio: NewBridge(w, SharedRing, 48000, 8000, nil),
		Release: func() { close(p.released) },
	})
	if err != nil {
		t.Fatal(err)
	}
	m.SetDTMFHandler(func(d string) {
		p.mu.Lock()
		p.digits += d
		p.mu.Unlock()
	})
	p.m = m
	t.Cleanup(m.Close)
	return p
}

func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

func hears(p *phone, freq float64) func() bool {
	return func() bool {
		f, a, share := p.m.Tones().Strongest()
		return f == freq && a > 0.1 && share > 0.5
	}
}

func exchange(t *testing.T, a, b *phone, hold string) {
	t.Helper()
	ctx := context.Background()
	offer, err := a.m.Offer(ctx, hold)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(offer), "RTP/AVP") || strings.Contains(string(offer), "ice-ufrag") {
		t.Fatalf("offer is not plain RTP/AVP:\n%s", offer)
	}
	answer, err := b.m.Answer(ctx, offer, "")
	if err != nil {
		t.Fatal(err)
	}
	if err := a.m.SetRemoteAnswer(ctx, answer); err != nil {
		t.Fatal(err)
	}
}

func TestMediaCallTonesDTMFHoldAndClose(t *testing.T) {
	a, b := newPhone(t, 1000), newPhone(t, 440)
	if !a.m.LastReceived().IsZero() {
		t.Fatal("LastReceived before any packet is not zero")
	}
	exchange(t, a, b, "")
	waitFor(t, "b to hear a's 1 kHz", hears(b, 1000))
	waitFor(t, "a to note packets arriving", func() bool { return !a.m.LastReceived().IsZero() })
	waitFor(t, "a to hear b's 440 Hz", hears(a, 440))

	if err := a.m.SendDTMF("12"); err != nil {
		t.Fatal(err)
	}
	if err := b.m.SendDTMF("#"); err != nil {
		t.Fatal(err)
	}
	waitFor(t, "b to receive 12", func() bool { return b.got() == "12" })
	waitFor(t, "a to receive #", func() bool { return a.got() == "#" })

	// hold: a sends only, b receives only; resume
	exchange(t, a, b, "sendonly")
	if d := a.m.Stats().Direction; d != mediacore.SendOnly {
		t.Fatalf("a's direction on hold %v", d)
	}
	if d := b.m.Stats().Direction; d != mediacore.RecvOnly {
		t.Fatalf("b's direction while held %v", d)
	}
	if err := b.m.SendDTMF("1"); err == nil {
		t.Fatal("b sent DTMF while held")
	}
	exchange(t, a, b, "")
	if d := b.m.Stats().Direction; d != mediacore.SendRecv {
		t.Fatalf("b's direction after resume %v", d)
	}
	sent := b.m.Stats().PacketsSent
	waitFor(t, "b to send again after resume", func() bool { return b.m.Stats().PacketsSent > sent+5 })

	// mute the microphone: b stops hearing a's tone
	_ = a.m.Mute(2, true)
	waitFor(t, "b to stop hearing a muted a", func() bool { return !hears(b, 1000)() })

	if st := b.m.RTPStat(); st.Sent == 0 || st.Received == 0 || st.Quality < 4 {
		t.Fatalf("b's RTPSTAT %v after a clean call", st)
	}
	a.m.Close()
	select {
	case <-a.released:
	case <-time.After(5 * time.Second):
		t.Fatal("Close did not release the stream")
	}
	if _, err := a.m.Offer(context.Background(), ""); err == nil {
		t.Fatal("a closed media made an offer")
	}
}

func TestMediaRejectsWhatItCannotPlay(t *testing.T) {
	a := newPhone(t, 1000)
	webrtc := "v=0\r\no=- 1 1 IN IP4 127.0.0.1\r\ns=-\r\nc=IN IP4 127.0.0.1\r\nt=0 0\r\n" +
		"m=audio 9 UDP/TLS/RTP/SAVPF 111\r\na=rtpmap:111 opus/48000/2\r\n"
	if _, err := a.m.Answer(context.Background(), []byte(webrtc), ""); err == nil {
		t.Fatal("answered an offer without a plain RTP G.711 stream")
	}
	if _, err := a.m.Answer(context.Background(), []byte("garbage"), ""); err == nil {
		t.Fatal("answered garbage")
	}
	if err := a.m.SendDTMF(" ,"); err == nil {
		t.Fatal("sent no digits without an error")
	}
}

func TestRTPQuality(t *testing.T) {
	for _, c := range []struct {
		played, lost uint64
		want         int
	}{{0, 0, 0}, {1000, 0, 5}, {990, 10, 4}, {960, 40, 3}, {700, 300, 0}} {
		if got := quality(c.played, c.lost); got != c.want {
			t.Errorf("quality(%d, %d) = %d, want %d", c.played, c.lost, got, c.want)
		}
	}
}

func TestMediaDropsRTPQueuedBeforeItStarts(t *testing.T) {
	a := newPhone(t, 1000)
	peer := udp(t)
	ctx := context.Background()
	if _, err := a.m.Offer(ctx, ""); err != nil {
		t.Fatal(err)
	}
	answer := fmt.Sprintf("v=0\r\no=- 1 1 IN IP4 127.0.0.1\r\ns=-\r\nc=IN IP4 127.0.0.1\r\nt=0 0\r\n"+
		"m=audio %d RTP/AVP 0\r\na=rtpmap:0 PCMU/8000\r\na=sendrecv\r\n", peer.LocalAddr().(*net.UDPAddr).Port)
	send := func(seq uint16) {
		pkt := rtp.Packet{Header: rtp.Header{Version: 2, PayloadType: 0, SequenceNumber: seq, Timestamp: uint32(seq) * 160, SSRC: 7},
			Payload: make([]byte, 160)}
		b, _ := pkt.Marshal()
		if _, err := peer.WriteTo(b, a.m.Session().LocalAddr()); err != nil {
			t.Fatal(err)
		}
	}
	// the peer sends half a second before its answer reaches a (loopback
	// delivers each datagram into a's socket before WriteTo returns)
	for i := range 25 {
		send(uint16(i))
	}
	if err := a.m.SetRemoteAnswer(ctx, []byte(answer)); err != nil {
		t.Fatal(err)
	}
	send(25)
	waitFor(t, "a to receive the packet sent after its start", func() bool { return a.m.Stats().PacketsReceived >= 1 })
	if n := a.m.Stats().PacketsReceived; n != 1 {
		t.Fatalf("a received %d packets: the 25 queued before its start were played (read as one burst, they inflate the jitter buffer)", n)
	}
}
func TestMediaRecordsBothDirectionsMixed(t *testing.T) {
	a, b := newPhone(t, 1000), newPhone(t, 440)
	if _, err := a.m.StopRecording(); err == nil {
		t.Fatal("StopRecording without a recording succeeded")
	}
	exchange(t, a, b, "")
	waitFor(t, "a to hear b", hears(a, 440))
	a.m.StartRecording()
	waitFor(t, "a to record a second", func() bool {
		a.m.rec.mu.Lock()
		defer a.m.rec.mu.Unlock()
		return len(a.m.rec.mix) >= 8000
	})
	wav, err := a.m.StopRecording()
	if err != nil {
		t.Fatal(err)
	}
	samples, err := mediacore.ReadWAV8k(bytes.NewReader(wav))
	if err != nil {
		t.Fatal(err)
	}
	tail := samples[len(samples)-4000:]
	if mine, theirs := mediacore.ToneAmplitude(tail, 1000), mediacore.ToneAmplitude(tail, 440); mine < 0.1 || theirs < 0.1 {
		t.Fatalf("the recording holds 1 kHz (sent) at %.3f and 440 Hz (received) at %.3f; want both", mine, theirs)
	}
}

package mediacore

import (
	"fmt"
	"net"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// nonSilentTail returns the last n recorded samples when they start with audible signal.
func nonSilentTail(r *PCMRecorder, n int) ([]int16, bool) {
	s := r.Samples()
	if len(s) < n {
		return nil, false
	}
	tail := s[len(s)-n:]
	for _, v := range tail[:80] {
		if v > 1000 || v < -1000 {
			return tail, true
		}
	}
	return nil, false
}

type dtmfLog struct {
	mu     sync.Mutex
	digits []rune
}

func (d *dtmfLog) add(ev DTMFEvent) {
	d.mu.Lock()
	d.digits = append(d.digits, ev.Digit)
	d.mu.Unlock()
}

func (d *dtmfLog) get() string {
	d.mu.Lock()
	defer d.mu.Unlock()
	return string(d.digits)
}

func listenUDP(t *testing.T) net.PacketConn {
	t.Helper()
	c, err := net.ListenPacket("udp4", "127.0.0.1:0")
	require.NoError(t, err)
	t.Cleanup(func() { _ = c.Close() })
	return c
}

type party struct {
	sess *Session
	rec  *PCMRecorder
	dtmf *dtmfLog
}

func newParty(t *testing.T, freq float64, codecs []Codec, rtcp bool) *party {
	t.Helper()
	p := &party{rec: &PCMRecorder{}, dtmf: &dtmfLog{}}
	cfg := SessionConfig{
		Conn:         listenUDP(t),
		Codecs:       codecs,
		Source:       NewTone(SineTone(freq, 0.3)),
		Sink:         p.rec,
		OnDTMF:       p.dtmf.add,
		RTCPInterval: 100 * time.Millisecond,
	}
	if rtcp {
		cfg.RTCPConn = listenUDP(t)
	}
	s, err := NewSession(cfg)
	require.NoError(t, err)
	t.Cleanup(s.Stop)
	p.sess = s
	return p
}

func connect(t *testing.T, a, b *party) {
	t.Helper()
	offer, err := a.sess.LocalOffer(SendRecv)
	require.NoError(t, err)
	answer, err := b.sess.ApplyOffer(offer, SendRecv)
	require.NoError(t, err)
	require.NoError(t, a.sess.ApplyAnswer(answer))
	require.NoError(t, a.sess.Start())
	require.NoError(t, b.sess.Start())
}

// waitPackets waits until s has sent n more RTP packets: n of its ptimes,
// a clock that runs as fast as the sessions under test do.
func waitPackets(t *testing.T, s *Session, n uint64) {
	t.Helper()
	from := s.Stats().PacketsSent
	require.Eventually(t, func() bool { return s.Stats().PacketsSent >= from+n }, 5*time.Second, 5*time.Millisecond,
		"the session keeps sending")
}

// heardTone waits until rec has 200 ms of audio and reports which candidate is strongest.
func heardTone(t *testing.T, rec *PCMRecorder, candidates []float64) (float64, float64) {
	t.Helper()
	var tail []int16
	require.Eventually(t, func() bool {
		var ok bool
		tail, ok = nonSilentTail(rec, 1600)
		return ok
	}, 5*time.Second, 20*time.Millisecond, "no audio received")
	return StrongestTone(tail, candidates)
}

func TestSessionLoopbackTonesAndDTMF(t *testing.T) {
	a := newParty(t, 1000, nil, true)
	b := newParty(t, 440, nil, true)
	connect(t, a, b)

	candidates := []float64{440, 1000}
	f, share := heardTone(t, b.rec, candidates)
	assert.Equal(t, 1000.0, f, "B must hear A's 1 kHz tone")
	assert.Greater(t, share, 0.95)
	f, share = heardTone(t, a.rec, candidates)
	assert.Equal(t, 440.0, f, "A must hear B's 440 Hz tone")
	assert.Greater(t, share, 0.95)

	require.NoError(t, a.sess.SendDTMF("12#9*", 80))
	require.NoError(t, b.sess.SendDTMF("A0", 60))
	require.Eventually(t, func() bool { return b.dtmf.get() == "12#9*" && a.dtmf.get() == "A0" },
		5*time.Second, 20*time.Millisecond, "B got %q, A got %q", b.dtmf.get(), a.dtmf.get())
	// Wait until each side has received every packet the other sent up to
	// the redundant end packets of its last digit, and one more (each read
	// loop handles packets in order and reports DTMF before it reads the
	// next), then check nothing repeated.
	require.Eventually(t, func() bool { return !a.sess.dtmfBusy() && !b.sess.dtmfBusy() }, 2*time.Second, 10*time.Millisecond)
	sentA, sentB := a.sess.Stats().PacketsSent, b.sess.Stats().PacketsSent
	require.Eventually(t, func() bool {
		return b.sess.Stats().PacketsReceived > sentA && a.sess.Stats().PacketsReceived > sentB
	}, 2*time.Second, 10*time.Millisecond, "every packet arrives on loopback")
	assert.Equal(t, "12#9*", b.dtmf.get(), "each digit exactly once")
	assert.Equal(t, "A0", a.dtmf.get())

	st := b.sess.Stats()
	assert.Equal(t, "PCMU", st.Codec)
	assert.Greater(t, st.PacketsReceived, uint64(10))
	assert.Equal(t, uint64(5), st.DTMFReceived)
	assert.Equal(t, a.sess.Stats().LocalSSRC, st.RemoteSSRC)
	require.Eventually(t, func() bool { return a.sess.Stats().Remote.Valid && a.sess.Stats().RTCPReceived > 0 },
		3*time.Second, 20*time.Millisecond, "RTCP reports must flow")
	assert.Zero(t, st.Lost, "no loss on loopback")

	vad := a.sess.VADReport()
	assert.Regexp(t, `^VAD,local_vad: ON local_avg: \d+ local_max: 3\d local_speaking: yes remote_vad: ON remote_avg: \d+ remote_max: \d+ remote_speaking: yes$`, vad)
}

func TestSessionRTCPMuxWithoutRTCPSocket(t *testing.T) {
	a := newParty(t, 1000, nil, false)
	b := newParty(t, 440, nil, false)
	connect(t, a, b)
	neg, ok := a.sess.Negotiated()
	require.True(t, ok)
	assert.True(t, neg.RTCPMux)
	require.Eventually(t, func() bool {
		sa, sb := a.sess.Stats(), b.sess.Stats()
		return sa.RTCPReceived > 0 && sb.RTCPReceived > 0 && sa.Remote.Valid && sb.Remote.Valid
	}, 3*time.Second, 20*time.Millisecond, "RTCP must flow over the RTP sockets")
	assert.Zero(t, a.sess.Stats().Ignored, "RTCP is not mistaken for RTP")
}

func TestSessionRemoteSSRCChangeAndRestart(t *testing.T) {
	a := newParty(t, 1000, nil, false)
	b := newParty(t, 440, nil, false)
	connect(t, a, b)
	heardTone(t, b.rec, []float64{440, 1000})
	old := a.sess.Stats().LocalSSRC
	a.sess.ResetSSRC()
	require.NotEqual(t, old, a.sess.Stats().LocalSSRC)
	require.Eventually(t, func() bool { return b.sess.Stats().RemoteSSRC == a.sess.Stats().LocalSSRC },
		3*time.Second, 20*time.Millisecond)
	// B keeps playing A's tone from the new source.
	n := b.rec.Len()
	require.Eventually(t, func() bool { return b.rec.Len() > n+3200 }, 3*time.Second, 20*time.Millisecond)
	f, _ := heardTone(t, b.rec, []float64{440, 1000})
	assert.Equal(t, 1000.0, f)

	// Stop and start again on the same sockets. B's packets are the clock:
	// while B sends 10 (ten of A's ptimes), a stopped A sends nothing.
	a.sess.Stop()
	assert.False(t, a.sess.Running())
	sent := a.sess.Stats().PacketsSent
	waitPackets(t, b.sess, 10)
	assert.Equal(t, sent, a.sess.Stats().PacketsSent, "a stopped session sends nothing")
	require.NoError(t, a.sess.Start())
	require.Eventually(t, func() bool { return a.sess.Stats().PacketsSent > sent+5 && a.sess.Stats().PacketsReceived > 0 },
		3*time.Second, 20*time.Millisecond)
}

func TestSessionLoopbackPCMAAndHold(t *testing.T) {
	a := newParty(t, 1000, []Codec{PCMA}, false)
	b := newParty(t, 440, nil, false)
	connect(t, a, b)
	assert.Equal(t, "PCMA", b.sess.Stats().Codec, "answerer must use the only offered codec")
	f, _ := heardTone(t, b.rec, []float64{440, 1000})
	assert.Equal(t, 1000.0, f)

	// A puts B on hold: A sends only, B answers recvonly and stops sending.
	offer, err := a.sess.LocalOffer(SendOnly)
	require.NoError(t, err)
	answer, err := b.sess.ApplyOffer(offer, SendRecv)
	require.NoError(t, err)
	assert.Contains(t, string(answer), "a=recvonly")
	require.NoError(t, a.sess.ApplyAnswer(answer))
	assert.Equal(t, RecvOnly, b.sess.Stats().Direction)
	// ApplyOffer changed the direction under the lock B sends under: from
	// here on B sends nothing. A's packets are the clock: while A sends 10
	// (ten of B's ptimes), B's count stays.
	sent := b.sess.Stats().PacketsSent
	waitPackets(t, a.sess, 10)
	assert.Equal(t, sent, b.sess.Stats().PacketsSent, "B must not send while held")
	assert.Greater(t, a.sess.Stats().PacketsSent, uint64(0))

	// Resume.
	offer, err = a.sess.LocalOffer(SendRecv)
	require.NoError(t, err)
	answer, err = b.sess.ApplyOffer(offer, SendRecv)
	require.NoError(t, err)
	require.NoError(t, a.sess.ApplyAnswer(answer))
	require.Eventually(t, func() bool { return b.sess.Stats().PacketsSent > sent+5 }, 3*time.Second, 20*time.Millisecond)
}

func TestSessionSymmetricRTPLatchesToSource(t *testing.T) {
	a := newParty(t, 1000, nil, false)
	b := newParty(t, 440, nil, false)
	offer, err := a.sess.LocalOffer(SendRecv)
	require.NoError(t, err)
	// Pretend A is behind a NAT: its SDP advertises a port nobody listens on.
	bogus := listenUDP(t)
	port := udpPort(bogus.LocalAddr())
	require.NoError(t, bogus.Close())
	fake := []byte(replacePort(string(offer), udpPort(a.sess.LocalAddr()), port))
	answer, err := b.sess.ApplyOffer(fake, SendRecv)
	require.NoError(t, err)
	require.NoError(t, a.sess.ApplyAnswer(answer))
	require.NoError(t, a.sess.Start())
	require.NoError(t, b.sess.Start())
	f, _ := heardTone(t, a.rec, []float64{440, 1000})
	assert.Equal(t, 440.0, f, "B must send to where A's packets come from")
	assert.Equal(t, a.sess.LocalAddr().String(), b.sess.RemoteAddr().String())
}

func TestSessionErrors(t *testing.T) {
	_, err := NewSession(SessionConfig{})
	assert.Error(t, err)
	wild, err := net.ListenPacket("udp4", "0.0.0.0:0")
	require.NoError(t, err)
	defer wild.Close()
	_, err = NewSession(SessionConfig{Conn: wild})
	assert.ErrorContains(t, err, "Address")

	s, err := NewSession(SessionConfig{Conn: listenUDP(t)})
	require.NoError(t, err)
	assert.ErrorIs(t, s.Start(), ErrNotNegotiated)
	assert.ErrorIs(t, s.SendDTMF("1", 100), ErrNotNegotiated)
	assert.Error(t, s.ApplyAnswer([]byte("v=0\r\n")), "answer without offer")

	g729 := "v=0\r\no=- 1 1 IN IP4 127.0.0.1\r\ns=-\r\nc=IN IP4 127.0.0.1\r\nt=0 0\r\nm=audio 4000 RTP/AVP 18\r\na=rtpmap:18 G729/8000\r\n"
	_, err = s.ApplyOffer([]byte(g729), SendRecv)
	assert.ErrorIs(t, err, ErrNoCommonCodec)
	assert.True(t, IsNotAcceptable(err))

	noDTMF := "v=0\r\no=- 1 1 IN IP4 127.0.0.1\r\ns=-\r\nc=IN IP4 127.0.0.1\r\nt=0 0\r\nm=audio 4000 RTP/AVP 0 8\r\n"
	_, err = s.ApplyOffer([]byte(noDTMF), SendRecv)
	require.NoError(t, err)
	assert.ErrorIs(t, s.SendDTMF("1", 100), ErrDTMFNotNegotiated)
	require.NoError(t, s.SetCodec(PCMA), "PCMA was offered and accepted")
	assert.Equal(t, "PCMA", s.Stats().Codec)
}

func replacePort(sdp string, from, to int) string {
	return strings.Replace(sdp, fmt.Sprintf("m=audio %d ", from), fmt.Sprintf("m=audio %d ", to), 1)
}

func TestSessionSurvivesGarbage(t *testing.T) {
	a := newParty(t, 1000, nil, false)
	b := newParty(t, 440, nil, false)
	connect(t, a, b)
	heardTone(t, b.rec, []float64{440, 1000})

	junk, err := net.Dial("udp4", b.sess.LocalAddr().String())
	require.NoError(t, err)
	defer junk.Close()
	badPadding := []byte{0xa0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 9, 1, 2, 200}
	unknownPT := []byte{0x80, 18, 0, 1, 0, 0, 0, 0, 0, 0, 0, 9, 1, 2, 3}
	shortDTMF := []byte{0x80, 101, 0, 1, 0, 0, 0, 0, 0, 0, 0, 9, 1}
	badRTCP := []byte{0x80, 200, 0, 99}
	for _, p := range [][]byte{{}, {0}, []byte("\r\n"), []byte("hello world, not RTP"), badPadding, unknownPT, shortDTMF, badRTCP,
		{0x90, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 9, 0xbe, 0xde, 0, 9}} { // extension header longer than the packet
		_, err := junk.Write(p)
		require.NoError(t, err)
	}
	require.Eventually(t, func() bool { return b.sess.Stats().Ignored >= 9 }, 3*time.Second, 10*time.Millisecond,
		"ignored %d", b.sess.Stats().Ignored)
	assert.Equal(t, a.sess.LocalAddr().String(), b.sess.RemoteAddr().String(), "junk with unknown payload does not hijack the stream")
	n := b.rec.Len()
	require.Eventually(t, func() bool { return b.rec.Len() > n+1600 }, 3*time.Second, 10*time.Millisecond)
	f, _ := heardTone(t, b.rec, []float64{440, 1000})
	assert.Equal(t, 1000.0, f, "still hearing A")
}

func TestSessionNoDTMFWhileHeld(t *testing.T) {
	a := newParty(t, 1000, nil, false)
	b := newParty(t, 440, nil, false)
	offer, err := a.sess.LocalOffer(SendRecv)
	require.NoError(t, err)
	answer, err := b.sess.ApplyOffer(offer, Inactive)
	require.NoError(t, err)
	require.NoError(t, a.sess.ApplyAnswer(answer))
	assert.Error(t, a.sess.SendDTMF("1", 100))
	assert.Error(t, b.sess.SendDTMF("1", 100))
}

func TestSessionOffersKeepOriginAndFollowCodecChoice(t *testing.T) {
	s, err := NewSession(SessionConfig{Conn: listenUDP(t), SessionID: 777})
	require.NoError(t, err)
	o1, err := s.LocalOffer(SendRecv)
	require.NoError(t, err)
	require.NoError(t, s.SetCodec(PCMA), "before negotiation only the preference changes")
	o2, err := s.LocalOffer(SendOnly)
	require.NoError(t, err)
	r1, err := ParseRemoteMedia(o1)
	require.NoError(t, err)
	r2, err := ParseRemoteMedia(o2)
	require.NoError(t, err)
	assert.Equal(t, uint64(777), r1.SessionID)
	assert.Equal(t, r1.SessionID, r2.SessionID)
	assert.Equal(t, r1.SessionVer+1, r2.SessionVer, "each offer bumps the o= version")
	assert.Equal(t, []uint8{0, 8, 101}, r1.PayloadTypes)
	assert.Equal(t, []uint8{8, 0, 101}, r2.PayloadTypes, "the chosen codec is offered first")
	assert.Equal(t, SendOnly, r2.Direction)
	assert.Equal(t, udpPort(s.LocalAddr()), r2.Port)
	assert.Contains(t, string(o2), "a=rtcp-mux", "no RTCP socket: offer rtcp-mux")

	// With only PCMU negotiated, switching to PCMA needs a renegotiation.
	peer, err := NewSession(SessionConfig{Conn: listenUDP(t), Codecs: []Codec{PCMU}})
	require.NoError(t, err)
	answer, err := peer.ApplyOffer(o2, SendRecv)
	require.NoError(t, err)
	require.NoError(t, s.ApplyAnswer(answer))
	assert.ErrorIs(t, s.SetCodec(PCMA), ErrNoCommonCodec)
	assert.Equal(t, "PCMU", s.Stats().Codec)
	assert.ErrorIs(t, s.SetCodec(Codec{Name: "opus", PayloadType: 111}), ErrNoSupportedCodec)
}

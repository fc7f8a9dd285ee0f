package mediacore

import (
	"testing"
	"time"

	"github.com/pion/rtcp"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestSeqExtenderWrapsAndReorders(t *testing.T) {
	var e SeqExtender
	first := e.Extend(65534)
	assert.Equal(t, first+1, e.Extend(65535))
	assert.Equal(t, first+2, e.Extend(0), "wrap continues upwards")
	assert.Equal(t, first+3, e.Extend(1))
	assert.Equal(t, first+1, e.Extend(65535), "late packet from before the wrap stays below")
	assert.Equal(t, first+3, e.Highest())
	assert.Equal(t, first-4, e.Extend(65530), "slightly older than the first packet")
	// Run through several wraps in steps.
	for i := 0; i < 5*65536; i += 1000 {
		e.Extend(uint16(65534 + i))
	}
	assert.Greater(t, e.Highest(), uint64(5*65536))
}

func TestRTPSenderNumbering(t *testing.T) {
	s := NewRTPSender()
	seq0, ts0 := s.NextSeq(), s.Timestamp()
	h := s.Audio(0, 160, 160)
	assert.True(t, h.Marker, "first packet starts a talkspurt")
	assert.Equal(t, uint8(2), h.Version)
	assert.Equal(t, seq0, h.SequenceNumber)
	assert.Equal(t, ts0, h.Timestamp)
	h = s.Audio(0, 160, 160)
	assert.False(t, h.Marker)
	assert.Equal(t, seq0+1, h.SequenceNumber)
	assert.Equal(t, ts0+160, h.Timestamp)

	s.Skip(160) // e.g. hold: time passes, nothing is sent
	h = s.Audio(8, 160, 160)
	assert.True(t, h.Marker, "talkspurt after a pause")
	assert.Equal(t, seq0+2, h.SequenceNumber, "no sequence gap for unsent frames")
	assert.Equal(t, ts0+480, h.Timestamp, "timestamp follows the clock")

	ev := s.Event(101, 12345, true, 4)
	assert.Equal(t, uint32(12345), ev.Timestamp)
	assert.Equal(t, seq0+3, ev.SequenceNumber)
	assert.Equal(t, ts0+640, s.Timestamp(), "events do not move the audio clock")
	p, o := s.Counts()
	assert.Equal(t, uint32(4), p)
	assert.Equal(t, uint32(484), o)

	old := s.SSRC()
	s.NewSSRC()
	assert.NotEqual(t, old, s.SSRC())
	p, _ = s.Counts()
	assert.Zero(t, p)
	assert.True(t, s.Audio(0, 160, 160).Marker)
	assert.NotEqual(t, NewRTPSender().SSRC(), NewRTPSender().SSRC(), "SSRCs are random")
}

func TestRTPSenderSequenceWraps(t *testing.T) {
	s := NewRTPSender()
	s.seq = 65535
	assert.Equal(t, uint16(65535), s.Audio(0, 160, 160).SequenceNumber)
	assert.Equal(t, uint16(0), s.Audio(0, 160, 160).SequenceNumber)
}

func TestReceiverStatsLossAndJitter(t *testing.T) {
	r := NewReceiverStats(8000)
	// 100 packets every 20 ms starting at seq 65500 (wrapping); every 10th lost.
	// Arrival of received packets alternates 0 / +5 ms late, so the transit difference of
	// consecutive packets is always 40 timestamp units and J converges to 40 (RFC 3550 A.8).
	got := 0
	for k := 0; k < 100; k++ {
		if k%10 == 5 {
			continue
		}
		arr := time.Duration(k)*20*time.Millisecond + time.Duration(got%2)*5*time.Millisecond
		got++
		r.Update(0xabc, uint16(65500+k), uint32(k*160), arr)
	}
	assert.Equal(t, uint64(100), r.Expected())
	assert.Equal(t, uint64(90), r.Received())
	assert.Equal(t, int64(10), r.Lost())
	assert.InDelta(t, 40, r.Jitter(), 1)
	assert.InDelta(t, 5*time.Millisecond, r.JitterDuration(), float64(200*time.Microsecond))

	rep := r.ReportBlock(time.Second)
	assert.Equal(t, uint32(0xabc), rep.SSRC)
	assert.Equal(t, uint8(10*256/100), rep.FractionLost)
	assert.Equal(t, uint32(10), rep.TotalLost)
	assert.Equal(t, uint32(1<<16|uint32(uint16(99-36))), rep.LastSequenceNumber, "one wrap in the cycle count")
	assert.InDelta(t, 40, rep.Jitter, 1)
	assert.Zero(t, rep.LastSenderReport)

	// Next interval: no loss.
	r.Update(0xabc, uint16(100-36), 100*160, 2*time.Second)
	r.NoteSenderReport(0x1122334455667788, 2*time.Second)
	rep = r.ReportBlock(2*time.Second + 500*time.Millisecond)
	assert.Zero(t, rep.FractionLost)
	assert.Equal(t, uint32(0x33445566), rep.LastSenderReport)
	assert.Equal(t, uint32(65536/2), rep.Delay)

	// New SSRC restarts everything.
	r.Update(0xdef, 7, 0, 3*time.Second)
	assert.Equal(t, uint64(1), r.Received())
	assert.Zero(t, r.Lost())
}

func TestBuildRTCPRoundTrip(t *testing.T) {
	blocks := []rtcp.ReceptionReport{{SSRC: 2, FractionLost: 12, TotalLost: 3, Jitter: 40}}
	b, err := BuildRTCP(1, "me@host", &SenderInfo{NTP: 5, RTPTime: 6, Packets: 7, Octets: 8}, blocks, true)
	require.NoError(t, err)
	pkts, err := rtcp.Unmarshal(b)
	require.NoError(t, err)
	require.Len(t, pkts, 3)
	sr, ok := pkts[0].(*rtcp.SenderReport)
	require.True(t, ok)
	assert.Equal(t, uint32(1), sr.SSRC)
	assert.Equal(t, uint32(7), sr.PacketCount)
	assert.Equal(t, blocks, sr.Reports)
	sdes, ok := pkts[1].(*rtcp.SourceDescription)
	require.True(t, ok)
	assert.Equal(t, "me@host", sdes.Chunks[0].Items[0].Text)
	_, ok = pkts[2].(*rtcp.Goodbye)
	assert.True(t, ok)
	assert.True(t, isRTCP(b))

	b, err = BuildRTCP(1, "me", nil, nil, false)
	require.NoError(t, err)
	pkts, err = rtcp.Unmarshal(b)
	require.NoError(t, err)
	_, ok = pkts[0].(*rtcp.ReceiverReport)
	assert.True(t, ok)

	rtpPkt := []byte{0x80, 0x00, 0, 1, 0, 0, 0, 0, 0, 0, 0, 1}
	assert.False(t, isRTCP(rtpPkt))
	rtpPkt[1] = 0x80 | 101 // marker + telephone-event is RTP too
	assert.False(t, isRTCP(rtpPkt))
}

func TestNTPTime(t *testing.T) {
	ts := time.Date(2020, 1, 1, 0, 0, 0, int(500*time.Millisecond), time.UTC)
	n := NTPTime(ts)
	assert.Equal(t, uint64(ts.Unix())+2208988800, n>>32)
	assert.Equal(t, uint64(1)<<31, n&0xffffffff, "half a second is 2^31 fractions")
}

package mediacore

import (
	"encoding/binary"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestDTMFCodes(t *testing.T) {
	for i, r := range "0123456789*#ABCD!" {
		c, err := DTMFCode(r)
		require.NoError(t, err)
		assert.Equal(t, uint8(i), c)
		d, ok := DTMFDigit(c)
		assert.True(t, ok)
		assert.Equal(t, r, d)
	}
	c, err := DTMFCode('b')
	require.NoError(t, err)
	assert.Equal(t, uint8(13), c, "lower case accepted")
	_, err = DTMFCode('x')
	assert.Error(t, err)
	_, ok := DTMFDigit(17)
	assert.False(t, ok)
}

// collect runs the sender for ticks frames starting at audio timestamp ts0 and returns the
// packets (with the tick they were sent on).
func collect(d *DTMFSender, ts0 uint32, ticks int) (pkts []DTMFPacket, when []int) {
	for i := 0; i < ticks; i++ {
		if p, ok := d.Next(ts0 + uint32(i*160)); ok {
			pkts = append(pkts, p)
			when = append(when, i)
		}
	}
	return pkts, when
}

func TestDTMFSenderPacketSequence(t *testing.T) {
	d := NewDTMFSender(160)
	require.NoError(t, d.Queue("5", 100*time.Millisecond)) // 800 samples = 5 frames
	assert.True(t, d.Busy())
	pkts, when := collect(d, 1000, 20)
	assert.False(t, d.Busy())
	// 5 packets up to the full duration (the 5th is the first end packet) + 2 repeats.
	require.Len(t, pkts, 7)
	assert.Equal(t, []int{0, 1, 2, 3, 4, 5, 6}, when)
	for i, p := range pkts {
		assert.Equal(t, uint32(1000), p.Timestamp, "same timestamp for the whole event")
		assert.Equal(t, i == 0, p.Marker, "marker only on the first packet")
		assert.Equal(t, uint8(5), p.Payload[0])
		dur := binary.BigEndian.Uint16(p.Payload[2:])
		if i < 4 {
			assert.False(t, p.End)
			assert.Equal(t, uint16((i+1)*160), dur, "duration grows one frame per packet")
		} else {
			assert.True(t, p.End, "packet %d", i)
			assert.Equal(t, uint8(0x80|10), p.Payload[1], "E bit and volume 10")
			assert.Equal(t, uint16(800), dur, "end packets repeat the final duration")
		}
	}
}

func TestDTMFSenderSeveralDigitsLeaveGaps(t *testing.T) {
	d := NewDTMFSender(160)
	require.NoError(t, d.Queue("12", 60*time.Millisecond)) // 480 samples: 3 frames
	pkts, when := collect(d, 0, 30)
	require.Len(t, pkts, 10)
	assert.Equal(t, uint8(1), pkts[0].Payload[0])
	assert.Equal(t, uint8(2), pkts[5].Payload[0])
	assert.True(t, pkts[5].Marker)
	assert.Equal(t, 8, when[5], "60 ms of audio between the digits")
	assert.Equal(t, uint32(8*160), pkts[5].Timestamp, "second event starts at its own time")
}

func TestDTMFSenderRejectsBadInput(t *testing.T) {
	d := NewDTMFSender(160)
	assert.Error(t, d.Queue("12x", 0))
	assert.False(t, d.Busy(), "nothing queued on error")
	assert.Error(t, d.Queue("", 0))
	assert.Error(t, d.Queue("1", 10*time.Millisecond))
	assert.Error(t, d.Queue("1", time.Minute))
	assert.NoError(t, d.Queue("1", 0), "0 = default duration")
}

func TestDTMFDetectorReportsEachEventOnce(t *testing.T) {
	d := NewDTMFSender(160)
	require.NoError(t, d.Queue("159", 100*time.Millisecond))
	pkts, _ := collect(d, 0, 60)
	var det DTMFDetector
	var got []rune
	for i, p := range pkts {
		if i == 0 {
			continue // the start packet of the first digit is lost
		}
		for rep := 0; rep < 2; rep++ { // and every packet arrives twice
			ev, isNew, err := det.Push(p.Timestamp, p.Payload[:])
			require.NoError(t, err)
			if isNew {
				got = append(got, ev.Digit)
			}
		}
	}
	assert.Equal(t, "159", string(got))

	// The same digit pressed twice is two events (different timestamps).
	det.Reset()
	var pl [4]byte
	MarshalDTMF(pl[:], 5, true, 10, 800)
	_, n1, _ := det.Push(100, pl[:])
	_, n2, _ := det.Push(2000, pl[:])
	assert.True(t, n1)
	assert.True(t, n2)

	_, _, err := det.Push(1, []byte{1, 2})
	assert.ErrorIs(t, err, ErrShortDTMF)
	_, _, err = det.Push(1, []byte{99, 0, 0, 1})
	assert.Error(t, err)
}

func TestUnmarshalDTMF(t *testing.T) {
	var pl [4]byte
	require.Equal(t, 4, MarshalDTMF(pl[:], 11, true, 7, 1600))
	ev, err := UnmarshalDTMF(pl[:], 99)
	require.NoError(t, err)
	assert.Equal(t, DTMFEvent{Digit: '#', Code: 11, Volume: 7, Duration: 200 * time.Millisecond, End: true, Timestamp: 99}, ev)
	assert.Zero(t, MarshalDTMF(pl[:2], 1, false, 0, 0))
}

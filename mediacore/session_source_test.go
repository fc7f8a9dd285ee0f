package mediacore

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// strayTo starts a session playing freq into target's port, as a stale
// stream sent to a reused port would: target never signalled it.
func strayTo(t *testing.T, target *party, freq float64) *party {
	t.Helper()
	stray := newParty(t, freq, nil, false)
	dummy := newParty(t, 0, nil, false)
	offer, err := stray.sess.LocalOffer(SendRecv)
	require.NoError(t, err)
	answer, err := dummy.sess.ApplyOffer(offer, SendRecv)
	require.NoError(t, err)
	answer = []byte(replacePort(string(answer), udpPort(dummy.sess.LocalAddr()), udpPort(target.sess.LocalAddr())))
	require.NoError(t, stray.sess.ApplyAnswer(answer))
	require.NoError(t, stray.sess.Start())
	return stray
}

// A second stream arriving while the call's stream plays is not played and
// does not take the destination: the callee keeps hearing the caller.
func TestSessionIgnoresAStrayStreamWhileTheCallPlays(t *testing.T) {
	a := newParty(t, 1000, nil, false)
	b := newParty(t, 440, nil, false)
	connect(t, a, b)
	f, _ := heardTone(t, b.rec, []float64{1000, 2000})
	require.Equal(t, 1000.0, f)

	strayTo(t, b, 2000)
	require.Eventually(t, func() bool { return b.sess.Stats().Foreign > 50 }, 5*time.Second, 10*time.Millisecond,
		"the stray stream reaches b")
	b.rec.Reset()
	f, share := heardTone(t, b.rec, []float64{1000, 2000})
	assert.Equal(t, 1000.0, f, "b must keep playing a's stream")
	assert.Greater(t, share, 0.95)
	assert.Equal(t, a.sess.LocalAddr().String(), b.sess.RemoteAddr().String(), "b must keep sending to a")
	assert.Zero(t, b.sess.Stats().JitterBuffer.Resyncs)
}

// A stray stream that came first gives way at once to the address the SDP
// names, and then gets no hearing.
func TestSessionSignalledSourceReplacesAStrayThatCameFirst(t *testing.T) {
	a := newParty(t, 1000, nil, false)
	b := newParty(t, 440, nil, false)
	offer, err := a.sess.LocalOffer(SendRecv)
	require.NoError(t, err)
	answer, err := b.sess.ApplyOffer(offer, SendRecv)
	require.NoError(t, err)
	require.NoError(t, a.sess.ApplyAnswer(answer))
	require.NoError(t, b.sess.Start())

	strayTo(t, b, 2000)
	f, _ := heardTone(t, b.rec, []float64{1000, 2000})
	require.Equal(t, 2000.0, f, "with nothing else arriving, the first stream plays")

	require.NoError(t, a.sess.Start())
	require.Eventually(t, func() bool { return b.sess.Stats().Foreign > 50 }, 5*time.Second, 10*time.Millisecond,
		"a's stream takes over and the stray one is left out")
	b.rec.Reset()
	f, share := heardTone(t, b.rec, []float64{1000, 2000})
	assert.Equal(t, 1000.0, f, "b must play the signalled stream")
	assert.Greater(t, share, 0.95)
	assert.Equal(t, a.sess.LocalAddr().String(), b.sess.RemoteAddr().String())
}

// When the accepted stream stops, another source takes over after a short
// quiet time (a media server switch, a transfer).
func TestSessionTakesANewSourceWhenTheOldOneStops(t *testing.T) {
	a := newParty(t, 1000, nil, false)
	b := newParty(t, 440, nil, false)
	connect(t, a, b)
	f, _ := heardTone(t, b.rec, []float64{1000, 2000})
	require.Equal(t, 1000.0, f)

	a.sess.Stop()
	c := strayTo(t, b, 2000)
	require.Eventually(t, func() bool { return b.sess.RemoteAddr().String() == c.sess.LocalAddr().String() },
		5*time.Second, 10*time.Millisecond, "b sends to the new source")
	waitPackets(t, c.sess, 10) // past the jitter buffer's start
	b.rec.Reset()
	f, share := heardTone(t, b.rec, []float64{1000, 2000})
	assert.Equal(t, 2000.0, f, "the new source plays once the old one is quiet")
	assert.Greater(t, share, 0.95)
}

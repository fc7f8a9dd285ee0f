//go:build js && wasm

package jsbridge

import (
	"context"
	"regexp"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

var iceUfragRe = regexp.MustCompile(`(?m)^a=ice-ufrag:(\S+)\r?$`)

func iceUfrag(t *testing.T, sdp []byte) string {
	t.Helper()
	m := iceUfragRe.FindSubmatch(sdp)
	require.NotNil(t, m, "no a=ice-ufrag in\n%s", sdp)
	return string(m[1])
}

// waitICE waits until the connection's iceConnectionState is one of states.
func waitICE(ctx context.Context, t *testing.T, m *PeerMedia, states ...string) {
	t.Helper()
	for {
		s := jsString(t, jsRun(t, `return a0.iceConnectionState`, m.PeerConnection()))
		for _, want := range states {
			if s == want {
				return
			}
		}
		select {
		case <-ctx.Done():
			t.Fatalf("ICE state %q, want one of %v", s, states)
		case <-time.After(50 * time.Millisecond):
		}
	}
}

// An ICE restart offer carries new ICE credentials and candidates, the peer
// answers with new ones, and the media path connects again; a path whose
// peer went away is reported as needing a restart.
func TestPeerMediaICERestart(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	a := newTestMedia(t, PeerMediaConfig{Microphone: MicRequired, Label: "ice-a"})
	b := newTestMedia(t, PeerMediaConfig{Microphone: MicRequired, Label: "ice-b"})

	offer, err := a.Offer(ctx, "")
	require.NoError(t, err)
	answer, err := b.Answer(ctx, offer, "")
	require.NoError(t, err)
	require.NoError(t, a.SetRemoteAnswer(ctx, answer))
	waitICE(ctx, t, a, "connected", "completed")
	assert.False(t, a.NeedsICERestart(), "a connected path needs no restart")

	// A plain re-offer keeps the ICE credentials.
	again, err := a.Offer(ctx, "")
	require.NoError(t, err)
	assert.Equal(t, iceUfrag(t, offer), iceUfrag(t, again))
	ans, err := b.Answer(ctx, again, "")
	require.NoError(t, err)
	require.NoError(t, a.SetRemoteAnswer(ctx, ans))

	restart, err := a.RestartOffer(ctx, "")
	require.NoError(t, err)
	assert.NotEqual(t, iceUfrag(t, offer), iceUfrag(t, restart), "an ICE restart has new credentials")
	assert.Contains(t, string(restart), "a=candidate:", "the new candidates were gathered before the offer went out")
	assert.Contains(t, string(restart), "a=sendrecv")
	restartAnswer, err := b.Answer(ctx, restart, "")
	require.NoError(t, err)
	assert.NotEqual(t, iceUfrag(t, answer), iceUfrag(t, restartAnswer), "the answerer restarts too")
	require.NoError(t, a.SetRemoteAnswer(ctx, restartAnswer))
	waitICE(ctx, t, a, "connected", "completed")
	waitICE(ctx, t, b, "connected", "completed")
	assert.False(t, a.NeedsICERestart())

	// The peer goes away: ICE consent fails and the path needs a restart.
	b.Close()
	waitICE(ctx, t, a, "disconnected", "failed")
	assert.True(t, a.NeedsICERestart())

	a.Close()
	assert.False(t, a.NeedsICERestart(), "closed media needs nothing")
	_, err = a.RestartOffer(ctx, "")
	assert.Error(t, err)
}

//go:build js && wasm

package jsbridge

import (
	"context"
	"testing"
	"time"

	"github.com/hack-pad/safejs"
	"github.com/stretchr/testify/require"
)

// awaitAudioState waits until the AudioContext ctx is in state (its
// statechange events), failing the test after the context's deadline.
func awaitAudioState(t *testing.T, ctx context.Context, actx safejs.Value, state string) {
	t.Helper()
	p := jsRun(t, `return new Promise(function (resolve) {
		function check() { if (a0.state === a1) { resolve(true); } }
		a0.addEventListener('statechange', check); check();
	})`, actx, state)
	_, err := await(ctx, p)
	require.NoError(t, err, "the AudioContext never became %s (it is %s)", state, getString(actx, "state"))
}

// Prepare makes the page's AudioContext ahead and suspends it: making the
// tones' buffers keeps it suspended (no audio thread while idle), and the
// first real use (a call's microphone graph, a tone) resumes it. The
// ringback rendered ahead (PageAlerts.Prepare) is the buffer SetTone plays.
func TestPageAudioPrepareSuspendsUntilUsed(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	a := &PageAudio{}
	a.Prepare()
	require.True(t, a.haveCtx, "Prepare made the context")
	actx := a.ctx
	defer func() { _, _ = actx.Call("close") }()
	awaitAudioState(t, ctx, actx, "suspended")

	alerts := &PageAlerts{Audio: a}
	alerts.Prepare()
	ringback, ok := alerts.buffers["ringback"]
	require.True(t, ok, "the ringback was rendered ahead")
	require.Equal(t, "suspended", getString(actx, "state"), "making buffers does not resume the context")
	require.False(t, a.inUse)

	got, err := alerts.generated("ringback", RingbackSpec)
	require.NoError(t, err)
	require.True(t, got.Equal(ringback), "SetTone plays the buffer rendered ahead")

	used, err := a.context()
	require.NoError(t, err)
	require.True(t, used.Equal(actx), "the prepared context is the one used")
	awaitAudioState(t, ctx, actx, "running")
}

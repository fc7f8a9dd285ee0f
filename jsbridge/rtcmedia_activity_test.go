//go:build js && wasm

package jsbridge

import (
	"context"
	"testing"
	"time"

	"github.com/hack-pad/safejs"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// The receiving side sees media arrive (mediatimeout's input) once the
// sender's tone flows, and never before.
func TestPeerMediaReportsMediaArriving(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	a := newTestMedia(t, PeerMediaConfig{Microphone: MicRequired, Label: "act-a"})
	b := newTestMedia(t, PeerMediaConfig{Microphone: MicRequired, Label: "act-b"})
	assert.True(t, b.LastReceived().IsZero())

	offer, err := a.Offer(ctx, "")
	require.NoError(t, err)
	answer, err := b.Answer(ctx, offer, "")
	require.NoError(t, err)
	require.NoError(t, a.SetRemoteAnswer(ctx, answer))
	for b.LastReceived().IsZero() {
		select {
		case <-ctx.Done():
			n, ok := b.packetsReceived()
			t.Fatalf("no media seen arriving: state %s, packets %d %v, stats %s", jsString(t, jsRun(t, `return a0.connectionState`, b.PeerConnection())), n, ok,
				statsTypes(b))
		case <-time.After(50 * time.Millisecond):
		}
	}
	assert.False(t, b.Failed())
	b.Close()
	assert.False(t, b.LastReceived().IsZero(), "a closed media keeps what it saw")
}

func statsTypes(m *PeerMedia) string {
	r, err := callAwait(context.Background(), m.pc, "getStats")
	if err != nil {
		return err.Error()
	}
	vals, _ := r.Call("values")
	arr, _ := safejs.Global().Get("Array")
	list, _ := arr.Call("from", vals)
	js, _ := safejs.Global().Get("JSON")
	out, _ := js.Call("stringify", list)
	str, _ := out.String()
	if len(str) > 3000 {
		str = str[:3000]
	}
	return str
}

// A hold offer the peer refused is withdrawn: the connection is stable
// again and the peer's own offer is answered normally.
func TestPeerMediaRollsBackARefusedOffer(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	a := newTestMedia(t, PeerMediaConfig{Microphone: MicRequired, Label: "rb-a"})
	b := newTestMedia(t, PeerMediaConfig{Microphone: MicRequired, Label: "rb-b"})
	offer, err := a.Offer(ctx, "")
	require.NoError(t, err)
	answer, err := b.Answer(ctx, offer, "")
	require.NoError(t, err)
	require.NoError(t, a.SetRemoteAnswer(ctx, answer))

	require.NoError(t, a.Rollback(ctx), "nothing pending: nothing to do")
	_, err = a.Offer(ctx, "sendonly") // the hold the peer refuses
	require.NoError(t, err)
	assert.Equal(t, "have-local-offer", jsString(t, jsRun(t, `return a0.signalingState`, a.PeerConnection())))
	require.NoError(t, a.Rollback(ctx))
	assert.Equal(t, "stable", jsString(t, jsRun(t, `return a0.signalingState`, a.PeerConnection())))

	reoffer, err := b.Offer(ctx, "")
	require.NoError(t, err)
	reanswer, err := a.Answer(ctx, reoffer, "")
	require.NoError(t, err)
	assert.Contains(t, string(reanswer), "a=sendrecv")
	require.NoError(t, b.SetRemoteAnswer(ctx, reanswer))
}

//go:build js && wasm

package jsbridge

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// stripVideo removes the m=video section (mid 1) from an SDP and from its
// BUNDLE group, as a server that strips video does.
func stripVideo(sdp string) string {
	sdp = strings.Replace(sdp, "a=group:BUNDLE 0 1", "a=group:BUNDLE 0", 1)
	i := strings.Index(sdp, "m=video")
	if i < 0 {
		return sdp
	}
	rest := sdp[i:]
	if j := strings.Index(rest, "\r\nm="); j >= 0 {
		return sdp[:i] + rest[j+2:]
	}
	return sdp[:i]
}

// A video offer goes through a server that strips video both ways: the
// callee answers audio only, without an m=video line; the caller still
// takes the answer (the video counts as refused) and the call goes on.
func TestPeerMediaVideoOfferToAServerThatStripsVideo(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	caller := newTestMedia(t, PeerMediaConfig{Microphone: MicWarn, Video: VideoConfig{Policy: VideoAuto}})
	callee := newTestMedia(t, PeerMediaConfig{Microphone: MicWarn, Video: VideoConfig{Policy: VideoAuto}})
	caller.SetVideo(true)
	offer, err := caller.Offer(ctx, "")
	require.NoError(t, err)
	require.Contains(t, string(offer), "m=video")

	answer, err := callee.Answer(ctx, []byte(stripVideo(string(offer))), "")
	require.NoError(t, err)
	require.NotContains(t, string(answer), "m=video")
	require.NoError(t, caller.SetRemoteAnswer(ctx, answer), "an answer without the video section is taken")
	assert.False(t, callee.VideoOn())

	remote := jsString(t, jsRun(t, `return a0.remoteDescription.sdp`, caller.PeerConnection()))
	assert.Contains(t, remote, "m=video 0 ", "the stripped video counts as refused")
}

// videocall's offer carries the camera on a second transceiver with the
// vcodec/prefvcodec order, and mutevideo takes the track off the sender
// without a new offer.
func TestPeerMediaVideoOfferCodecsAndMute(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	m := newTestMedia(t, PeerMediaConfig{Microphone: MicWarn,
		Video: VideoConfig{Policy: VideoAuto, Codecs: []string{"VP8", "VP9"}, Prefer: "VP9"}})
	assert.False(t, m.VideoOn())
	m.SetVideo(true)
	assert.True(t, m.VideoOn())
	offer, err := m.Offer(ctx, "")
	require.NoError(t, err)
	sdp := string(offer)
	i := strings.Index(sdp, "m=video")
	require.GreaterOrEqual(t, i, 0, sdp)
	video := sdp[i:]
	f := strings.Fields(strings.SplitN(video, "\r\n", 2)[0])
	require.Greater(t, len(f), 3)
	assert.Contains(t, video, "a=rtpmap:"+f[3]+" VP9/90000", "prefvcodec VP9 first: %s", f)
	assert.NotContains(t, video, "H264/90000", "vcodec leaves H264 out")
	assert.NotContains(t, video, "AV1/90000", "vcodec leaves AV1 out")

	sender := func() string {
		return jsString(t, jsRun(t, `const s = a0.getTransceivers().find(x => x.receiver.track.kind === 'video').sender;
			return s.track ? s.track.kind : 'none';`, m.PeerConnection()))
	}
	assert.Equal(t, "video", sender(), "the camera is on the sender")
	require.NoError(t, m.MuteVideo(2, true))
	waitJS(t, func() bool { return sender() == "none" })
	require.NoError(t, m.MuteVideo(2, false))
	waitJS(t, func() bool { return sender() == "video" })
	assert.Error(t, m.MuteVideo(7, true))
}

// waitJS polls cond while letting JavaScript run (Promises settle).
func waitJS(t *testing.T, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatal("timed out")
		}
		time.Sleep(20 * time.Millisecond)
	}
}

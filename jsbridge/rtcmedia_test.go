//go:build js && wasm

package jsbridge

import (
	"context"
	"github.com/opensoftphone/webphone/mediacore"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/hack-pad/safejs"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func audioMLine(sdp string) string {
	for _, l := range strings.Split(sdp, "\r\n") {
		if strings.HasPrefix(l, "m=audio") {
			return l
		}
	}
	return ""
}

// toneCapture is a synthetic microphone: a 440 Hz oscillator through a
// MediaStreamAudioDestinationNode, so the tests need no capture device.
func toneCapture(t *testing.T) func(context.Context) (safejs.Value, error) {
	return func(context.Context) (safejs.Value, error) {
		return jsRun(t, `const ctx = new AudioContext(); const osc = ctx.createOscillator();
			const dst = ctx.createMediaStreamDestination(); osc.connect(dst); osc.start();
			return dst.stream;`), nil
	}
}

func newTestMedia(t *testing.T, cfg PeerMediaConfig) *PeerMedia {
	t.Helper()
	if cfg.Capture == nil && cfg.Microphone != MicDisabled {
		cfg.Capture = toneCapture(t)
	}
	m, err := NewPeerMedia(cfg)
	require.NoError(t, err)
	t.Cleanup(m.Close)
	return m
}

func TestPeerMediaOfferFiltersCodecs(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	var warnings []string
	m := newTestMedia(t, PeerMediaConfig{
		Codecs:     mediacore.CodecPolicy{Allow: []string{"PCMU", "PCMA"}, Prefer: "PCMA"},
		Microphone: MicWarn,
		Warn:       func(s string) { warnings = append(warnings, s) },
	})
	offer, err := m.Offer(ctx, "")
	require.NoError(t, err)
	sdp := string(offer)
	mline := audioMLine(sdp)
	require.NotEmpty(t, mline, sdp)
	f := strings.Fields(mline)
	assert.Equal(t, []string{"8", "0"}, f[3:5], "PCMA first, then PCMU: %s", mline)
	assert.NotContains(t, sdp, "opus")
	assert.Contains(t, sdp, "telephone-event/8000")
	assert.Contains(t, sdp, "a=sendrecv", "the capture track was attached")
	assert.Contains(t, sdp, "a=candidate:", "candidates are in the SDP")
	assert.Contains(t, sdp, "a=fingerprint:")
	assert.Empty(t, warnings)

	// The RTCPeerConnection holds the same (filtered) local offer.
	local := jsString(t, jsRun(t, `return a0.localDescription.sdp`, m.PeerConnection()))
	assert.Equal(t, sdp, local)
}

func TestPeerMediaOfferWithoutAllowedCodecFails(t *testing.T) {
	m := newTestMedia(t, PeerMediaConfig{Codecs: mediacore.CodecPolicy{Allow: []string{"G729"}}, Microphone: MicDisabled})
	_, err := m.Offer(context.Background(), "")
	assert.ErrorContains(t, err, "no allowed audio codec")
}

func TestPeerMediaWithoutMicrophoneOnlyReceives(t *testing.T) {
	m := newTestMedia(t, PeerMediaConfig{Microphone: MicDisabled})
	offer, err := m.Offer(context.Background(), "")
	require.NoError(t, err)
	assert.Contains(t, string(offer), "a=recvonly")
	assert.ErrorContains(t, m.SendDTMF("1"), "cannot send")
}

func TestPeerMediaCallHoldMuteDTMF(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	a := newTestMedia(t, PeerMediaConfig{Microphone: MicRequired, Label: "test-a"})
	b := newTestMedia(t, PeerMediaConfig{Microphone: MicRequired, Label: "test-b"})

	offer, err := a.Offer(ctx, "")
	require.NoError(t, err)
	answer, err := b.Answer(ctx, offer, "")
	require.NoError(t, err)
	assert.Contains(t, string(answer), "a=sendrecv")
	// SIP peers (baresip, rtpengine) answer without a=group:BUNDLE; that
	// must be accepted for the single audio section.
	unbundled := regexp.MustCompile(`a=group:BUNDLE[^\r\n]*\r\n`).ReplaceAllString(string(answer), "")
	require.NotEqual(t, string(answer), unbundled)
	require.NoError(t, a.SetRemoteAnswer(ctx, []byte(unbundled)))

	waitConnected := func(m *PeerMedia) {
		for {
			if jsString(t, jsRun(t, `return a0.connectionState`, m.PeerConnection())) == "connected" {
				return
			}
			select {
			case <-ctx.Done():
				t.Fatal("peer connection never connected")
			case <-time.After(50 * time.Millisecond):
			}
		}
	}
	waitConnected(a)
	waitConnected(b)

	// Remote audio plays through an autoplaying <audio> element.
	assert.Equal(t, "true", jsString(t, jsRun(t,
		`const el = document.querySelector('audio[data-webphone-line="test-b"]');
		 return String(!!el && el.autoplay && el.srcObject instanceof MediaStream)`)))

	// Hold is a direction in the SDP, answered with the mirror direction.
	holdOffer, err := a.Offer(ctx, "sendonly")
	require.NoError(t, err)
	assert.Contains(t, string(holdOffer), "a=sendonly")
	holdAnswer, err := b.Answer(ctx, holdOffer, "")
	require.NoError(t, err)
	assert.Contains(t, string(holdAnswer), "a=recvonly")
	require.NoError(t, a.SetRemoteAnswer(ctx, holdAnswer))
	unhold, err := a.Offer(ctx, "")
	require.NoError(t, err)
	assert.Contains(t, string(unhold), "a=sendrecv")
	ans, err := b.Answer(ctx, unhold, "")
	require.NoError(t, err)
	require.NoError(t, a.SetRemoteAnswer(ctx, ans))

	// Mute the microphone: the track is disabled, no renegotiation.
	require.NoError(t, a.Mute(2, true))
	assert.Equal(t, "false", jsString(t, jsRun(t,
		`return String(a0.getSenders()[0].track.enabled)`, a.PeerConnection())))
	assert.Equal(t, "stable", jsString(t, jsRun(t, `return a0.signalingState`, a.PeerConnection())))
	mic, speaker := a.Muted()
	assert.True(t, mic)
	assert.False(t, speaker)
	require.NoError(t, b.Mute(1, true))
	assert.Equal(t, "true", jsString(t, jsRun(t,
		`return String(document.querySelector('audio[data-webphone-line="test-b"]').muted)`)))
	assert.Error(t, a.Mute(3, true))
	require.NoError(t, a.Mute(0, false))

	// RFC 4733 DTMF goes to the RTCDTMFSender, queued after earlier digits.
	require.NoError(t, a.SendDTMF("12"))
	require.NoError(t, a.SendDTMF("# a"))
	assert.Equal(t, "12#,A", jsString(t, jsRun(t,
		`return a0.getSenders()[0].dtmf.toneBuffer`, a.PeerConnection())))
	assert.Error(t, a.SendDTMF("x"))
	assert.Error(t, a.SendDTMF(""))

	// Close removes the audio element and closes the connection.
	b.Close()
	b.Close()
	assert.Equal(t, "null", jsString(t, jsRun(t,
		`return String(document.querySelector('audio[data-webphone-line="test-b"]'))`)))
	assert.Equal(t, "closed", jsString(t, jsRun(t, `return a0.signalingState`, b.PeerConnection())))
	_, err = b.Offer(ctx, "")
	assert.Error(t, err)
}

// TestPeerMediaGetUserMedia opens the real microphone path. With a capture
// device (build.sh test starts Chromium with a fake one) the offer sends;
// without any, MicWarn goes on with a warning, and
// MicRequired fails.
func TestPeerMediaGetUserMedia(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	var warnings []string
	m, err := NewPeerMedia(PeerMediaConfig{Microphone: MicWarn, Warn: func(s string) { warnings = append(warnings, s) }})
	require.NoError(t, err)
	defer m.Close()
	offer, err := m.Offer(ctx, "")
	require.NoError(t, err)
	select { // the offer does not wait for the microphone (useaudiorecord 1)
	case <-m.microphoneSettled():
	case <-ctx.Done():
		t.Fatal("the microphone never settled")
	}

	devices, err := await(ctx, jsRun(t, `return navigator.mediaDevices.enumerateDevices()
		.then(ds => String(ds.filter(d => d.kind === "audioinput").length))`))
	require.NoError(t, err)
	if jsString(t, devices) != "0" {
		assert.Contains(t, string(offer), "a=sendrecv")
		assert.Empty(t, warnings)
		assert.Equal(t, "live", jsString(t, jsRun(t, `return a0.getSenders()[0].track.readyState`, m.PeerConnection())))
		m.Close()
		assert.Equal(t, "ended", jsString(t, jsRun(t, `return a0.getSenders()[0].track ? a0.getSenders()[0].track.readyState : "ended"`, m.PeerConnection())),
			"Close stops the microphone")
		return
	}
	require.Len(t, warnings, 1)
	assert.Contains(t, warnings[0], "cannot access microphone")
	strict, err := NewPeerMedia(PeerMediaConfig{Microphone: MicRequired})
	require.NoError(t, err)
	defer strict.Close()
	_, err = strict.Offer(ctx, "")
	assert.ErrorContains(t, err, "microphone required")
}

//go:build js && wasm

package jsbridge

import (
	"context"
	"errors"
	"regexp"
	"testing"
	"time"

	"github.com/hack-pad/safejs"
	"github.com/opensoftphone/webphone/engine"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// The offer is made while the microphone opens: the capture sees the local
// offer applied (gathering under way) before it returns, and the offer
// then carries the microphone (sendrecv, live track).
func TestPeerMediaOffersWhileMicrophoneOpens(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	var m *PeerMedia
	offerFirst := false
	tone := toneCapture(t)
	m = newTestMedia(t, PeerMediaConfig{Microphone: MicRequired, Capture: func(ctx context.Context) (safejs.Value, error) {
		p := jsRun(t, `return new Promise(function (resolve) {
			function check() { if (a0.signalingState === 'have-local-offer') resolve(true); }
			a0.addEventListener('signalingstatechange', check); check();
		})`, m.PeerConnection())
		_, err := await(ctx, p)
		offerFirst = err == nil
		return tone(ctx)
	}})
	offer, err := m.Offer(ctx, "")
	require.NoError(t, err)
	assert.True(t, offerFirst, "the local offer was applied before the microphone opened")
	assert.Contains(t, string(offer), "a=sendrecv")
	assert.Contains(t, string(offer), "a=candidate:")
	assert.Equal(t, "live", jsString(t, jsRun(t, `return a0.getSenders()[0].track.readyState`, m.PeerConnection())))
	assert.Equal(t, string(offer), jsString(t, jsRun(t, `return a0.localDescription.sdp`, m.PeerConnection())))
}

// When the microphone fails while the offer is made, the offer is made
// again before it is handed out: recvonly with a warning (useaudiorecord
// 1), an error when the microphone is required (2).
func TestPeerMediaMicrophoneFailsDuringOffer(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	refuse := func(context.Context) (safejs.Value, error) {
		return safejs.Undefined(), errors.New("NotAllowedError: denied")
	}
	var warnings []string
	m := newTestMedia(t, PeerMediaConfig{Microphone: MicWarn, Capture: refuse,
		Warn: func(s string) { warnings = append(warnings, s) }})
	offer, err := m.Offer(ctx, "")
	require.NoError(t, err)
	assert.Contains(t, string(offer), "a=recvonly")
	assert.NotContains(t, string(offer), "a=sendrecv")
	assert.Equal(t, string(offer), jsString(t, jsRun(t, `return a0.localDescription.sdp`, m.PeerConnection())))
	require.Len(t, warnings, 1)
	assert.Contains(t, warnings[0], "cannot access microphone")

	strict := newTestMedia(t, PeerMediaConfig{Microphone: MicRequired, Capture: refuse})
	_, err = strict.Offer(ctx, "")
	assert.ErrorContains(t, err, "microphone required")
}

// Prewarm makes a connection with a candidate pool that the next call
// takes (its offer carries candidates); the call makes the next spare when
// it ends; a change of ICE servers replaces the spare and a call with other
// servers does not take it.
func TestMediaRegistryPrewarm(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	r := &MediaRegistry{}
	p := engine.NewParams(nil)
	require.NoError(t, p.Set("useaudiorecord", "-1"))
	r.Prewarm(p)
	spare := r.spare
	require.NotNil(t, spare)
	assert.Equal(t, "1", jsString(t, jsRun(t, `return String(a0.getConfiguration().iceCandidatePoolSize)`, spare.PeerConnection())))
	r.Prewarm(p)
	assert.Same(t, spare, r.spare, "same servers: the spare stays")

	media, err := r.Factory(1, p)
	require.NoError(t, err)
	assert.Same(t, spare, media.(*lineMedia).PeerMedia, "the call took the spare")
	assert.Nil(t, r.spare, "the next spare is made when the call ends")
	offer, err := media.Offer(ctx, "")
	require.NoError(t, err)
	assert.Contains(t, string(offer), "a=candidate:")
	assert.Contains(t, string(offer), "a=recvonly", "the call's own configuration (no microphone) applies")
	media.Close()
	require.NotNil(t, r.spare, "the ended call made the next spare")
	assert.NotSame(t, spare, r.spare)

	next := r.spare
	require.NoError(t, p.Set("stunserveraddress", "127.0.0.1:3478"))
	other, err := r.Factory(2, p)
	require.NoError(t, err)
	defer other.Close()
	assert.NotSame(t, next, other.(*lineMedia).PeerMedia, "other servers: a new connection")
	assert.Same(t, next, r.spare)
	r.Prewarm(p)
	assert.NotSame(t, next, r.spare, "other servers: a new spare")
	assert.Equal(t, "closed", jsString(t, jsRun(t, `return a0.signalingState`, next.PeerConnection())), "the old spare is closed")
}

// Unless the microphone is required, the offer goes out without waiting
// for it (sendrecv): its track goes on the sender when it opens.
func TestPeerMediaOfferDoesNotWaitForMicrophone(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	release := make(chan struct{})
	opened := make(chan struct{})
	tone := toneCapture(t)
	m := newTestMedia(t, PeerMediaConfig{Microphone: MicWarn, Capture: func(ctx context.Context) (safejs.Value, error) {
		defer close(opened)
		select {
		case <-release:
		case <-ctx.Done():
			return safejs.Undefined(), ctx.Err()
		}
		return tone(ctx)
	}})
	offer, err := m.Offer(ctx, "")
	require.NoError(t, err)
	assert.Contains(t, string(offer), "a=sendrecv")
	assert.Equal(t, "none", jsString(t, jsRun(t, `return a0.getSenders()[0].track ? 'track' : 'none'`, m.PeerConnection())),
		"the microphone is still opening")
	close(release)
	<-opened
	select {
	case <-m.microphoneSettled():
	case <-ctx.Done():
		t.Fatal("the microphone never settled")
	}
	assert.True(t, m.hasMicrophone())
	assert.Equal(t, "live", jsString(t, jsRun(t, `return a0.getSenders()[0].track.readyState`, m.PeerConnection())))

	// The peer saw a stream in the first offer and sees the same one in
	// the next (a changed msid made a browser peer go silent).
	again, err := m.Offer(ctx, "")
	require.NoError(t, err)
	first, second := msidStream.FindStringSubmatch(string(offer)), msidStream.FindStringSubmatch(string(again))
	require.NotNil(t, first, "the first offer names a stream:\n%s", offer)
	require.NotNil(t, second)
	assert.NotEqual(t, "-", first[1])
	assert.Equal(t, first[1], second[1])
}

var msidStream = regexp.MustCompile(`(?m)^a=msid:(\S+) `)

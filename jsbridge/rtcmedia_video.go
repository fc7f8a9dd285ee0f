//go:build js && wasm

package jsbridge

import (
	"context"
	"fmt"
	"sync"
	"time"

	"github.com/hack-pad/safejs"
	"github.com/opensoftphone/webphone/engine"
)

// PeerMedia carries video: a second transceiver with the camera or the
// screen, shown in <video> elements.
var _ engine.VideoMedia = (*PeerMedia)(nil)

// videoState is the video side of a PeerMedia, with its own lock (never
// held while awaiting a Promise, nor together with PeerMedia.mu).
type videoState struct {
	mu     sync.Mutex
	wanted bool // our offers carry video

	tx     safejs.Value // the video transceiver
	haveTx bool

	camTried bool
	cam      safejs.Value // camera MediaStream
	camTrack safejs.Value
	haveCam  bool

	screen      safejs.Value // getDisplayMedia MediaStream
	screenTrack safejs.Value
	haveScreen  bool
	onEnded     safejs.Func // the screen track's "ended" (the browser's stop button)
	haveOnEnded bool

	muteLocal, muteRemote bool

	remoteEl, localEl         safejs.Value
	haveRemoteEl, haveLocalEl bool
}

// SetVideo chooses whether the following offers carry video.
func (m *PeerMedia) SetVideo(on bool) {
	m.video.mu.Lock()
	m.video.wanted = on
	m.video.mu.Unlock()
}

// VideoOn reports whether the call offers or carries video: we asked for
// it, or a video transceiver is live (the peer offered video).
func (m *PeerMedia) VideoOn() bool {
	v := &m.video
	v.mu.Lock()
	defer v.mu.Unlock()
	return v.wanted || (v.haveTx && !transceiverStopped(v.tx))
}

// transceiverStopped reports whether a transceiver was stopped (its m-line
// is or will be port 0).
func transceiverStopped(tx safejs.Value) bool {
	if getBool(tx, "stopped") {
		return true
	}
	return getString(tx, "direction") == "stopped" || getString(tx, "currentDirection") == "stopped"
}

// findVideoTransceiver returns the live video transceiver: the one we
// use, else one the peer's offer created.
func (m *PeerMedia) findVideoTransceiver() (safejs.Value, bool) {
	v := &m.video
	v.mu.Lock()
	tx, have := v.tx, v.haveTx
	v.mu.Unlock()
	if have && !transceiverStopped(tx) {
		return tx, true
	}
	list, err := m.pc.Call("getTransceivers")
	if err != nil {
		return safejs.Undefined(), false
	}
	n, _ := list.Length()
	for i := 0; i < n; i++ {
		t, err := list.Index(i)
		if err != nil || transceiverStopped(t) {
			continue
		}
		recv, _ := t.Get("receiver")
		track, _ := recv.Get("track")
		if getString(track, "kind") == "video" {
			return t, true
		}
	}
	return safejs.Undefined(), false
}

// MuteVideo stops (on) or resumes video without renegotiation: direction
// 2 (or 0) takes the track off the sender, so no frame is sent at all;
// direction 1 (or 0) hides the remote video.
func (m *PeerMedia) MuteVideo(direction int, on bool) error {
	if direction < 0 || direction > 2 {
		return fmt.Errorf("jsbridge: bad video mute direction %d (0 both, 1 remote, 2 local)", direction)
	}
	v := &m.video
	v.mu.Lock()
	if direction == 0 || direction == 1 {
		v.muteRemote = on
		if v.haveRemoteEl {
			_ = v.remoteEl.Set("hidden", on)
		}
	}
	local := direction == 0 || direction == 2
	if local {
		v.muteLocal = on
	}
	tx, haveTx := v.tx, v.haveTx
	var track safejs.Value
	haveTrack := false
	switch {
	case v.haveScreen:
		track, haveTrack = v.screenTrack, true
	case v.haveCam:
		track, haveTrack = v.camTrack, true
	}
	v.mu.Unlock()
	if !local || !haveTx || transceiverStopped(tx) {
		return nil
	}
	sender, err := tx.Get("sender")
	if err != nil {
		return err
	}
	var send any = nil
	if !on && haveTrack {
		send = track
	}
	p, err := sender.Call("replaceTrack", send)
	if err != nil {
		return fmt.Errorf("jsbridge: video replaceTrack: %w", err)
	}
	go func() {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		if _, err := await(ctx, p); err != nil {
			m.warn("mutevideo: %v", err)
		}
	}()
	return nil
}

// prepareVideo readies the video transceiver before createOffer (answering
// false) or createAnswer (answering true, after setRemoteDescription):
//   - an offer carries video when SetVideo(true) or video=2, else a video
//     transceiver is stopped (the offer turns its m-line to port 0);
//   - an answer takes the peer's video unless video=0 (then port 0);
//   - the camera (or the shared screen) is attached when it can be opened,
//     else the video is receive-only; hold applies as for audio.
func (m *PeerMedia) prepareVideo(ctx context.Context, hold string, answering bool) error {
	v := &m.video
	policy := m.cfg.Video.Policy
	tx, ok := m.findVideoTransceiver()
	if answering {
		if !ok {
			// No video (any more): the peer took it away, and our next
			// offers (hold, refresh) do not bring it back.
			v.mu.Lock()
			v.wanted = false
			v.mu.Unlock()
			m.releaseVideo()
			return nil
		}
		if policy == VideoOff {
			_, _ = tx.Call("stop")
			m.releaseVideo()
			return nil
		}
	} else {
		v.mu.Lock()
		wanted := (v.wanted || policy == VideoForced) && policy != VideoOff
		v.mu.Unlock()
		if !wanted {
			if ok {
				_, _ = tx.Call("stop")
			}
			m.releaseVideo()
			return nil
		}
		if !ok {
			t, err := m.pc.Call("addTransceiver", "video", map[string]any{"direction": "sendrecv"})
			if err != nil {
				return fmt.Errorf("jsbridge: addTransceiver(video): %w", err)
			}
			tx = t
		}
	}
	v.mu.Lock()
	v.tx, v.haveTx = tx, true
	v.mu.Unlock()
	track, have := m.videoSource(ctx)
	m.sendVideo(ctx, tx, track, have)
	m.applyVideoCodecs(tx)
	dir, err := transceiverDirection(hold, have)
	if err != nil {
		return err
	}
	if err := tx.Set("direction", dir); err != nil {
		return fmt.Errorf("jsbridge: video direction %s: %w", dir, err)
	}
	return nil
}

// closeVideo stops the camera and the screen capture and removes the
// <video> elements (Close).
func (m *PeerMedia) closeVideo() { m.releaseVideo() }

// releaseVideo stops the camera and the screen capture and removes the
// <video> elements, when the call ends or its video does; a later video
// offer or answer opens the camera again.
func (m *PeerMedia) releaseVideo() {
	v := &m.video
	v.mu.Lock()
	v.camTried, v.haveTx = false, false
	cam, haveCam := v.cam, v.haveCam
	screen, haveScreen := v.screen, v.haveScreen
	fn, haveFn := v.onEnded, v.haveOnEnded
	els := []safejs.Value{}
	if v.haveRemoteEl {
		els = append(els, v.remoteEl)
	}
	if v.haveLocalEl {
		els = append(els, v.localEl)
	}
	v.haveCam, v.haveScreen, v.haveOnEnded, v.haveRemoteEl, v.haveLocalEl = false, false, false, false, false
	v.mu.Unlock()
	if haveCam {
		stopTracks(cam)
	}
	if haveScreen {
		stopTracks(screen)
	}
	if haveFn {
		fn.Release()
	}
	for _, el := range els {
		_ = el.Set("srcObject", nil)
		_, _ = el.Call("remove")
	}
}

// completeRemoteAnswer puts back, as rejected, the media sections of our
// offer that the peer's answer left out (completeAnswer).
func (m *PeerMedia) completeRemoteAnswer(answer string) string {
	local, err := m.pc.Get("localDescription")
	if err != nil || isNullish(local) {
		return answer
	}
	fixed := completeAnswer(getString(local, "sdp"), answer)
	if fixed != answer {
		m.warn("the answer lacks media sections of the offer (a server stripped video?); taking them as refused")
	}
	return fixed
}

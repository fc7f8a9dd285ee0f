//go:build js && wasm

package jsbridge

// This file holds screen sharing: the screen replaces the camera on the video
// sender, without renegotiation where the call already sends video.

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/hack-pad/safejs"
)

// ShareScreen sends the screen (getDisplayMedia) in place of the camera,
// or (off) stops sharing and sends the camera again, if there is one. The
// browser's own "stop sharing" button is the same as off. reoffer is true
// when the call has no video being sent yet: the caller renegotiates (the
// next offer carries the screen).
func (m *PeerMedia) ShareScreen(ctx context.Context, on bool) (reoffer bool, err error) {
	if err := m.checkOpen(); err != nil {
		return false, err
	}
	if !on {
		m.stopScreen()
		return false, nil
	}
	v := &m.video
	v.mu.Lock()
	sharing := v.haveScreen
	v.mu.Unlock()
	if !sharing {
		devices, err := mediaDevices()
		if err != nil {
			return false, err
		}
		p, err := devices.Call("getDisplayMedia", map[string]any{"video": true, "audio": false})
		if err != nil {
			return false, fmt.Errorf("jsbridge: getDisplayMedia: %w", err)
		}
		stream, err := await(ctx, p)
		if err != nil {
			if ctx.Err() != nil {
				stopLateStream(p) // the user picked a screen after we gave up
			}
			return false, fmt.Errorf("jsbridge: getDisplayMedia: %w", err)
		}
		track, ok := firstTrack(stream, "getVideoTracks")
		if !ok {
			stopTracks(stream)
			return false, errors.New("jsbridge: the screen capture has no video track")
		}
		ended, err := safejs.FuncOf(func(safejs.Value, []safejs.Value) any {
			go m.screenEnded(track)
			return nil
		})
		if err == nil {
			_, _ = track.Call("addEventListener", "ended", ended)
		}
		v.mu.Lock()
		v.screen, v.screenTrack, v.haveScreen = stream, track, true
		v.onEnded, v.haveOnEnded = ended, err == nil
		v.mu.Unlock()
		if m.checkOpen() != nil {
			m.stopScreen()
			return false, errors.New("jsbridge: media closed")
		}
	}
	v.mu.Lock()
	tx, haveTx, track := v.tx, v.haveTx, v.screenTrack
	v.mu.Unlock()
	if haveTx && !transceiverStopped(tx) && sends(getString(tx, "currentDirection")) {
		m.sendVideo(ctx, tx, track, true)
		return false, nil
	}
	return true, nil
}

// sends reports whether a transceiver direction sends.
func sends(dir string) bool { return dir == "sendrecv" || dir == "sendonly" }

// screenEnded handles the end of the screen track (the browser's "stop
// sharing" button, or the captured window closed).
func (m *PeerMedia) screenEnded(track safejs.Value) {
	v := &m.video
	v.mu.Lock()
	current := v.haveScreen && v.screenTrack.Equal(track)
	v.mu.Unlock()
	if current {
		m.warn("screen sharing ended")
		m.stopScreen()
	}
}

// stopScreen stops the screen capture and sends the camera (or nothing).
func (m *PeerMedia) stopScreen() {
	v := &m.video
	v.mu.Lock()
	if !v.haveScreen {
		v.mu.Unlock()
		return
	}
	stream, track := v.screen, v.screenTrack
	fn, haveFn := v.onEnded, v.haveOnEnded
	v.haveScreen, v.haveOnEnded = false, false
	tx, haveTx := v.tx, v.haveTx
	cam, haveCam := v.camTrack, v.haveCam
	v.mu.Unlock()
	if haveFn {
		_, _ = track.Call("removeEventListener", "ended", fn)
		fn.Release()
	}
	stopTracks(stream)
	if haveTx && !transceiverStopped(tx) {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		m.sendVideo(ctx, tx, cam, haveCam)
	}
}

// stopLateStream stops the tracks of a capture Promise that resolves after
// nobody waits for it any more, so no capture runs unseen (a rejection
// just releases the callback).
func stopLateStream(p safejs.Value) {
	var fn safejs.Func
	fn, err := safejs.FuncOf(func(_ safejs.Value, args []safejs.Value) any {
		if len(args) > 0 && !isNullish(args[0]) {
			stopTracks(args[0])
		}
		fn.Release()
		return nil
	})
	if err != nil {
		return
	}
	_, _ = p.Call("then", fn, fn)
}

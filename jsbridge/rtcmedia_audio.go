//go:build js && wasm

package jsbridge

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/hack-pad/safejs"
)

// onTrack plays remote audio through an autoplaying <audio> element
// (video goes to onVideoTrack).
func (m *PeerMedia) onTrack(ev safejs.Value) {
	if m.onVideoTrack(ev) {
		return
	}
	stream := safejs.Undefined()
	if streams, err := ev.Get("streams"); err == nil {
		if n, _ := streams.Length(); n > 0 {
			stream, _ = streams.Index(0)
		}
	}
	if isNullish(stream) {
		track, err := ev.Get("track")
		if err != nil {
			return
		}
		msCtor, err := global("MediaStream")
		if err != nil {
			return
		}
		if stream, err = msCtor.New([]any{track}); err != nil {
			return
		}
	}
	el, err := m.audioElement()
	if err != nil {
		m.warn("cannot play remote audio: %v", err)
		return
	}
	_ = el.Set("srcObject", stream)
	if p, err := el.Call("play"); err == nil {
		go func() {
			if _, err := await(context.Background(), p); err != nil {
				m.warn("remote audio does not play (autoplay policy? a user gesture may be needed): %v", err)
			}
		}()
	}
}

// audioElement creates (once) the hidden autoplaying <audio> element.
func (m *PeerMedia) audioElement() (safejs.Value, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.haveAudioEl {
		return m.audioEl, nil
	}
	if m.closed {
		return safejs.Undefined(), errors.New("media closed")
	}
	doc, err := global("document")
	if err != nil {
		return safejs.Undefined(), err
	}
	el, err := doc.Call("createElement", "audio")
	if err != nil {
		return safejs.Undefined(), err
	}
	_ = el.Set("autoplay", true)
	_ = el.Set("muted", m.muteSpeaker)
	_, _ = el.Call("setAttribute", "data-webphone-line", m.cfg.Label)
	_, _ = el.Call("setAttribute", "style", "display:none")
	parent := safejs.Undefined()
	if m.cfg.AudioParent != "" {
		parent, _ = doc.Call("getElementById", m.cfg.AudioParent)
	}
	if isNullish(parent) {
		parent, _ = doc.Get("body")
	}
	if !isNullish(parent) {
		if _, err := parent.Call("appendChild", el); err != nil {
			return safejs.Undefined(), err
		}
	}
	m.audioEl, m.haveAudioEl = el, true
	if m.cfg.OnAudioElement != nil {
		m.cfg.OnAudioElement(el)
	}
	return el, nil
}

// ensureTransceiver finds or adds the audio transceiver.
func (m *PeerMedia) ensureTransceiver() error {
	m.mu.Lock()
	have := m.haveTx
	m.mu.Unlock()
	if have {
		return nil
	}
	if list, err := m.pc.Call("getTransceivers"); err == nil {
		n, _ := list.Length()
		for i := 0; i < n; i++ {
			t, err := list.Index(i)
			if err != nil {
				continue
			}
			recv, _ := t.Get("receiver")
			track, _ := recv.Get("track")
			if getString(track, "kind") == "audio" {
				m.mu.Lock()
				m.transceiver, m.haveTx = t, true
				m.mu.Unlock()
				return nil
			}
		}
	}
	t, err := m.pc.Call("addTransceiver", "audio", map[string]any{"direction": "sendrecv"})
	if err != nil {
		return fmt.Errorf("jsbridge: addTransceiver(audio): %w", err)
	}
	m.mu.Lock()
	m.transceiver, m.haveTx = t, true
	m.mu.Unlock()
	return nil
}

// attachMicrophone opens the microphone once (per the policy) and puts its
// track on the audio sender. Failures are warnings unless MicRequired, in
// which case the following setDirection/Offer still go on but the caller
// sees the error from checkMic.
func (m *PeerMedia) attachMicrophone(ctx context.Context) {
	m.mu.Lock()
	tried := m.micTried
	m.micTried = true
	m.mu.Unlock()
	if tried || m.cfg.Microphone == MicDisabled {
		return
	}
	stream, err := m.openMicrophone(ctx)
	if err != nil {
		if m.cfg.Microphone != MicOptional {
			m.warn("cannot access microphone: %v", err)
		}
		return
	}
	tracks, err := stream.Call("getAudioTracks")
	if err != nil {
		return
	}
	track, err := tracks.Index(0)
	if err != nil || isNullish(track) {
		return
	}
	m.mu.Lock()
	m.mic, m.micTrack, m.haveMic = stream, track, true
	_ = track.Set("enabled", !m.muteMic)
	tx := m.transceiver
	closed := m.closed
	m.mu.Unlock()
	if closed {
		_, _ = track.Call("stop")
		return
	}
	sender, err := tx.Get("sender")
	if err == nil {
		// The sender keeps the stream association ensureSenderStream gave
		// it: the msid the peer saw in the first offer stays the same.
		if p, err := sender.Call("replaceTrack", track); err == nil {
			_, _ = await(ctx, p)
		}
	}
}

// ensureSenderStream associates the audio sender with a stream of its own
// (once), before the first local description: the remote side sees a
// stream (a=msid) from the first offer or answer on, and the same one when
// the microphone's track arrives later (replaceTrack keeps it).
func (m *PeerMedia) ensureSenderStream() {
	m.mu.Lock()
	done, tx := m.senderStream, m.transceiver
	m.senderStream = true
	m.mu.Unlock()
	if done {
		return
	}
	sender, err := tx.Get("sender")
	if err != nil {
		return
	}
	if fn, err := sender.Get("setStreams"); err != nil || fn.Type() != safejs.TypeFunction {
		return
	}
	msCtor, err := global("MediaStream")
	if err != nil {
		return
	}
	if stream, err := msCtor.New(); err == nil {
		_, _ = sender.Call("setStreams", stream)
	}
}

func (m *PeerMedia) openMicrophone(ctx context.Context) (safejs.Value, error) {
	if m.cfg.Capture != nil {
		return m.cfg.Capture(ctx)
	}
	nav, err := global("navigator")
	if err != nil {
		return safejs.Undefined(), err
	}
	devices, err := nav.Get("mediaDevices")
	if err != nil || isNullish(devices) {
		return safejs.Undefined(), errors.New("navigator.mediaDevices is missing (page not served over https or localhost?)")
	}
	var audio any = true
	if m.cfg.AudioConstraints != nil {
		audio = m.cfg.AudioConstraints
	}
	return callAwait(ctx, devices, "getUserMedia", map[string]any{"audio": audio, "video": false})
}

// setDirection applies hold ("", "sendonly", "inactive") to the
// transceiver; without a microphone the local side only receives.
func (m *PeerMedia) setDirection(hold string) error {
	haveMic := m.hasMicrophone()
	if m.cfg.Microphone == MicRequired && !haveMic {
		return errors.New("jsbridge: microphone required (useaudiorecord=2) but not available")
	}
	dir, err := transceiverDirection(hold, haveMic)
	if err != nil {
		return err
	}
	return m.setTransceiverDirection(dir)
}

func (m *PeerMedia) setTransceiverDirection(dir string) error {
	m.mu.Lock()
	tx := m.transceiver
	m.mu.Unlock()
	if err := tx.Set("direction", dir); err != nil {
		return fmt.Errorf("jsbridge: transceiver direction %s: %w", dir, err)
	}
	return nil
}

// hasMicrophone reports whether the microphone's track is on the sender.
func (m *PeerMedia) hasMicrophone() bool {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.haveMic
}

// micExpected reports whether the call will have a microphone: it has one,
// it is opening, or it may and has not been tried yet.
func (m *PeerMedia) micExpected() bool {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.haveMic || m.micPending || (!m.micTried && m.cfg.Microphone != MicDisabled)
}

// micOpening reports whether the microphone is still opening.
func (m *PeerMedia) micOpening() bool {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.micPending
}

// microphoneSettled returns a channel closed once the microphone attempt
// of the first offer ended (at once when there was none).
func (m *PeerMedia) microphoneSettled() <-chan struct{} {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.micDone == nil {
		done := make(chan struct{})
		close(done)
		return done
	}
	return m.micDone
}

// micOpenTimeout bounds the wait for the microphone (a permission prompt
// the user has not answered) once the offer did not wait for it.
const micOpenTimeout = 60 * time.Second

// startMicrophone runs attachMicrophone on its own goroutine; the channel
// closes when it has returned. When detached, it outlives ctx (the offer
// went out without waiting for it), bounded by micOpenTimeout.
func (m *PeerMedia) startMicrophone(ctx context.Context, detached bool) <-chan struct{} {
	done := make(chan struct{})
	m.mu.Lock()
	start := !m.micTried && m.cfg.Microphone != MicDisabled
	if start {
		m.micPending = true
		m.micDone = done
	}
	m.mu.Unlock()
	if !start {
		close(done)
		return done
	}
	cancel := func() {}
	if detached {
		ctx, cancel = context.WithTimeout(context.WithoutCancel(ctx), micOpenTimeout)
	}
	go func() {
		defer close(done)
		defer cancel()
		m.attachMicrophone(ctx)
		m.mu.Lock()
		m.micPending = false
		m.mu.Unlock()
	}()
	return done
}

//go:build js && wasm

package jsbridge

import (
	"errors"
	"fmt"
)

// Mute silences without renegotiation: direction 2 (or 0) disables the
// microphone track, direction 1 (or 0) mutes the remote <audio> element.
func (m *PeerMedia) Mute(direction int, on bool) error {
	if direction < 0 || direction > 2 {
		return fmt.Errorf("jsbridge: bad mute direction %d (0 both, 1 speaker, 2 microphone)", direction)
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	if direction == 0 || direction == 2 {
		m.muteMic = on
		if m.haveMic {
			if err := m.micTrack.Set("enabled", !on); err != nil {
				return err
			}
		}
	}
	if direction == 0 || direction == 1 {
		m.muteSpeaker = on
		if m.haveAudioEl {
			if err := m.audioEl.Set("muted", on); err != nil {
				return err
			}
		}
	}
	return nil
}

// Muted reports the mute state of the microphone and the speaker.
func (m *PeerMedia) Muted() (mic, speaker bool) {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.muteMic, m.muteSpeaker
}

// SendDTMF queues RFC 4733 digits on the RTCDTMFSender, after any still
// playing. A space (or comma) is a pause. It fails when telephone-event was
// not negotiated.
func (m *PeerMedia) SendDTMF(digits string) error {
	tones, err := dtmfTones(digits)
	if err != nil {
		return err
	}
	m.mu.Lock()
	tx, have := m.transceiver, m.haveTx
	m.mu.Unlock()
	if !have {
		return errors.New("jsbridge: no audio yet, cannot send DTMF")
	}
	sender, err := tx.Get("sender")
	if err != nil {
		return err
	}
	dtmf, err := sender.Get("dtmf")
	if err != nil || isNullish(dtmf) {
		return errors.New("jsbridge: this browser has no RTCDTMFSender")
	}
	if !getBool(dtmf, "canInsertDTMF") {
		return errors.New("jsbridge: cannot send RFC 4733 DTMF now (no microphone track, not connected, or telephone-event not negotiated)")
	}
	queued := getString(dtmf, "toneBuffer")
	if _, err := dtmf.Call("insertDTMF", queued+tones, 100, 70); err != nil {
		return fmt.Errorf("jsbridge: insertDTMF: %w", err)
	}
	return nil
}

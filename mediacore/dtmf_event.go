package mediacore

import (
	"encoding/binary"
	"errors"
	"fmt"
	"strings"
	"time"
)

// DTMFEvent is one RFC 4733 telephone-event as received or sent.
type DTMFEvent struct {
	Digit     rune          // '0'-'9', '*', '#', 'A'-'D', or '!' for flash (event 16)
	Code      uint8         // RFC 4733 event code 0..16
	Volume    uint8         // power level in -dBm0 (0..63)
	Duration  time.Duration // duration so far (the final duration once End is set)
	End       bool          // the E bit was seen
	Timestamp uint32        // RTP timestamp of the event start
}

const dtmfDigits = "0123456789*#ABCD!"

// DTMFCode returns the RFC 4733 event code of a digit (case-insensitive; '!' is flash, 16).
func DTMFCode(digit rune) (uint8, error) {
	i := strings.IndexRune(dtmfDigits, toUpperASCII(digit))
	if i < 0 {
		return 0, fmt.Errorf("mediacore: %q is not a DTMF digit (0-9 * # A-D !)", digit)
	}
	return uint8(i), nil
}

// DTMFDigit returns the digit for an RFC 4733 event code 0..16.
func DTMFDigit(code uint8) (rune, bool) {
	if int(code) >= len(dtmfDigits) {
		return 0, false
	}
	return rune(dtmfDigits[code]), true
}

func toUpperASCII(r rune) rune {
	if r >= 'a' && r <= 'z' {
		return r - 'a' + 'A'
	}
	return r
}

// dtmfPayloadLen is the size of one RFC 4733 event payload.
const dtmfPayloadLen = 4

// MarshalDTMF writes the 4-byte RFC 4733 payload: event, E|R|volume, duration in samples.
func MarshalDTMF(dst []byte, code uint8, end bool, volume uint8, durationSamples uint16) int {
	if len(dst) < dtmfPayloadLen {
		return 0
	}
	dst[0] = code
	dst[1] = volume & 0x3f
	if end {
		dst[1] |= 0x80
	}
	binary.BigEndian.PutUint16(dst[2:4], durationSamples)
	return dtmfPayloadLen
}

// ErrShortDTMF means a telephone-event payload shorter than 4 bytes.
var ErrShortDTMF = errors.New("mediacore: telephone-event payload shorter than 4 bytes")

// UnmarshalDTMF parses an RFC 4733 payload (the first event block when several are present).
func UnmarshalDTMF(payload []byte, ts uint32) (DTMFEvent, error) {
	if len(payload) < dtmfPayloadLen {
		return DTMFEvent{}, ErrShortDTMF
	}
	ev := DTMFEvent{
		Code:      payload[0],
		End:       payload[1]&0x80 != 0,
		Volume:    payload[1] & 0x3f,
		Duration:  samplesDuration(int(binary.BigEndian.Uint16(payload[2:4]))),
		Timestamp: ts,
	}
	d, ok := DTMFDigit(ev.Code)
	if !ok {
		return ev, fmt.Errorf("mediacore: telephone-event code %d is not a DTMF event", ev.Code)
	}
	ev.Digit = d
	return ev, nil
}

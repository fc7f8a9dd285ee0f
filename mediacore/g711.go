package mediacore

import (
	"fmt"

	"github.com/zaf/g711"
)

// EncodeUlaw encodes PCM samples into mu-law bytes in dst and returns the number written
// (min(len(dst), len(src))). It does not allocate.
func EncodeUlaw(dst []byte, src []int16) int {
	n := min(len(dst), len(src))
	for i := 0; i < n; i++ {
		dst[i] = g711.EncodeUlawFrame(src[i])
	}
	return n
}

// DecodeUlaw decodes mu-law bytes into PCM samples in dst and returns the number written.
func DecodeUlaw(dst []int16, src []byte) int {
	n := min(len(dst), len(src))
	for i := 0; i < n; i++ {
		dst[i] = g711.DecodeUlawFrame(src[i])
	}
	return n
}

// EncodeAlaw encodes PCM samples into A-law bytes in dst and returns the number written.
func EncodeAlaw(dst []byte, src []int16) int {
	n := min(len(dst), len(src))
	for i := 0; i < n; i++ {
		dst[i] = g711.EncodeAlawFrame(src[i])
	}
	return n
}

// DecodeAlaw decodes A-law bytes into PCM samples in dst and returns the number written.
func DecodeAlaw(dst []int16, src []byte) int {
	n := min(len(dst), len(src))
	for i := 0; i < n; i++ {
		dst[i] = g711.DecodeAlawFrame(src[i])
	}
	return n
}

// Encode encodes PCM with codec c into dst (one byte per sample for G.711).
func Encode(c Codec, dst []byte, src []int16) (int, error) {
	switch c.PayloadType {
	case PCMU.PayloadType:
		return EncodeUlaw(dst, src), nil
	case PCMA.PayloadType:
		return EncodeAlaw(dst, src), nil
	}
	return 0, fmt.Errorf("mediacore: cannot encode codec %q (payload type %d)", c.Name, c.PayloadType)
}

// Decode decodes a payload of codec c into dst.
func Decode(c Codec, dst []int16, src []byte) (int, error) {
	switch c.PayloadType {
	case PCMU.PayloadType:
		return DecodeUlaw(dst, src), nil
	case PCMA.PayloadType:
		return DecodeAlaw(dst, src), nil
	}
	return 0, fmt.Errorf("mediacore: cannot decode codec %q (payload type %d)", c.Name, c.PayloadType)
}

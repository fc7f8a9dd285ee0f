package webaudio

import "encoding/binary"

// putSamples writes samples as little-endian int16 (an Int16Array's bytes
// on every platform browsers run on) into dst, which holds 2*len(samples).
func putSamples(dst []byte, samples []int16) {
	for i, s := range samples {
		binary.LittleEndian.PutUint16(dst[2*i:], uint16(s))
	}
}

// getSamples reads little-endian int16 samples from src into dst (len(src)
// = 2*len(dst)).
func getSamples(dst []int16, src []byte) {
	for i := range dst {
		dst[i] = int16(binary.LittleEndian.Uint16(src[2*i:]))
	}
}

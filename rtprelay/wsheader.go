//go:build !js

package rtprelay

import "github.com/gobwas/ws"

// appendFrameHeader appends a WebSocket frame header.
func appendFrameHeader(b []byte, h ws.Header) []byte {
	first := byte(h.OpCode)
	if h.Fin {
		first |= 0x80
	}
	var mask byte
	if h.Masked {
		mask = 0x80
	}
	switch n := h.Length; {
	case n <= 125:
		b = append(b, first, mask|byte(n))
	case n <= 0xffff:
		b = append(b, first, mask|126, byte(n>>8), byte(n))
	default:
		b = append(b, first, mask|127, byte(n>>56), byte(n>>48), byte(n>>40), byte(n>>32), byte(n>>24), byte(n>>16), byte(n>>8), byte(n))
	}
	if h.Masked {
		b = append(b, h.Mask[:]...)
	}
	return b
}

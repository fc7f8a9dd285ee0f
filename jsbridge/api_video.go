//go:build js && wasm

package jsbridge

import "github.com/hack-pad/safejs"

// SetVideoDisplaySizeArgs reads setvideodisplaysize(type, width, height):
// type 1 remote, 2 local; height empty or null keeps the aspect ratio.
func SetVideoDisplaySizeArgs(media *MediaRegistry, a []safejs.Value) bool {
	typ, ok := ArgNumber(a, 0)
	if !ok {
		return false
	}
	w, ok := ArgNumber(a, 1)
	if !ok {
		return false
	}
	h, ok := ArgNumber(a, 2)
	if !ok {
		h = 0
	}
	return media.SetVideoDisplaySize(typ, w, h)
}

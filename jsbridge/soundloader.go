//go:build js && wasm

package jsbridge

import (
	"context"
	"errors"
	"strconv"
	"time"

	"github.com/hack-pad/safejs"
)

// soundLoadTimeout bounds the fetch and decoding of a sound file.
const soundLoadTimeout = 10 * time.Second

// loadSound fetches and decodes a sound file (a resolved URL) into an
// AudioBuffer, once per URL. It awaits Promises: call it from a goroutine.
func (a *PageAudio) loadSound(u string) (safejs.Value, error) {
	a.mu.Lock()
	buf, ok := a.sounds[u]
	a.mu.Unlock()
	if ok {
		return buf, nil
	}
	ctx, cancel := context.WithTimeout(context.Background(), soundLoadTimeout)
	defer cancel()
	fetch, err := global("fetch")
	if err != nil || fetch.Type() != safejs.TypeFunction {
		return safejs.Undefined(), errors.New("no fetch")
	}
	p, err := fetch.Invoke(u)
	if err != nil {
		return safejs.Undefined(), err
	}
	resp, err := await(ctx, p)
	if err != nil {
		return safejs.Undefined(), err
	}
	if !getBool(resp, "ok") {
		return safejs.Undefined(), errors.New("HTTP " + strconv.Itoa(getInt(resp, "status")))
	}
	ab, err := callAwait(ctx, resp, "arrayBuffer")
	if err != nil {
		return safejs.Undefined(), err
	}
	actx, err := a.idleContext() // decoding needs no running audio
	if err != nil {
		return safejs.Undefined(), err
	}
	buf, err = callAwait(ctx, actx, "decodeAudioData", ab)
	if err != nil {
		return safejs.Undefined(), err
	}
	a.mu.Lock()
	if a.sounds == nil {
		a.sounds = map[string]safejs.Value{}
	}
	a.sounds[u] = buf
	a.mu.Unlock()
	return buf, nil
}

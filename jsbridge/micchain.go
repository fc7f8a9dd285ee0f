//go:build js && wasm

package jsbridge

import (
	"context"
	"errors"
	"sync"

	"github.com/hack-pad/safejs"
)

// micChain is one call's microphone path in the page's audio graph:
// getUserMedia source -> GainNode (microphone volume) -> a
// MediaStreamAudioDestinationNode whose track the call sends. Switching the
// device replaces the source only; the sent track stays the same.
type micChain struct {
	constraints map[string]any // getUserMedia audio constraints (aec, agc, ...)

	mu      sync.Mutex
	gain    safejs.Value
	dest    safejs.Value
	source  safejs.Value
	stream  safejs.Value // the getUserMedia stream behind source
	started bool
	closed  bool
	played  []safejs.Value // buffer sources mixed in (play into the call)
}

// start builds the chain on the page's context with the device id ("" the
// default) and returns the stream to send.
func (c *micChain) start(ctx context.Context, actx safejs.Value, deviceID string, gain float64) (safejs.Value, error) {
	g, err := actx.Call("createGain")
	if err != nil {
		return safejs.Undefined(), err
	}
	if p, err := g.Get("gain"); err == nil {
		_ = p.Set("value", gain)
	}
	dest, err := actx.Call("createMediaStreamDestination")
	if err != nil {
		return safejs.Undefined(), err
	}
	if _, err := g.Call("connect", dest); err != nil {
		return safejs.Undefined(), err
	}
	c.mu.Lock()
	c.gain, c.dest, c.started = g, dest, true
	c.mu.Unlock()
	if err := c.open(ctx, deviceID); err != nil {
		return safejs.Undefined(), err
	}
	return dest.Get("stream")
}

// open captures the device and puts it behind the gain, replacing (and
// stopping) the previous capture.
func (c *micChain) open(ctx context.Context, deviceID string) error {
	md, err := mediaDevices()
	if err != nil {
		return err
	}
	audio := map[string]any{}
	for k, v := range c.constraints {
		audio[k] = v
	}
	if deviceID != "" {
		audio["deviceId"] = map[string]any{"exact": deviceID}
	}
	var want any = audio
	if len(audio) == 0 {
		want = true
	}
	stream, err := callAwait(ctx, md, "getUserMedia", map[string]any{"audio": want, "video": false})
	if err != nil {
		return err
	}
	c.mu.Lock()
	if c.closed || !c.started {
		c.mu.Unlock()
		stopTracks(stream)
		return errors.New("the call ended")
	}
	actx, err := c.gain.Get("context")
	if err != nil {
		c.mu.Unlock()
		stopTracks(stream)
		return err
	}
	src, err := actx.Call("createMediaStreamSource", stream)
	if err != nil {
		c.mu.Unlock()
		stopTracks(stream)
		return err
	}
	oldSrc, oldStream, hadOld := c.source, c.stream, !isNullish(c.source)
	if _, err := src.Call("connect", c.gain); err != nil {
		c.mu.Unlock()
		stopTracks(stream)
		return err
	}
	c.source, c.stream = src, stream
	c.mu.Unlock()
	if hadOld {
		_, _ = oldSrc.Call("disconnect")
		stopTracks(oldStream)
	}
	return nil
}

// mix plays buf into the sent audio, after the microphone's gain, and
// returns the function that stops it.
func (c *micChain) mix(buf safejs.Value, loop bool) (stop func(), err error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.closed || !c.started {
		return nil, errors.New("the call's microphone is not open")
	}
	actx, err := c.dest.Get("context")
	if err != nil {
		return nil, err
	}
	src, err := startBufferSource(actx, buf, loop, c.dest)
	if err != nil {
		return nil, err
	}
	c.played = append(c.played, src)
	var once sync.Once
	return func() {
		once.Do(func() {
			_, _ = src.Call("stop")
			_, _ = src.Call("disconnect")
		})
	}, nil
}

// setGain sets the microphone volume of this call.
func (c *micChain) setGain(gain float64) {
	c.mu.Lock()
	g, ok := c.gain, c.started
	c.mu.Unlock()
	if !ok {
		return
	}
	if p, err := g.Get("gain"); err == nil {
		_ = p.Set("value", gain)
	}
}

// close stops the capture and takes the chain apart.
func (c *micChain) close() {
	c.mu.Lock()
	if c.closed {
		c.mu.Unlock()
		return
	}
	c.closed = true
	src, stream, started := c.source, c.stream, c.started
	played := c.played
	c.played = nil
	c.mu.Unlock()
	for _, s := range played {
		_, _ = s.Call("stop")
		_, _ = s.Call("disconnect")
	}
	if !started {
		return
	}
	if !isNullish(src) {
		_, _ = src.Call("disconnect")
		stopTracks(stream)
	}
	_, _ = c.gain.Call("disconnect")
}

// stopTracks stops every track of a MediaStream.
func stopTracks(stream safejs.Value) {
	if isNullish(stream) {
		return
	}
	tracks, err := stream.Call("getTracks")
	if err != nil {
		return
	}
	n, _ := tracks.Length()
	for i := 0; i < n; i++ {
		if t, err := tracks.Index(i); err == nil {
			_, _ = t.Call("stop")
		}
	}
}

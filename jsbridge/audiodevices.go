//go:build js && wasm

package jsbridge

import (
	"context"
	"errors"
	"math"
	"sync"
	"time"

	"github.com/hack-pad/safejs"
	"github.com/opensoftphone/webphone/engine"
)

// deviceWaitTimeout bounds enumerateDevices and getUserMedia for a device
// switch.
const deviceWaitTimeout = 10 * time.Second

// mediaDevice is one entry of navigator.mediaDevices.enumerateDevices().
type mediaDevice struct{ id, label string }

// name is what the Mizu API calls the device: its label, or its id while
// the page has no permission to see labels.
func (d mediaDevice) name() string {
	if d.label != "" {
		return d.label
	}
	return d.id
}

// PageDevices is engine.Devices over navigator.mediaDevices and the audio
// graph: every call's microphone goes through a GainNode (the microphone
// volume) into the track the call sends, so a device switch swaps the
// source behind that track (no renegotiation, no replaceTrack); the
// speaker is the call <audio> elements' sink (setSinkId) and volume; the
// ringer is PageAudio's ring output.
type PageDevices struct {
	Audio *PageAudio
	// Warn receives problems; may be nil.
	Warn func(msg string)
	// OnFallback is told when a chosen device disappeared and the default
	// took its place (engine.DeviceFallback); may be nil.
	OnFallback func(kind int, name string)
	// OnCamera is told the camera chosen with setdevice(3, name) ("" the
	// default); the video of the next camera capture uses it. May be nil.
	OnCamera func(name string)

	mu          sync.Mutex
	lists       map[int][]mediaDevice
	chosen      map[int]mediaDevice // by kind; a missing entry is the default
	micGain     float64             // valid when micGainSet; else 1
	speakerGain float64             // valid when speakerGainSet; else 1
	micGainSet  bool
	speakerSet  bool
	mics        map[*micChain]bool
	speakers    []safejs.Value // call <audio> elements
	listening   bool
	listed      bool // the lists were read at least once
	onChange    safejs.Func
}

var _ engine.Devices = (*PageDevices)(nil)

func (d *PageDevices) warn(msg string) {
	if d.Warn != nil {
		d.Warn(msg)
	}
}

// mediaDevices returns navigator.mediaDevices.
func mediaDevices() (safejs.Value, error) {
	nav, err := global("navigator")
	if err != nil {
		return safejs.Undefined(), err
	}
	md, err := nav.Get("mediaDevices")
	if err != nil || isNullish(md) {
		return safejs.Undefined(), errors.New("navigator.mediaDevices is missing (page not served over https or localhost?)")
	}
	return md, nil
}

// Refresh reads the device lists again (labels appear once the page has
// the microphone permission) and falls back to the default for a chosen
// device that is gone. It awaits a Promise: call it from a goroutine.
func (d *PageDevices) Refresh(ctx context.Context) error {
	md, err := mediaDevices()
	if err != nil {
		return err
	}
	d.listen(md)
	list, err := callAwait(ctx, md, "enumerateDevices")
	if err != nil {
		return err
	}
	n, _ := list.Length()
	lists := map[int][]mediaDevice{}
	for i := 0; i < n; i++ {
		v, err := list.Index(i)
		if err != nil {
			continue
		}
		dev := mediaDevice{id: getString(v, "deviceId"), label: getString(v, "label")}
		if dev.name() == "" {
			continue // no permission yet: nothing to call it
		}
		switch getString(v, "kind") {
		case "audioinput":
			lists[engine.DeviceMicrophone] = append(lists[engine.DeviceMicrophone], dev)
		case "audiooutput":
			lists[engine.DeviceSpeaker] = append(lists[engine.DeviceSpeaker], dev)
			lists[engine.DeviceRinger] = append(lists[engine.DeviceRinger], dev)
		case "videoinput":
			lists[engine.DeviceCamera] = append(lists[engine.DeviceCamera], dev)
		}
	}
	d.mu.Lock()
	d.lists, d.listed = lists, true
	var gone, resolved []int
	var goneNames, resolvedNames []string
	for kind, dev := range d.chosen {
		switch {
		case dev.id != "":
			if _, ok := findDevice(lists[kind], dev.id); !ok {
				gone = append(gone, kind)
				goneNames = append(goneNames, dev.name())
			}
		case dev.label != "": // chosen by name before the list was known
			if _, ok := findDevice(lists[kind], dev.label); ok {
				resolved = append(resolved, kind)
				resolvedNames = append(resolvedNames, dev.label)
			} else if hasLabels(lists[kind]) {
				gone = append(gone, kind)
				goneNames = append(goneNames, dev.label)
			}
		}
	}
	d.mu.Unlock()
	for i, kind := range resolved {
		if err := d.SetDevice(kind, resolvedNames[i]); err != nil {
			d.warn("device " + resolvedNames[i] + ": " + err.Error())
		}
	}
	for i, kind := range gone {
		_ = d.SetDevice(kind, "")
		if d.OnFallback != nil {
			d.OnFallback(kind, goneNames[i])
		}
	}
	return nil
}

// listen refreshes the lists on every devicechange event (once).
func (d *PageDevices) listen(md safejs.Value) {
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.listening {
		return
	}
	f, err := safejs.FuncOf(func(safejs.Value, []safejs.Value) any {
		go func() {
			ctx, cancel := context.WithTimeout(context.Background(), deviceWaitTimeout)
			defer cancel()
			if err := d.Refresh(ctx); err != nil {
				d.warn("device list: " + err.Error())
			}
		}()
		return nil
	})
	if err != nil {
		return
	}
	d.onChange, d.listening = f, true
	_, _ = md.Call("addEventListener", "devicechange", f)
}

// hasLabels reports whether a list shows device labels (the page has the
// permission).
func hasLabels(list []mediaDevice) bool {
	for _, dev := range list {
		if dev.label != "" {
			return true
		}
	}
	return false
}

// findDevice finds a device by name (label) or id.
func findDevice(list []mediaDevice, name string) (mediaDevice, bool) {
	for _, dev := range list {
		if dev.label == name || dev.id == name {
			return dev, true
		}
	}
	return mediaDevice{}, false
}

// DeviceList returns the device names of a kind, as last read.
func (d *PageDevices) DeviceList(kind int) []string {
	d.mu.Lock()
	defer d.mu.Unlock()
	var names []string
	for _, dev := range d.lists[kind] {
		names = append(names, dev.name())
	}
	return names
}

// SetDevice chooses a device by name or id ("" the default) and applies it
// to what plays or records now.
func (d *PageDevices) SetDevice(kind int, name string) error {
	d.mu.Lock()
	dev := mediaDevice{}
	if name != "" {
		var ok bool
		if dev, ok = findDevice(d.lists[kind], name); !ok {
			if d.listed && hasLabels(d.lists[kind]) {
				d.mu.Unlock()
				return errors.New("no such device (getdevicelist lists them)")
			}
			// the names are not known yet (no permission, or not read
			// yet): keep the name, Refresh applies it once it is listed
			if d.chosen == nil {
				d.chosen = map[int]mediaDevice{}
			}
			d.chosen[kind] = mediaDevice{label: name}
			d.mu.Unlock()
			return nil
		}
	}
	if d.chosen == nil {
		d.chosen = map[int]mediaDevice{}
	}
	d.chosen[kind] = dev
	var mics []*micChain
	for c := range d.mics {
		mics = append(mics, c)
	}
	speakers := append([]safejs.Value(nil), d.speakers...)
	d.mu.Unlock()

	switch kind {
	case engine.DeviceMicrophone:
		for _, c := range mics {
			go func(c *micChain) {
				ctx, cancel := context.WithTimeout(context.Background(), deviceWaitTimeout)
				defer cancel()
				if err := c.open(ctx, dev.id); err != nil {
					d.warn("cannot switch the microphone to " + name + ": " + err.Error())
				}
			}(c)
		}
	case engine.DeviceSpeaker:
		var err error
		for _, el := range speakers {
			if e := setSink(el, dev.id); e != nil {
				err = e
			}
		}
		if e := d.Audio.SetOutputSink(OutputTones, dev.id); e != nil && err == nil {
			err = e
		}
		return err
	case engine.DeviceRinger:
		return d.Audio.SetOutputSink(OutputRing, dev.id)
	case engine.DeviceCamera:
		if d.OnCamera != nil {
			label := dev.label
			if label == "" {
				label = name
			}
			d.OnCamera(label)
		}
	}
	return nil
}

// SetVolume sets the gain of the microphone (the calls' GainNodes), the
// speaker (the call elements' volume, at most 1, and the tones output) or
// the ringer (the ring output).
func (d *PageDevices) SetVolume(kind int, gain float64) {
	d.mu.Lock()
	var mics []*micChain
	switch kind {
	case engine.DeviceMicrophone:
		d.micGain, d.micGainSet = gain, true
		for c := range d.mics {
			mics = append(mics, c)
		}
	case engine.DeviceSpeaker:
		d.speakerGain, d.speakerSet = gain, true
	}
	speakers := append([]safejs.Value(nil), d.speakers...)
	d.mu.Unlock()
	switch kind {
	case engine.DeviceMicrophone:
		for _, c := range mics {
			c.setGain(gain)
		}
	case engine.DeviceSpeaker:
		for _, el := range speakers {
			_ = el.Set("volume", math.Min(gain, 1))
		}
		if err := d.Audio.SetOutputGain(OutputTones, gain); err != nil {
			d.warn("speaker volume: " + err.Error())
		}
	case engine.DeviceRinger:
		if err := d.Audio.SetOutputGain(OutputRing, gain); err != nil {
			d.warn("ring volume: " + err.Error())
		}
	}
}

// ForCall returns what one call's PeerMedia needs: the microphone capture
// (through the volume GainNode, from the chosen device), the hook that
// puts the call's <audio> element on the chosen speaker at the speaker
// volume, and release, which frees the microphone when the call ends.
func (d *PageDevices) ForCall(constraints map[string]any) (capture func(context.Context) (safejs.Value, error), onElement func(safejs.Value), release func()) {
	c := &micChain{constraints: constraints}
	var el safejs.Value
	haveEl := false
	capture = func(ctx context.Context) (safejs.Value, error) {
		actx, err := d.Audio.context()
		if err != nil {
			return safejs.Undefined(), err
		}
		d.mu.Lock()
		id := d.chosen[engine.DeviceMicrophone].id
		gain := 1.0
		if d.micGainSet {
			gain = d.micGain
		}
		if d.mics == nil {
			d.mics = map[*micChain]bool{}
		}
		d.mics[c] = true
		d.mu.Unlock()
		stream, err := c.start(ctx, actx, id, gain)
		if err != nil {
			return safejs.Undefined(), err
		}
		// labels are readable once the microphone is allowed
		go func() {
			rctx, cancel := context.WithTimeout(context.Background(), deviceWaitTimeout)
			defer cancel()
			_ = d.Refresh(rctx)
		}()
		return stream, nil
	}
	onElement = func(e safejs.Value) {
		d.mu.Lock()
		id := d.chosen[engine.DeviceSpeaker].id
		gain, set := d.speakerGain, d.speakerSet
		d.speakers = append(d.speakers, e)
		el, haveEl = e, true
		d.mu.Unlock()
		if id != "" {
			_ = setSink(e, id)
		}
		if set {
			_ = e.Set("volume", math.Min(gain, 1))
		}
	}
	release = func() {
		d.mu.Lock()
		delete(d.mics, c)
		if haveEl {
			for i, s := range d.speakers {
				if s.Equal(el) {
					d.speakers = append(d.speakers[:i], d.speakers[i+1:]...)
					break
				}
			}
		}
		d.mu.Unlock()
		c.close()
	}
	return capture, onElement, release
}

package engine

import (
	"strconv"
	"strings"
	"sync"
)

// Device kinds, as getdevicelist, getdevice and setdevice number them
// (getvolume/setvolume use 0..2).
const (
	DeviceMicrophone = 0
	DeviceSpeaker    = 1
	DeviceRinger     = 2
	DeviceCamera     = 3
)

// deviceParams are the parameters holding the chosen device of each kind,
// and volumeParams the volume (0..100, 50 unchanged) of kinds 0..2.
var (
	deviceParams = [...]string{"audiodevicein", "audiodeviceout", "audiodevicering", "videodevice"}
	volumeParams = [...]string{"volumein", "volumeout", "volumering"}
)

// Devices is the platform's audio and video devices and volumes (the
// browser's mediaDevices and audio graph). Its methods return at once.
type Devices interface {
	// DeviceList returns the names of the devices of a kind, the default
	// device first; nil when unknown (no permission yet, no such kind).
	DeviceList(kind int) []string
	// SetDevice switches a kind to the named device ("" the default), for
	// the calls in progress too.
	SetDevice(kind int, name string) error
	// SetVolume sets the gain of a kind (0..2): 0 silent, 1 unchanged.
	SetVolume(kind int, gain float64)
}

// deviceState remembers what the platform was last told, so parameters
// are applied once per change.
type deviceState struct {
	mu      sync.Mutex
	applied map[string]string // parameter -> value last applied
}

// VolumeGain turns a Mizu volume (0..100, 50 = unchanged) into a linear
// gain: 0 silent, 50 unchanged, 100 twice (+6 dB).
func VolumeGain(volume int) float64 {
	if volume < 0 {
		volume = 0
	}
	if volume > 100 {
		volume = 100
	}
	return float64(volume) / 50
}

// GetDeviceList returns the names of the devices of a kind separated by
// CRLF (getdevicelist): 0 microphones, 1 speakers, 2 ringers (the
// speakers), 3 cameras. "" when none are known.
func (e *Engine) GetDeviceList(kind int) (list string) {
	defer e.recovered("getdevicelist")
	if e.opts.Devices == nil || kind < 0 || kind > DeviceCamera {
		return ""
	}
	return strings.Join(e.opts.Devices.DeviceList(kind), "\r\n")
}

// GetDevice returns the device chosen for a kind (getdevice): the name
// set with setdevice or the audiodevice parameters, else the default
// device's name.
func (e *Engine) GetDevice(kind int) (name string) {
	defer e.recovered("getdevice")
	if kind < 0 || kind > DeviceCamera {
		return ""
	}
	if v := strings.TrimSpace(e.params.Get(deviceParams[kind])); v != "" {
		return v
	}
	if e.opts.Devices != nil {
		if l := e.opts.Devices.DeviceList(kind); len(l) > 0 {
			return l[0]
		}
	}
	return "Default"
}

// SetDevice chooses the device of a kind by name (setdevice), for the
// calls in progress too (no renegotiation) and the next ones. "Default"
// or "" is the default device. It returns false for an unknown kind or
// device, and for the ringer while an incoming call rings.
func (e *Engine) SetDevice(kind int, name string) (ok bool) {
	defer e.recovered("setdevice")
	name = strings.TrimSpace(name)
	if kind < 0 || kind > DeviceCamera || e.opts.Devices == nil {
		return false
	}
	if kind == DeviceRinger && e.ringing() {
		e.logWarn("the ring device cannot change while ringing")
		return false
	}
	platformName := name
	if strings.EqualFold(name, "default") {
		platformName = ""
	}
	if err := e.opts.Devices.SetDevice(kind, platformName); err != nil {
		e.logWarn("setdevice " + strconv.Itoa(kind) + " " + name + ": " + err.Error())
		return false
	}
	e.params.SetParameter(deviceParams[kind], name)
	e.devices.mu.Lock()
	if e.devices.applied == nil {
		e.devices.applied = map[string]string{}
	}
	e.devices.applied[deviceParams[kind]] = name
	e.devices.mu.Unlock()
	return true
}

// GetVolume returns the volume of a kind (getvolume): 0 microphone,
// 1 speaker, 2 ringer; 0..100, 50 unchanged; -1 for another kind.
func (e *Engine) GetVolume(kind int) (v int) {
	defer e.recovered("getvolume")
	if kind < 0 || kind > DeviceRinger {
		return -1
	}
	return clampVolume(e.params.Int(volumeParams[kind], 50))
}

// SetVolume sets the volume of a kind (setvolume): 0 muted, 50 unchanged,
// 100 maximum, at once for the calls in progress too. It returns false for
// an unknown kind or a volume outside 0..100.
func (e *Engine) SetVolume(kind, volume int) (ok bool) {
	defer e.recovered("setvolume")
	if kind < 0 || kind > DeviceRinger || volume < 0 || volume > 100 {
		return false
	}
	if !e.params.SetParameter(volumeParams[kind], strconv.Itoa(volume)) {
		return false
	}
	e.applyAudioSettings()
	return true
}

func clampVolume(v int) int {
	if v < 0 {
		return 0
	}
	if v > 100 {
		return 100
	}
	return v
}

// applyAudioSettings hands the device and volume parameters to the
// platform when they changed since last time (setparameter, the config,
// setvolume). It runs before each call's media and each ring.
func (e *Engine) applyAudioSettings() {
	d := e.opts.Devices
	if d == nil {
		return
	}
	e.devices.mu.Lock()
	defer e.devices.mu.Unlock()
	if e.devices.applied == nil {
		e.devices.applied = map[string]string{}
	}
	for kind, p := range volumeParams {
		v := strings.TrimSpace(e.params.Get(p))
		if last, ok := e.devices.applied[p]; ok && last == v || !ok && v == "" {
			continue
		}
		e.devices.applied[p] = v
		d.SetVolume(kind, VolumeGain(e.params.Int(p, 50)))
	}
	for kind, p := range deviceParams[:DeviceCamera] {
		v := strings.TrimSpace(e.params.Get(p))
		if last, ok := e.devices.applied[p]; ok && last == v || !ok && v == "" {
			continue
		}
		e.devices.applied[p] = v
		name := v
		if strings.EqualFold(name, "default") {
			name = ""
		}
		if err := d.SetDevice(kind, name); err != nil {
			e.logWarn(p + " " + v + ": " + err.Error())
		}
	}
}

// ringing reports whether an incoming call rings now.
func (e *Engine) ringing() bool {
	t := e.lines
	t.mu.Lock()
	defer t.mu.Unlock()
	for _, l := range t.liveLocked() {
		if l.dir == 2 && l.state == lineRinging {
			return true
		}
	}
	return false
}

// DeviceFallback tells the engine that the chosen device of a kind
// disappeared and the platform went back to the default: the parameter is
// cleared and the page told with a display message and a warning.
func (e *Engine) DeviceFallback(kind int, name string) {
	defer e.recovered("devicefallback")
	if kind < 0 || kind > DeviceCamera {
		return
	}
	e.params.SetParameter(deviceParams[kind], "")
	e.devices.mu.Lock()
	if e.devices.applied != nil {
		e.devices.applied[deviceParams[kind]] = ""
	}
	e.devices.mu.Unlock()
	msg := "device " + name + " is gone, using the default device"
	e.logWarn(msg)
	e.display("", "WARNING, "+msg)
}

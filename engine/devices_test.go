package engine

import (
	"errors"
	"fmt"
	"sync"
	"testing"

	"github.com/opensoftphone/webphone/demoserver"
	"github.com/opensoftphone/webphone/sipcore/nettransport"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// fakeDevices has two microphones and two speakers and records what the
// engine asks.
type fakeDevices struct {
	mu    sync.Mutex
	calls []string
}

var fakeDeviceNames = map[int][]string{
	DeviceMicrophone: {"Mic A", "Mic B"},
	DeviceSpeaker:    {"Speaker A", "Speaker B"},
	DeviceRinger:     {"Speaker A", "Speaker B"},
}

func (d *fakeDevices) DeviceList(kind int) []string { return fakeDeviceNames[kind] }

func (d *fakeDevices) SetDevice(kind int, name string) error {
	d.mu.Lock()
	defer d.mu.Unlock()
	if name != "" {
		found := false
		for _, n := range fakeDeviceNames[kind] {
			found = found || n == name
		}
		if !found {
			return errors.New("no such device")
		}
	}
	d.calls = append(d.calls, fmt.Sprintf("device %d %q", kind, name))
	return nil
}

func (d *fakeDevices) SetVolume(kind int, gain float64) {
	d.mu.Lock()
	defer d.mu.Unlock()
	d.calls = append(d.calls, fmt.Sprintf("volume %d %.2f", kind, gain))
}

func (d *fakeDevices) log() []string {
	d.mu.Lock()
	defer d.mu.Unlock()
	return append([]string(nil), d.calls...)
}

func TestDeviceListAndChoice(t *testing.T) {
	d := &fakeDevices{}
	rec := &recorder{}
	e := New(Options{Devices: d, Storage: NewMapStorage(), Emit: rec.emit, AutoStartDelay: -1})
	defer e.Close()

	assert.Equal(t, "Mic A\r\nMic B", e.GetDeviceList(DeviceMicrophone), "names separated by CRLF")
	assert.Equal(t, "", e.GetDeviceList(DeviceCamera), "no camera")
	assert.Equal(t, "", e.GetDeviceList(7))
	assert.Equal(t, "Mic A", e.GetDevice(DeviceMicrophone), "the default device until one is chosen")

	assert.True(t, e.SetDevice(DeviceMicrophone, "Mic B"))
	assert.Equal(t, "Mic B", e.GetDevice(DeviceMicrophone))
	assert.Equal(t, "Mic B", e.GetParameter("audiodevicein"), "kept in the Mizu parameter")
	assert.False(t, e.SetDevice(DeviceMicrophone, "Mic Z"), "an unknown device is refused")
	assert.Equal(t, "Mic B", e.GetDevice(DeviceMicrophone), "and changes nothing")
	assert.False(t, e.SetDevice(9, "Mic A"))
	assert.True(t, e.SetDevice(DeviceSpeaker, "Default"))
	assert.Equal(t, []string{`device 0 "Mic B"`, `device 1 ""`}, d.log())

	e.DeviceFallback(DeviceMicrophone, "Mic B")
	assert.Equal(t, "Mic A", e.GetDevice(DeviceMicrophone), "a vanished device falls back to the default")
	flush(e)
	assert.NotEmpty(t, rec.find(func(ev event) bool {
		return ev.cb == "onEvent" && ev.args[0] == "display" && fmt.Sprint(ev.args[1]) == ",WARNING, device Mic B is gone, using the default device"
	}), "the page is told: %s", rec.dump())
}

func TestVolumeIsAGainWithFiftyUnchanged(t *testing.T) {
	d := &fakeDevices{}
	e := New(Options{Devices: d, Storage: NewMapStorage(), AutoStartDelay: -1})
	defer e.Close()

	assert.Equal(t, 50, e.GetVolume(0), "50 = unchanged by default")
	assert.True(t, e.SetVolume(0, 25))
	assert.Equal(t, 25, e.GetVolume(0))
	assert.True(t, e.SetVolume(2, 100))
	assert.True(t, e.SetVolume(1, 0))
	assert.False(t, e.SetVolume(0, 101))
	assert.False(t, e.SetVolume(0, -1))
	assert.False(t, e.SetVolume(3, 50))
	assert.Equal(t, -1, e.GetVolume(3))
	assert.Equal(t, []string{"volume 0 0.50", "volume 2 2.00", "volume 1 0.00"}, d.log(), "applied at once, once each")
	assert.Equal(t, 0.0, VolumeGain(0))
	assert.Equal(t, 1.0, VolumeGain(50))
	assert.Equal(t, 2.0, VolumeGain(100))
}

func TestAudioParametersApplyWhenACallStartsAndRingerWaitsForTheRing(t *testing.T) {
	ds := startDemo(t)
	d := &fakeDevices{}
	b := &phone{user: "1002", rec: &recorder{}, media: &mediaBox{}}
	b.e = New(Options{Dialer: nettransport.Dial, Media: b.media.factory, Storage: NewMapStorage(),
		Emit: b.rec.emit, AutoStartDelay: -1, Devices: d, Alerts: &fakeAlerts{}})
	t.Cleanup(b.e.Close)
	b.e.Init(map[string]string{
		"webrtcserveraddress": ds.WSURL(), "serveraddress": ds.Domain(), "username": "1002",
		"password": demoserver.DefaultAccounts()["1002"], "volumein": "30", "audiodevicering": "Speaker B",
	}, "")
	b.e.AutoStart()
	b.waitRegistered(t)
	a := newPhone(t, ds, "1001", nil)
	a.waitRegistered(t)
	assert.Empty(t, d.log(), "nothing applied before a call")

	require.True(t, a.e.Call("1002"))
	b.rec.waitFor(t, "b ringing", callState("ringing"))
	assert.Equal(t, []string{"volume 0 0.60", `device 2 "Speaker B"`}, d.log(),
		"the config's volume and ring device reach the platform before the ring")
	assert.False(t, b.e.SetDevice(DeviceRinger, "Speaker A"), "the ring device cannot change while ringing")
	assert.True(t, b.e.SetDevice(DeviceSpeaker, "Speaker A"), "the speaker can")
	require.True(t, b.e.Accept())
	b.rec.waitFor(t, "b connected", callState("connected"))
	assert.True(t, b.e.SetDevice(DeviceRinger, "Speaker A"), "after the ring it can")
}

package engine

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"

	"github.com/opensoftphone/webphone/sipcore/nettransport"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// fakeVideoMedia is a fakeMedia that can carry video: it records whether
// each offer carried video and what mutevideo/screenshare asked.
type fakeVideoMedia struct {
	fakeMedia
	vmu        sync.Mutex
	video      bool
	offerVideo []bool
	videoMutes []string
	shares     []bool
	reoffer    bool // ShareScreen's answer
	refuse     bool // Answer fails (the peer refuses a re-INVITE with 488)
}

func (m *fakeVideoMedia) Answer(ctx context.Context, offer []byte, hold string) ([]byte, error) {
	m.vmu.Lock()
	refuse := m.refuse
	m.vmu.Unlock()
	if refuse {
		return nil, errors.New("refused by the test")
	}
	return m.fakeMedia.Answer(ctx, offer, hold)
}

func (m *fakeVideoMedia) Offer(ctx context.Context, hold string) ([]byte, error) {
	m.vmu.Lock()
	m.offerVideo = append(m.offerVideo, m.video)
	m.vmu.Unlock()
	return m.fakeMedia.Offer(ctx, hold)
}

func (m *fakeVideoMedia) SetVideo(on bool) {
	m.vmu.Lock()
	defer m.vmu.Unlock()
	m.video = on
}

func (m *fakeVideoMedia) VideoOn() bool {
	m.vmu.Lock()
	defer m.vmu.Unlock()
	return m.video
}

func (m *fakeVideoMedia) MuteVideo(direction int, on bool) error {
	m.vmu.Lock()
	defer m.vmu.Unlock()
	m.videoMutes = append(m.videoMutes, fmt.Sprintf("%d:%v", direction, on))
	return nil
}

func (m *fakeVideoMedia) ShareScreen(_ context.Context, on bool) (bool, error) {
	m.vmu.Lock()
	defer m.vmu.Unlock()
	m.shares = append(m.shares, on)
	return m.reoffer && on, nil
}

func (m *fakeVideoMedia) offers() []bool {
	m.vmu.Lock()
	defer m.vmu.Unlock()
	return append([]bool(nil), m.offerVideo...)
}

func (m *fakeVideoMedia) record() (mutes []string, shares []bool) {
	m.vmu.Lock()
	defer m.vmu.Unlock()
	return append([]string(nil), m.videoMutes...), append([]bool(nil), m.shares...)
}

// videoBox is a MediaFactory of fakeVideoMedia.
type videoBox struct {
	mu  sync.Mutex
	all []*fakeVideoMedia
}

func (b *videoBox) factory(line int, _ *Params) (Media, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	m := &fakeVideoMedia{fakeMedia: fakeMedia{line: line}}
	b.all = append(b.all, m)
	return m, nil
}

func (b *videoBox) get(i int) *fakeVideoMedia {
	b.mu.Lock()
	defer b.mu.Unlock()
	if i < len(b.all) {
		return b.all[i]
	}
	return nil
}

// videoPhone is an Engine on the demo server whose media can carry video.
func videoPhone(t *testing.T, ds interface {
	WSURL() string
	Domain() string
}, user, password string, extra map[string]string) (*phone, *videoBox) {
	t.Helper()
	vb := &videoBox{}
	p := &phone{user: user, rec: &recorder{}}
	p.e = New(Options{Dialer: nettransport.Dial, Media: vb.factory, Storage: NewMapStorage(), Emit: p.rec.emit, AutoStartDelay: -1})
	t.Cleanup(p.e.Close)
	cfg := map[string]string{"webrtcserveraddress": ds.WSURL(), "serveraddress": ds.Domain(), "username": user,
		"password": password}
	for k, v := range extra {
		cfg[k] = v
	}
	p.e.Init(cfg, "")
	p.e.AutoStart()
	return p, vb
}

// isVideoField is the isvideo field (the last) of a STATUS notification.
func isVideoField(msg string) string {
	f := strings.Split(msg, ",")
	return f[len(f)-1]
}

// videocall offers video from the first INVITE (STATUS isvideo=1);
// call(peer) on the connected video call turns video off with a re-INVITE,
// videocall(peer) turns it on again with another; mutevideo reaches the
// media.
func TestVideoCallOffersVideoAndRenegotiatesOnAndOff(t *testing.T) {
	ds := startDemo(t)
	b, _ := videoPhone(t, ds, "1002", "pass1002", map[string]string{"autoaccept": "true"})
	b.waitRegistered(t)
	a, av := videoPhone(t, ds, "1001", "pass1001", nil)

	require.True(t, a.e.VideoCall("1002"))
	a.rec.waitFor(t, "Starting video call", func(e event) bool {
		return e.cb == "onEvent" && strings.Contains(fmt.Sprint(e.args...), "Starting video call to 1002")
	})
	a.rec.waitFor(t, "connected", callState("connected"))
	m := av.get(0)
	require.NotNil(t, m)
	assert.Equal(t, []bool{true}, m.offers(), "the first INVITE offers video")
	a.rec.waitFor(t, "STATUS with isvideo=1", func(e event) bool {
		return notification("STATUS,1,")(e) && isVideoField(e.args[1].(string)) == "1"
	})

	// call(peer) on the connected video call: video off by re-INVITE.
	require.True(t, a.e.Call("1002"))
	waitUntil(t, "a second offer", func() bool { return len(m.offers()) == 2 })
	assert.Equal(t, []bool{true, false}, m.offers(), "the re-INVITE drops video")
	waitUntil(t, "the answer applied", func() bool { return len(m.snapshot().applied) == 2 })
	assert.Len(t, a.e.lines.live(), 1, "no second call placed")

	// videocall(peer): video on again.
	require.True(t, a.e.VideoCall("1002"))
	waitUntil(t, "a third offer", func() bool { return len(m.offers()) == 3 })
	assert.Equal(t, []bool{true, false, true}, m.offers())

	// videocall("") applies to the current call too; mutevideo reaches the media.
	require.True(t, a.e.MuteVideo(true, 2))
	require.True(t, a.e.MuteVideo(false, 9)) // a bad direction means both
	mutes, _ := m.record()
	assert.Equal(t, []string{"2:true", "0:false"}, mutes)
}

// video=0 makes videocall an audio call; a Media without video does too.
func TestVideoCallFallsBackToAudio(t *testing.T) {
	ds := startDemo(t)
	b, _ := videoPhone(t, ds, "1002", "pass1002", map[string]string{"autoaccept": "true"})
	b.waitRegistered(t)
	a, av := videoPhone(t, ds, "1001", "pass1001", map[string]string{"video": "0"})
	require.True(t, a.e.VideoCall("1002"))
	a.rec.waitFor(t, "connected", callState("connected"))
	assert.Equal(t, []bool{false}, av.get(0).offers(), "video=0: no video offered")
	assert.False(t, a.e.ScreenShare(""), "video=0: no screen share")

	c := newPhone(t, ds, "1003", nil) // audio-only media
	require.True(t, c.e.VideoCall("1002"))
	c.rec.waitFor(t, "connected", callState("connected"))
	assert.False(t, c.e.MuteVideo(true, 0), "mutevideo without video media")
}

// screenshare on a connected call shares in place of the camera (no
// re-INVITE when the media says so) or asks for one; stopscreenshare
// stops it.
func TestScreenShareOnAConnectedCall(t *testing.T) {
	ds := startDemo(t)
	b, _ := videoPhone(t, ds, "1002", "pass1002", map[string]string{"autoaccept": "true"})
	b.waitRegistered(t)
	a, av := videoPhone(t, ds, "1001", "pass1001", nil)
	require.True(t, a.e.VideoCall("1002"))
	a.rec.waitFor(t, "connected", callState("connected"))
	m := av.get(0)

	require.True(t, a.e.ScreenShare("1002"))
	waitUntil(t, "the share", func() bool { _, s := m.record(); return len(s) == 1 })
	require.True(t, a.e.StopScreenShare())
	_, shares := m.record()
	assert.Equal(t, []bool{true, false}, shares)
	assert.Equal(t, []bool{true}, m.offers(), "replacing the camera needs no re-INVITE")

	m.vmu.Lock()
	m.reoffer = true
	m.vmu.Unlock()
	require.True(t, a.e.ScreenShare(""))
	waitUntil(t, "a re-INVITE for the screen", func() bool { return len(m.offers()) == 2 })
}

// autoaction=3 places a video call to callto.
func TestAutoaction3PlacesAVideoCall(t *testing.T) {
	ds := startDemo(t)
	b, _ := videoPhone(t, ds, "1002", "pass1002", map[string]string{"autoaccept": "true"})
	b.waitRegistered(t)
	_, av := videoPhone(t, ds, "1001", "pass1001", map[string]string{"callto": "1002", "autoaction": "3"})
	waitUntil(t, "the video offer", func() bool { m := av.get(0); return m != nil && len(m.offers()) == 1 })
	assert.Equal(t, []bool{true}, av.get(0).offers())
}

// screenshare(number) without a call to number places a video call whose
// video is the screen: the media shares before its first offer.
func TestScreenShareWithoutACallPlacesOne(t *testing.T) {
	ds := startDemo(t)
	b, _ := videoPhone(t, ds, "1002", "pass1002", map[string]string{"autoaccept": "true"})
	b.waitRegistered(t)
	a, av := videoPhone(t, ds, "1001", "pass1001", nil)
	assert.False(t, a.e.ScreenShare(" "), "no number and no call")
	assert.False(t, a.e.StopScreenShare(), "nothing shared")
	require.True(t, a.e.ScreenShare("1002"))
	a.rec.waitFor(t, "connected", callState("connected"))
	m := av.get(0)
	_, shares := m.record()
	assert.Equal(t, []bool{true}, shares)
	assert.Equal(t, []bool{true}, m.offers())
	require.True(t, a.e.StopScreenShare())
}

// A peer that refuses the video re-INVITE (488) leaves the call as it was:
// audio only, and the next offer (hold) without video.
func TestRefusedVideoUpgradeLeavesTheCallAsItWas(t *testing.T) {
	ds := startDemo(t)
	b, bv := videoPhone(t, ds, "1002", "pass1002", map[string]string{"autoaccept": "true"})
	b.waitRegistered(t)
	a, av := videoPhone(t, ds, "1001", "pass1001", nil)
	require.True(t, a.e.Call("1002"))
	a.rec.waitFor(t, "connected", callState("connected"))
	b.rec.waitFor(t, "b connected", callState("connected"))
	peer := bv.get(0)
	peer.vmu.Lock()
	peer.refuse = true
	peer.vmu.Unlock()

	m := av.get(0)
	require.True(t, a.e.VideoCall("1002"))
	waitUntil(t, "the refused upgrade", func() bool {
		return len(a.rec.find(func(e event) bool {
			return e.cb == "onEvent" && strings.Contains(fmt.Sprint(e.args...), "video on failed")
		})) > 0
	})
	assert.False(t, m.VideoOn(), "the media's video is off again")
	assert.Len(t, a.e.lines.live(), 1, "the call goes on")
}

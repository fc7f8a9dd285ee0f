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

// fakePlayer records what play() asks.
type fakePlayer struct {
	mu    sync.Mutex
	calls []string
}

func (p *fakePlayer) add(s string) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.calls = append(p.calls, s)
}

func (p *fakePlayer) PlaySound(file string, loop, toCalls bool) error {
	if file == "missing.wav" {
		return errors.New("HTTP 404")
	}
	p.add(fmt.Sprintf("play %s loop=%v calls=%v", file, loop, toCalls))
	return nil
}

func (p *fakePlayer) PreloadSound(file string) error { p.add("preload " + file); return nil }
func (p *fakePlayer) StopSounds()                    { p.add("stop") }

func (p *fakePlayer) log() []string {
	p.mu.Lock()
	defer p.mu.Unlock()
	return append([]string(nil), p.calls...)
}

func TestPlayLocallyIntoCallsAndStop(t *testing.T) {
	ds := startDemo(t)
	pl := &fakePlayer{}
	a := &phone{user: "1001", rec: &recorder{}, media: &mediaBox{}}
	a.e = New(Options{Dialer: nettransport.Dial, Media: a.media.factory, Storage: NewMapStorage(), Emit: a.rec.emit,
		AutoStartDelay: -1, Player: pl})
	t.Cleanup(a.e.Close)
	a.e.Init(map[string]string{"webrtcserveraddress": ds.WSURL(), "serveraddress": ds.Domain(),
		"username": "1001", "password": demoserver.DefaultAccounts()["1001"]}, "")
	a.e.AutoStart()
	a.waitRegistered(t)
	b := newPhone(t, ds, "1002", nil)
	b.waitRegistered(t)

	assert.True(t, a.e.Play(1, "beep.wav", false, false), "locally, without a call")
	assert.False(t, a.e.Play(1, "beep.wav", true, true), "into a call when there is none")
	assert.False(t, a.e.Play(1, "", false, false))
	assert.False(t, a.e.Play(1, "missing.wav", false, false), "a file that cannot be played")
	assert.True(t, a.e.Play(-1, "later.wav", false, false), "pre-cache")

	require.True(t, a.e.Call("1002"))
	b.rec.waitFor(t, "b ringing", callState("ringing"))
	require.True(t, b.e.Accept())
	a.rec.waitFor(t, "a connected", callState("connected"))
	assert.True(t, a.e.Play(1, "tone.wav", true, true))
	assert.True(t, a.e.Play(0, "", false, false))
	assert.Equal(t, []string{"play beep.wav loop=false calls=false", "preload later.wav",
		"play tone.wav loop=true calls=true", "stop"}, pl.log())

	e := New(Options{AutoStartDelay: -1})
	defer e.Close()
	assert.False(t, e.Play(1, "beep.wav", false, false), "no player")
}

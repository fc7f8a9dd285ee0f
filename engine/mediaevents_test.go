package engine

import (
	"strings"
	"sync"
	"testing"

	"github.com/opensoftphone/webphone/demoserver"
	"github.com/opensoftphone/webphone/sipcore/nettransport"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// pcmLikeMedia is a fake media that reads RTP itself: it reports digits
// and counts packets.
type pcmLikeMedia struct {
	fakeMedia
	mu     sync.Mutex
	onDTMF func(string)
}

func (m *pcmLikeMedia) SetDTMFHandler(f func(string)) {
	m.mu.Lock()
	m.onDTMF = f
	m.mu.Unlock()
}

func (m *pcmLikeMedia) digit(d string) {
	m.mu.Lock()
	f := m.onDTMF
	m.mu.Unlock()
	if f != nil {
		f(d)
	}
}

func (m *pcmLikeMedia) RTPStat() RTPStat {
	return RTPStat{Quality: 5, Sent: 250, Received: 240, Issues: 3, Lost: 2}
}

func TestMediaDigitsAndRTPStatisticsReachThePage(t *testing.T) {
	ds := startDemo(t)
	var mu sync.Mutex
	var medias []*pcmLikeMedia
	b := &phone{user: "1002", rec: &recorder{}}
	b.e = New(Options{Dialer: nettransport.Dial, Storage: NewMapStorage(), Emit: b.rec.emit, AutoStartDelay: -1,
		Media: func(line int, _ *Params) (Media, error) {
			m := &pcmLikeMedia{fakeMedia: fakeMedia{line: line}}
			mu.Lock()
			medias = append(medias, m)
			mu.Unlock()
			return m, nil
		}})
	t.Cleanup(b.e.Close)
	b.e.Init(map[string]string{
		"webrtcserveraddress": ds.WSURL(), "serveraddress": ds.Domain(), "username": "1002",
		"password": demoserver.DefaultAccounts()["1002"], "rtpstat": "1", "loglevel": "5",
	}, "")
	b.e.AutoStart()
	b.waitRegistered(t)
	a := newPhone(t, ds, "1001", nil)
	a.waitRegistered(t)
	require.True(t, a.e.Call("1002"))
	b.rec.waitFor(t, "incoming ringing", callState("ringing"))
	require.True(t, b.e.Accept())
	b.rec.waitFor(t, "connected", callState("connected"))

	mu.Lock()
	m := medias[0]
	mu.Unlock()
	m.digit("7")
	b.rec.waitFor(t, "onDTMF 7 on line 1", func(e event) bool {
		return e.cb == "onDTMF" && e.args[0] == "7" && e.args[1] == 1
	})
	b.rec.waitFor(t, "the DTMF notification", notification("DTMF,1,1001,1,7"))
	b.rec.waitFor(t, "an RTPSTAT notification", notification("RTPSTAT,5,250,240,3,2"))

	require.True(t, b.e.Hangup(-1))
	b.rec.waitFor(t, "disconnected", callState("disconnected"))
	assert.Contains(t, b.e.GetLogs(), "rtp stat: sent 250 rec 240 loss 2 0.8%")
	// a digit after the call ended is not reported
	before := len(b.rec.find(named("onDTMF", "8")))
	m.digit("8")
	assert.Equal(t, before, len(b.rec.find(named("onDTMF", "8"))))
}

func TestEngineNameFollowsTheOption(t *testing.T) {
	e := New(Options{AutoStartDelay: -1})
	assert.Equal(t, "webrtc", e.GetEngineName())
	name := "pcm"
	e = New(Options{AutoStartDelay: -1, EngineName: func() string { return name }})
	assert.Equal(t, "pcm", e.GetEngineName())
	name = ""
	assert.Equal(t, "webrtc", e.GetEngineName(), "no answer yet: webrtc")
}

func TestRTPStatString(t *testing.T) {
	assert.True(t, strings.HasPrefix(RTPStat{Quality: 4, Sent: 1}.String(), "RTPSTAT,4,1,0,0,0"))
}

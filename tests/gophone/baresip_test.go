package gophone

import (
	"context"
	"fmt"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/opensoftphone/webphone/mediacore"
	"github.com/opensoftphone/webphone/sipcore"
	"github.com/opensoftphone/webphone/tests/infra"
)

const (
	goTone      = 1000.0 // what the Go phone sends
	baresipTone = 440.0  // what baresip sends
	wait        = 15 * time.Second
	// toneWindows is how many 200 ms windows of clean tone count as hearing it.
	toneWindows = 5
)

var users = map[string]string{"gophone": "go-secret-1", "bob": "bob-secret-2"}

// rig is one Kamailio, one baresip (bob, auto-answer, sending 440 Hz) and
// the Go phone registered to Kamailio.
type rig struct {
	k     *infra.Kamailio
	r     *infra.Rtpengine
	b     *infra.Baresip
	p     *Phone
	trace *sipTrace
	// registrar is where baresip dials the Go phone (host:port).
	registrar string
	// checkLine, when set, checks more of each call's media path.
	checkLine func(t *testing.T, l *Line)
}

// startRig starts everything; sipAddress picks the Go phone's transport.
func startRig(t *testing.T, withRtpengine bool, sipAddress func(*infra.Kamailio) string) *rig {
	t.Helper()
	return startRigWith(t, withRtpengine, sipAddress, nil)
}

// startRigWith is startRig with the Go phone's media sockets from media
// (nil: UDP sockets).
func startRigWith(t *testing.T, withRtpengine bool, sipAddress func(*infra.Kamailio) string, media func() (MediaConns, error)) *rig {
	t.Helper()
	rg := &rig{trace: &sipTrace{}}
	opts := infra.KamailioOptions{Users: users}
	if withRtpengine {
		rg.r = infra.StartRtpengine(t)
		opts.RtpengineNG = rg.r.NGAddr
	}
	rg.k = infra.StartKamailio(t, opts)
	rg.registrar = rg.k.UDPAddr
	wav := filepath.Join(t.TempDir(), "bob-440.wav")
	// Longer than the test: baresip 1.0 hangs up when its audio file ends.
	require.NoError(t, infra.WriteToneWAV(wav, baresipTone, 120, 8000))
	rg.b = infra.StartBaresip(t, infra.BaresipOptions{User: "bob", Password: users["bob"],
		Registrar: rg.k.UDPAddr, AudioWAV: wav, AutoAnswer: true})

	cfg := sipcore.NewConfig()
	cfg.Address = sipAddress(rg.k)
	cfg.Domain = rg.k.Domain
	cfg.Username = "gophone"
	cfg.Password = users["gophone"]
	cfg.DisplayName = "Go Phone"
	rg.p = New(Config{
		SIP:    cfg,
		Source: func() mediacore.PCMSource { return mediacore.NewTone(mediacore.SineTone(goTone, 0.3)) },
		Trace:  rg.trace.add,
		Media:  media,
	})
	t.Cleanup(rg.p.Stop) // runs before baresip's and Kamailio's cleanups: unregisters while they live
	ctx, cancel := context.WithTimeout(context.Background(), wait)
	defer cancel()
	require.NoError(t, rg.p.Start(ctx), "the Go phone did not register")
	require.Equal(t, sipcore.RegRegistered, rg.p.UA().RegState())
	t.Cleanup(func() {
		if t.Failed() {
			t.Logf("Go phone SIP trace:\n%s", rg.trace.String())
			t.Logf("baresip log (tail):\n%s", tail(rg.b.Log(), 6000))
			t.Logf("Kamailio log (tail):\n%s", tail(rg.k.Log(), 4000))
		}
	})
	return rg
}

// goPhoneCallsBaresip: the Go phone calls bob; tones and RFC 4733 digits
// cross both ways; the Go phone hangs up.
func (rg *rig) goPhoneCallsBaresip(t *testing.T) {
	l, err := rg.p.Call(rg.b.AOR)
	require.NoError(t, err)
	_, err = l.WaitState(sipcore.CallConnected, wait)
	require.NoError(t, err)
	_, err = rg.b.WaitEvent("CALL_ESTABLISHED", wait)
	require.NoError(t, err, "baresip did not establish the call")
	require.NoError(t, l.MediaError())
	rg.checkMediaPath(t, l)

	rg.exchange(t, l, "19#", "4*7")

	// Hold from the Go phone: a sendonly re-offer, answered recvonly by
	// baresip, which then stops sending; resuming brings its tone back.
	require.NoError(t, l.Renegotiate(mediacore.SendOnly))
	neg, _ := l.Session().Negotiated()
	require.Equal(t, mediacore.SendOnly, neg.Direction)
	require.Contains(t, string(l.Call().RemoteSDP()), "a=recvonly")
	require.True(t, l.Heard.WaitQuiet(l.Heard.Windows(), 3, wait), "baresip kept sending while held")
	require.NoError(t, l.Renegotiate(mediacore.SendRecv))
	neg, _ = l.Session().Negotiated()
	require.Equal(t, mediacore.SendRecv, neg.Direction)
	require.True(t, l.Heard.WaitTone(baresipTone, l.Heard.Windows(), toneWindows, wait),
		"no %v Hz after the Go phone resumed", baresipTone)

	require.NoError(t, l.Hangup())
	ev, err := rg.b.WaitEvent("CALL_CLOSED", wait)
	require.NoError(t, err, "baresip did not see the Go phone's BYE")
	require.NotContains(t, ev.Param, "end of file", "baresip's call ended by its audio file, not by the BYE")
	_, err = l.WaitState(sipcore.CallDisconnected, wait)
	require.NoError(t, err)
	require.False(t, l.Session().Running(), "media still running after the call ended")
	rg.checkBaresipHeardGoTone(t, 1)
}

// baresipCallsGoPhone: bob calls the Go phone, which answers with
// Session.ApplyOffer; tones and digits cross both ways; bob holds and
// resumes (re-INVITEs answered by the session), then hangs up.
func (rg *rig) baresipCallsGoPhone(t *testing.T) {
	require.NoError(t, rg.b.Dial(rg.p.AOR(rg.registrar)))
	in, err := rg.p.WaitIncoming(wait)
	require.NoError(t, err)
	require.Equal(t, sipcore.Incoming, in.Call().Direction())
	require.Contains(t, in.Call().RemoteURI(), "bob")
	require.NoError(t, in.Answer())
	_, err = in.WaitState(sipcore.CallConnected, wait)
	require.NoError(t, err)
	_, err = rg.b.WaitEvent("CALL_ESTABLISHED", wait)
	require.NoError(t, err, "baresip did not establish the call")
	rg.checkMediaPath(t, in)

	rg.exchange(t, in, "2580", "*0#")

	// Hold: baresip re-offers sendonly, the session answers recvonly.
	_, err = rg.b.Command("hold", "")
	require.NoError(t, err)
	require.NoError(t, in.WaitOffers(1, wait), "the Go phone got no hold re-INVITE")
	neg, ok := in.Session().Negotiated()
	require.True(t, ok)
	require.Equal(t, mediacore.RecvOnly, neg.Direction, "hold (sendonly offer) must be answered recvonly")
	require.Contains(t, string(in.Call().LastInvite(true)), "a=sendonly")
	// Resume: sendrecv again, and bob's tone keeps arriving.
	_, err = rg.b.Command("resume", "")
	require.NoError(t, err)
	require.NoError(t, in.WaitOffers(2, wait), "the Go phone got no resume re-INVITE")
	neg, _ = in.Session().Negotiated()
	require.Equal(t, mediacore.SendRecv, neg.Direction)
	from := in.Heard.Windows()
	require.True(t, in.Heard.WaitTone(baresipTone, from, toneWindows, wait),
		"no %v Hz after resume", baresipTone)

	require.NoError(t, rg.b.Hangup())
	st, err := in.WaitState(sipcore.CallDisconnected, wait)
	require.NoError(t, err)
	require.Contains(t, st, "remote")
	_, err = rg.b.WaitEvent("CALL_CLOSED", wait)
	require.NoError(t, err)
	require.False(t, in.Session().Running(), "media still running after the call ended")
	rg.checkBaresipHeardGoTone(t, 2)
}

// exchange checks an established call's media: each side hears the other's
// tone, the Go phone's RFC 4733 digits reach baresip, baresip's reach the Go
// phone's detector.
func (rg *rig) exchange(t *testing.T, l *Line, goDigits, bobDigits string) {
	t.Helper()
	require.True(t, l.Heard.WaitTone(baresipTone, 0, toneWindows, wait),
		"the Go phone did not hear baresip's %v Hz (%d windows, %d with it; stats %+v)",
		baresipTone, l.Heard.Windows(), l.Heard.CountTone(baresipTone, 0), l.Session().Stats())
	require.Zero(t, l.Heard.CountTone(goTone, 0), "the Go phone heard its own tone")

	require.NoError(t, l.SendDTMF(goDigits, 120))
	var got strings.Builder
	for range goDigits {
		ev, err := rg.b.WaitEvent("CALL_DTMF_START", wait)
		require.NoError(t, err, "baresip reported %q of %q", got.String(), goDigits)
		got.WriteString(ev.Param)
	}
	require.Equal(t, goDigits, got.String(), "digits baresip reported")

	require.NoError(t, rg.b.SendDTMF(bobDigits))
	digits, err := l.WaitDigits(len(bobDigits), wait)
	require.NoError(t, err, "the Go phone detected %q of baresip's %q", digits, bobDigits)
	require.Equal(t, bobDigits, digits)
	st := l.Session().Stats()
	require.EqualValues(t, len(goDigits), st.DTMFSent)
	require.EqualValues(t, len(bobDigits), st.DTMFReceived)
}

// checkMediaPath: with rtpengine, the peer's SDP and the address the
// session sends to are rtpengine's (plain RTP/AVP); without it, baresip's own.
func (rg *rig) checkMediaPath(t *testing.T, l *Line) {
	t.Helper()
	remote, err := mediacore.ParseRemoteMedia(l.Call().RemoteSDP())
	require.NoError(t, err)
	require.Equal(t, "127.0.0.1", remote.Address)
	sdp := string(l.Call().RemoteSDP())
	require.Contains(t, sdp, "RTP/AVP ", "plain RTP expected, got:\n%s", sdp)
	require.NotContains(t, sdp, "a=ice-", "no ICE toward a plain RTP phone")
	if rg.checkLine != nil {
		rg.checkLine(t, l)
	}
	if rg.r == nil {
		return
	}
	inRange := func(port int) bool { return port >= rg.r.PortMin && port <= rg.r.PortMax }
	require.True(t, inRange(remote.Port), "remote RTP port %d is not rtpengine's %d-%d", remote.Port, rg.r.PortMin, rg.r.PortMax)
	require.True(t, inRange(l.Session().RemoteAddr().Port), "the session sends to %v, not rtpengine", l.Session().RemoteAddr())
	klog := rg.k.Log()
	require.Contains(t, klog, "rtpengine offer toward", "Kamailio did not anchor the media in rtpengine")
	require.Contains(t, klog, "RTP/AVP", "Kamailio did not use rtpengine's RTP/AVP flags")
}

// checkBaresipHeardGoTone: baresip's sndfile dump of the call's received
// audio (the n-th "-dec" file) is the Go phone's 1 kHz tone.
func (rg *rig) checkBaresipHeardGoTone(t *testing.T, n int) {
	t.Helper()
	wavs := rg.b.ReceivedWAVs()
	require.Len(t, wavs, n, "baresip's received-audio dumps: %v", rg.b.RecordedWAVs())
	for _, w := range wavs {
		f, err := infra.DominantFrequency(w)
		require.NoError(t, err)
		require.True(t, infra.HasTone(w, goTone), "baresip received %v Hz in %s, want %v Hz", f, w, goTone)
	}
}

func TestGoPhoneAndBaresipOverUDP(t *testing.T) {
	rg := startRig(t, false, func(k *infra.Kamailio) string { return "udp:" + k.UDPAddr })
	t.Run("GoPhoneCallsBaresip", rg.goPhoneCallsBaresip)
	t.Run("BaresipCallsGoPhone", rg.baresipCallsGoPhone)
}

// TestGoPhoneAndBaresipThroughRtpengine: the same calls with Kamailio
// anchoring the media in rtpengine (RTP/AVP flags toward both UDP hops).
func TestGoPhoneAndBaresipThroughRtpengine(t *testing.T) {
	rg := startRig(t, true, func(k *infra.Kamailio) string { return "udp:" + k.UDPAddr })
	t.Run("GoPhoneCallsBaresip", rg.goPhoneCallsBaresip)
	t.Run("BaresipCallsGoPhone", rg.baresipCallsGoPhone)
}

func TestGoPhoneAndBaresipOverWebSocket(t *testing.T) {
	rg := startRig(t, false, func(k *infra.Kamailio) string { return k.WSURL })
	t.Run("GoPhoneCallsBaresip", rg.goPhoneCallsBaresip)
	t.Run("BaresipCallsGoPhone", rg.baresipCallsGoPhone)
}

// sipTrace keeps the Go phone's SIP messages for failure reports.
type sipTrace struct {
	mu  sync.Mutex
	buf strings.Builder
}

func (s *sipTrace) add(dir string, data []byte) {
	s.mu.Lock()
	fmt.Fprintf(&s.buf, "--- %s %s\n%s\n", dir, time.Now().Format("15:04:05.000"), data)
	s.mu.Unlock()
}

func (s *sipTrace) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.buf.String()
}

func tail(s string, n int) string {
	if len(s) > n {
		return s[len(s)-n:]
	}
	return s
}

package gophone

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/netip"
	"path/filepath"
	"sync/atomic"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/opensoftphone/webphone/demoserver"
	"github.com/opensoftphone/webphone/mediacore"
	"github.com/opensoftphone/webphone/rtprelay"
	"github.com/opensoftphone/webphone/sipcore"
	"github.com/opensoftphone/webphone/tests/infra"
)

// relayMedia gives each call of the Go phone a stream of an RTP relay, as
// the PCM engine does in the page: the phone's RTP and RTCP travel over one
// WebSocket to the relay, which forwards them over UDP.
type relayMedia struct {
	client atomic.Pointer[rtprelay.Client]
}

func (m *relayMedia) conns() (MediaConns, error) {
	c := m.client.Load()
	if c == nil {
		return MediaConns{}, errors.New("no relay connection yet")
	}
	ctx, cancel := context.WithTimeout(context.Background(), wait)
	defer cancel()
	s, err := c.Allocate(ctx)
	if err != nil {
		return MediaConns{}, err
	}
	return MediaConns{RTP: s.RTP(), RTCP: s.RTCP(), Address: s.IP().String(), Close: s.Close}, nil
}

// connect dials the relay with token and waits for admission.
func (m *relayMedia) connect(t *testing.T, url string, token string) *rtprelay.Client {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), wait)
	defer cancel()
	c, err := rtprelay.DialWebSocket(ctx, url, rtprelay.DialOptions{Token: token})
	require.NoError(t, err)
	t.Cleanup(func() { c.Close() })
	require.NoError(t, c.Ready(ctx), "the relay did not admit the Go phone")
	m.client.Store(c)
	return c
}

// relayPortRange finds a UDP port range on 127.0.0.1 free a moment ago.
func relayPortRange(t *testing.T) rtprelay.PortRange {
	t.Helper()
	c, err := net.ListenPacket("udp4", "127.0.0.1:0")
	require.NoError(t, err)
	p := c.LocalAddr().(*net.UDPAddr).Port
	c.Close()
	p -= p % 2
	if p+20 > 65535 {
		p -= 40
	}
	return rtprelay.PortRange{Min: p, Max: p + 19}
}

// checkRelayed: the Go phone's SDP advertises a relay port (its session's
// local address), and the session sends to baresip's own address.
func checkRelayed(ports rtprelay.PortRange) func(t *testing.T, l *Line) {
	return func(t *testing.T, l *Line) {
		local := l.Session().LocalAddr().(*net.UDPAddr)
		require.Equal(t, "127.0.0.1", local.IP.String())
		require.True(t, local.Port >= ports.Min && local.Port <= ports.Max, "the Go phone's media port %d is not the relay's %v", local.Port, ports)
		remote, err := mediacore.ParseRemoteMedia(l.Call().RemoteSDP())
		require.NoError(t, err)
		require.False(t, remote.Port >= ports.Min && remote.Port <= ports.Max, "baresip's SDP names a relay port")
	}
}

// streamsAfterSync is the relay's stream count once every control message
// the client sent so far was handled: an alloc round trip orders it (the
// relay handles a connection's messages in order), and the extra stream is
// not counted.
func streamsAfterSync(t *testing.T, c *rtprelay.Client, stats func() rtprelay.Stats) int {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), wait)
	defer cancel()
	s, err := c.Allocate(ctx)
	require.NoError(t, err)
	n := stats().Streams - 1
	require.NoError(t, s.Close())
	return n
}

// TestGoPhoneAndBaresipThroughDemoServerRelay: the Go phone registers to the
// demo server over WebSocket, takes the relay token from the REGISTER 200 OK
// and calls baresip (and is called by it) over plain RTP/AVP with the media
// through the demo server's relay; no rtpengine, no Kamailio.
func TestGoPhoneAndBaresipThroughDemoServerRelay(t *testing.T) {
	ports := relayPortRange(t)
	ds, err := demoserver.New(demoserver.Options{Addr: "127.0.0.1:0", UDPAddr: "127.0.0.1:0", Accounts: users,
		RelayPorts: ports, Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
	require.NoError(t, err)
	require.NoError(t, ds.Start(context.Background()))
	t.Cleanup(func() { ds.Close() })

	rg := &rig{trace: &sipTrace{}, registrar: ds.UDPAddr(), checkLine: checkRelayed(ports)}
	wav := filepath.Join(t.TempDir(), "bob-440.wav")
	require.NoError(t, infra.WriteToneWAV(wav, baresipTone, 120, 8000))
	rg.b = infra.StartBaresip(t, infra.BaresipOptions{User: "bob", Password: users["bob"],
		Registrar: ds.UDPAddr(), AudioWAV: wav, AutoAnswer: true})

	media := &relayMedia{}
	cfg := sipcore.NewConfig()
	cfg.Address = ds.WSURL()
	cfg.Domain = ds.Domain()
	cfg.Username = "gophone"
	cfg.Password = users["gophone"]
	rg.p = New(Config{
		SIP:    cfg,
		Source: func() mediacore.PCMSource { return mediacore.NewTone(mediacore.SineTone(goTone, 0.3)) },
		Trace:  rg.trace.add,
		Media:  media.conns,
	})
	t.Cleanup(rg.p.Stop)
	ctx, cancel := context.WithTimeout(context.Background(), wait)
	defer cancel()
	require.NoError(t, rg.p.Start(ctx), "the Go phone did not register")
	token := rg.p.UA().RegistrationHeader("X-Webphone-Relay-Token")
	require.NotEmpty(t, token, "no relay token in the REGISTER 200 OK")
	client := media.connect(t, ds.RelayURL(), token)
	t.Cleanup(func() {
		if t.Failed() {
			t.Logf("Go phone SIP trace:\n%s", rg.trace.String())
			t.Logf("baresip log (tail):\n%s", tail(rg.b.Log(), 6000))
			t.Logf("relay stats %+v", ds.RelayStats())
		}
	})

	t.Run("GoPhoneCallsBaresip", rg.goPhoneCallsBaresip)
	require.Zero(t, streamsAfterSync(t, client, ds.RelayStats), "the hangup left relay ports allocated")
	t.Run("BaresipCallsGoPhone", rg.baresipCallsGoPhone)
	require.Zero(t, streamsAfterSync(t, client, ds.RelayStats), "the hangup left relay ports allocated")

	st := ds.RelayStats()
	require.NotZero(t, st.PacketsToPeer)
	require.NotZero(t, st.PacketsToPage)
	require.Zero(t, st.Forbidden, "the relay refused packets to the call's own addresses")
	require.Zero(t, st.Junk)
}

// TestGoPhoneAndBaresipThroughKamailioAndStandaloneRelay: the same calls
// through Kamailio (no rtpengine), the media through the standalone relay
// beside it (admitted by secret, sending only into the -allow network).
func TestGoPhoneAndBaresipThroughKamailioAndStandaloneRelay(t *testing.T) {
	ports := relayPortRange(t)
	relay, err := rtprelay.NewServer(rtprelay.Config{
		PublicIP: netip.MustParseAddr("127.0.0.1"),
		Ports:    ports,
		Admission: rtprelay.SecretOrOrigin{Secret: "relay-secret",
			Policy: rtprelay.Networks{netip.MustParsePrefix("127.0.0.1/32")}},
	})
	require.NoError(t, err)
	ln, err := net.Listen("tcp4", "127.0.0.1:0")
	require.NoError(t, err)
	mux := http.NewServeMux()
	mux.Handle("/rtp", relay)
	hs := &http.Server{Handler: mux}
	go hs.Serve(ln)
	t.Cleanup(func() {
		hs.Close()
		relay.Close()
	})
	url := "ws://" + ln.Addr().String() + "/rtp"

	// A wrong secret is refused.
	ctx, cancel := context.WithTimeout(context.Background(), wait)
	defer cancel()
	bad, err := rtprelay.DialWebSocket(ctx, url, rtprelay.DialOptions{Token: "guess"})
	require.NoError(t, err)
	var re *rtprelay.Error
	require.True(t, errors.As(bad.Ready(ctx), &re) && re.Code == rtprelay.CodeForbidden, "a wrong secret was admitted")
	bad.Close()

	media := &relayMedia{}
	rg := startRigWith(t, false, func(k *infra.Kamailio) string { return k.WSURL }, media.conns)
	rg.checkLine = checkRelayed(ports)
	client := media.connect(t, url, "relay-secret")

	t.Run("GoPhoneCallsBaresip", rg.goPhoneCallsBaresip)
	require.Zero(t, streamsAfterSync(t, client, relay.Stats), "the hangup left relay ports allocated")
	t.Run("BaresipCallsGoPhone", rg.baresipCallsGoPhone)
	require.Zero(t, streamsAfterSync(t, client, relay.Stats), "the hangup left relay ports allocated")
	st := relay.Stats()
	require.NotZero(t, st.PacketsToPeer)
	require.NotZero(t, st.PacketsToPage)
	require.Zero(t, st.Forbidden)
	require.Zero(t, st.Junk)
	require.NotContains(t, rg.k.Log(), "rtpengine offer toward", "rtpengine in the media path")
}

package demoserver

import (
	"context"
	"errors"
	"net"
	"testing"
	"time"

	"github.com/emiago/sipgo"
	"github.com/emiago/sipgo/sip"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/opensoftphone/webphone/rtprelay"
)

// relayRange finds a free UDP port range on 127.0.0.1 for the relay.
func relayRange(t *testing.T) rtprelay.PortRange {
	t.Helper()
	c, err := net.ListenPacket("udp4", "127.0.0.1:0")
	require.NoError(t, err)
	p := c.LocalAddr().(*net.UDPAddr).Port
	c.Close()
	p += p % 2
	return rtprelay.PortRange{Min: p, Max: p + 9}
}

func dialRelay(t *testing.T, ds *Server, token string) *rtprelay.Client {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), waitLong)
	defer cancel()
	c, err := rtprelay.DialWebSocket(ctx, ds.RelayURL(), rtprelay.DialOptions{Token: token})
	require.NoError(t, err)
	t.Cleanup(func() { c.Close() })
	return c
}

// The REGISTER 200 OK carries a relay token; with it a page reaches the
// media address the callee's SDP announced, and nothing else.
func TestRelayAdmitsRegisteredPageToItsCallsMedia(t *testing.T) {
	ds := startServerWith(t, Options{RelayPorts: relayRange(t)})
	require.Contains(t, ds.RelayURL(), "/rtp")
	a := newPhone(t, ds, "WS", "1001")
	b := newPhone(t, ds, "UDP", "1003")
	res := a.registerWith(a.pass, 300)
	require.Equal(t, 200, res.StatusCode)
	token := headerValue(res, relayTokenHeader)
	require.Len(t, token, 32, "no relay token in the REGISTER 200 OK")
	again := a.registerWith(a.pass, 300)
	assert.Equal(t, token, headerValue(again, relayTokenHeader), "a refresh keeps the token")
	b.register()

	// A made-up token is refused.
	bad := dialRelay(t, ds, "0123456789abcdef0123456789abcdef")
	ctx, cancel := context.WithTimeout(context.Background(), waitLong)
	defer cancel()
	var re *rtprelay.Error
	require.True(t, errors.As(bad.Ready(ctx), &re), "a made-up token was admitted")
	assert.Equal(t, rtprelay.CodeForbidden, re.Code)

	peer, err := net.ListenUDP("udp4", &net.UDPAddr{IP: net.IPv4(127, 0, 0, 1)})
	require.NoError(t, err)
	defer peer.Close()
	other, err := net.ListenUDP("udp4", &net.UDPAddr{IP: net.IPv4(127, 0, 0, 1)})
	require.NoError(t, err)
	defer other.Close()
	peerPort := peer.LocalAddr().(*net.UDPAddr).Port
	b.setOnInvite(func(d *sipgo.DialogServerSession) {
		_ = d.RespondSDP([]byte("v=0\r\no=- 2 2 IN IP4 127.0.0.1\r\ns=-\r\nc=IN IP4 127.0.0.1\r\nt=0 0\r\nm=audio " +
			itoa(peerPort) + " RTP/AVP 0\r\n"))
	})

	c := dialRelay(t, ds, token)
	s, err := c.Allocate(ctx)
	require.NoError(t, err)
	assert.Equal(t, "127.0.0.1", s.IP().String())

	// Before the call, the peer's address is nobody's media.
	_, err = s.RTP().WriteTo([]byte("early"), peer.LocalAddr())
	require.NoError(t, err)
	// The relay handles a connection's frames in order: once a later alloc
	// is answered, the early packet was handled.
	sync, err := c.Allocate(ctx)
	require.NoError(t, err)
	_ = sync.Close()
	assert.EqualValues(t, 1, ds.RelayStats().Forbidden)

	d, err := a.call("1003")
	require.NoError(t, err)
	require.NoError(t, d.Ack(ctx))
	recv(t, b.acks, "ACK")

	_, err = s.RTP().WriteTo([]byte("sneak"), other.LocalAddr())
	require.NoError(t, err)
	// The caller's own SDP (127.0.0.1:4000) is no destination for the caller.
	_, err = s.RTP().WriteTo([]byte("own sdp"), &net.UDPAddr{IP: net.IPv4(127, 0, 0, 1), Port: 4000})
	require.NoError(t, err)
	_, err = s.RTP().WriteTo([]byte("rtp"), peer.LocalAddr())
	require.NoError(t, err)
	buf := make([]byte, 100)
	_ = peer.SetReadDeadline(time.Now().Add(waitLong))
	n, from, err := peer.ReadFromUDP(buf)
	require.NoError(t, err)
	assert.Equal(t, "rtp", string(buf[:n]), "the peer got the packet sent before the call")
	assert.Equal(t, s.Port(), from.Port)
	_ = other.SetReadDeadline(time.Now())
	_, _, err = other.ReadFromUDP(buf)
	assert.Error(t, err, "a page reached an address no SDP gave it")
	assert.EqualValues(t, 3, ds.RelayStats().Forbidden)

	// Another registered user, not in the call, cannot reach the peer.
	cu := newPhone(t, ds, "WS", "1002")
	res = cu.registerWith(cu.pass, 300)
	require.Equal(t, 200, res.StatusCode)
	c2 := dialRelay(t, ds, headerValue(res, relayTokenHeader))
	s2, err := c2.Allocate(ctx)
	require.NoError(t, err)
	_, err = s2.RTP().WriteTo([]byte("third party"), peer.LocalAddr())
	require.NoError(t, err)
	_, err = s.RTCP().WriteTo([]byte("rtcp"), &net.UDPAddr{IP: net.IPv4(127, 0, 0, 1), Port: peerPort + 1})
	require.NoError(t, err)
	for _, cl := range []*rtprelay.Client{c, c2} { // round trips: the packets above were handled
		x, err := cl.Allocate(ctx)
		require.NoError(t, err)
		_ = x.Close()
	}
	st := ds.RelayStats()
	assert.EqualValues(t, 4, st.Forbidden, "the third party's packet was not refused")
	assert.EqualValues(t, 2, st.PacketsToPeer, "the RTP and the RTCP (port+1) of the call")
	require.NoError(t, d.Bye(ctx))
	recv(t, b.byes, "BYE")
	_ = s2.Close()
	_ = s.Close()

	// Unregistered, the token admits nobody.
	res = a.registerWith(a.pass, 0)
	require.Equal(t, 200, res.StatusCode)
	late := dialRelay(t, ds, token)
	require.True(t, errors.As(late.Ready(ctx), &re), "the token outlived its registration")
	assert.Equal(t, sip.StatusForbidden, re.Code)
}

// NoRelay: no token, no /rtp.
func TestNoRelayOption(t *testing.T) {
	ds := startServerWith(t, Options{NoRelay: true})
	a := newPhone(t, ds, "WS", "1001")
	res := a.registerWith(a.pass, 300)
	require.Equal(t, 200, res.StatusCode)
	assert.Empty(t, headerValue(res, relayTokenHeader))
	assert.Empty(t, ds.RelayURL())
}

// A user's page may hold a bounded number of relay connections.
func TestRelayConnectionsPerUserAreBounded(t *testing.T) {
	ds := startServerWith(t, Options{RelayPorts: relayRange(t)})
	a := newPhone(t, ds, "WS", "1001")
	res := a.registerWith(a.pass, 300)
	require.Equal(t, 200, res.StatusCode)
	token := headerValue(res, relayTokenHeader)
	ctx, cancel := context.WithTimeout(context.Background(), waitLong)
	defer cancel()
	for i := 0; i < maxRelayConnsPerUser; i++ {
		require.NoError(t, dialRelay(t, ds, token).Ready(ctx))
	}
	var re *rtprelay.Error
	require.True(t, errors.As(dialRelay(t, ds, token).Ready(ctx), &re), "a connection over the limit was admitted")
	assert.Equal(t, rtprelay.CodeTooMany, re.Code)
}

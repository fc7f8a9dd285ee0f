package sipua

import (
	"context"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/opensoftphone/webphone/sipcore"
	"github.com/opensoftphone/webphone/sipcore/nettransport"
)

// runScenarios runs the call scenarios the sipcore issue requires between
// two agents registered to srv as users a and b.
func runScenarios(t *testing.T, srv server, a, b string) {
	t.Run("wrong password fails with the reason", func(t *testing.T) {
		x := newAgent(t, srv, a, "not-the-password", false)
		err := x.ua.Register()
		require.Error(t, err)
		x.mu.Lock()
		last := x.regs[len(x.regs)-1]
		x.mu.Unlock()
		assert.Regexp(t, `^failed\|(403|401) `, last)
		assert.Equal(t, sipcore.RegFailed, x.ua.RegState())
	})

	t.Run("unreachable server fails clearly", func(t *testing.T) {
		bad := srv
		bad.wsURL = "ws://127.0.0.1:1/"
		cfg := sipcore.NewConfig()
		cfg.Address, cfg.Domain, cfg.Username = bad.wsURL, srv.domain, a
		var reason string
		ua := sipcore.NewUA(cfg, nettransport.Dial, sipcore.Events{RegState: func(s sipcore.RegState, r string) { reason = string(s) + "|" + r }})
		defer ua.Stop()
		require.Error(t, ua.Start(context.Background()))
		assert.True(t, strings.HasPrefix(reason, "failed|transport:"), reason)
		assert.Contains(t, reason, "refused")
	})

	t.Run("keepalives keep an idle flow alive", func(t *testing.T) {
		x := newAgent(t, srv, a, srv.users[a], true, func(c *sipcore.Config) {
			c.KeepaliveInterval = 150 * time.Millisecond
			c.DeadTimeout = 400 * time.Millisecond
		})
		time.Sleep(2 * time.Second) // idle: several keepalive rounds
		assert.True(t, x.ua.Connected(), "the server answers keepalives or probes")
		x.mu.Lock()
		regs := append([]string(nil), x.regs...)
		x.mu.Unlock()
		assert.Equal(t, "registered|", regs[len(regs)-1], "no spurious failure: %v", regs)
		require.NoError(t, x.ua.Unregister())
	})

	t.Run("re-registration reuses the nonce", func(t *testing.T) {
		var mu sync.Mutex
		var challenges int
		x := newAgent(t, srv, a, srv.users[a], true)
		x.onTrace(func(dir string, data []byte) {
			if dir == "in" && strings.HasPrefix(string(data), "SIP/2.0 401") {
				mu.Lock()
				challenges++
				mu.Unlock()
			}
		})
		require.NoError(t, x.ua.Register())
		require.NoError(t, x.ua.Unregister())
		mu.Lock()
		defer mu.Unlock()
		assert.Equal(t, 0, challenges, "credentials sent up front were accepted")
	})

	caller := newAgent(t, srv, a, srv.users[a], true)
	callee := newAgent(t, srv, b, srv.users[b], true)

	t.Run("call, ring, answer, hold and unhold both ways, INFO, BYE from caller", func(t *testing.T) {
		out, err := caller.ua.Call(b, []byte(plainSDP))
		require.NoError(t, err)
		in := callee.waitIncoming()
		assert.Equal(t, a, in.RemoteUser())
		assert.Equal(t, sipcore.Incoming, in.Direction())
		assert.Contains(t, string(in.RemoteSDP()), "m=audio 40000")
		caller.waitState(out, "ringing")
		require.NoError(t, in.Accept(sdpWith("sendrecv")))
		caller.waitState(out, "connected")
		callee.waitState(in, "connected")
		assert.Contains(t, string(out.RemoteSDP()), "a=sendrecv")

		// caller holds, then resumes
		ans, err := out.Renegotiate(sdpWith("sendonly"))
		require.NoError(t, err)
		assert.Contains(t, recv(t, callee.offers, "hold offer at callee"), "a=sendonly")
		assert.Contains(t, string(ans), "a=recvonly")
		ans, err = out.Renegotiate(sdpWith("sendrecv"))
		require.NoError(t, err)
		assert.Contains(t, recv(t, callee.offers, "unhold offer at callee"), "a=sendrecv")
		assert.Contains(t, string(ans), "a=sendrecv")

		// callee holds (inactive), then resumes
		ans, err = in.Renegotiate(sdpWith("inactive"))
		require.NoError(t, err)
		assert.Contains(t, recv(t, caller.offers, "hold offer at caller"), "a=inactive")
		assert.Contains(t, string(ans), "a=inactive")
		_, err = in.Renegotiate(sdpWith("sendrecv"))
		require.NoError(t, err)
		assert.Contains(t, recv(t, caller.offers, "unhold offer at caller"), "a=sendrecv")

		// INFO DTMF both ways
		require.NoError(t, out.SendDTMF("1*", 100))
		assert.Equal(t, "1", recv(t, callee.dtmf, "digit at callee"))
		assert.Equal(t, "*", recv(t, callee.dtmf, "digit at callee"))
		require.NoError(t, in.SendDTMF("9#", 100))
		assert.Equal(t, "9", recv(t, caller.dtmf, "digit at caller"))
		assert.Equal(t, "#", recv(t, caller.dtmf, "digit at caller"))

		require.NoError(t, out.Hangup())
		caller.waitState(out, "disconnected|local hangup")
		callee.waitState(in, "disconnected|remote hangup")
	})

	t.Run("MESSAGE both ways", func(t *testing.T) {
		_, err := caller.ua.SendMessage(b, "", []byte("hello "+b))
		require.NoError(t, err)
		m := recv(t, callee.msgs, "message at callee")
		assert.Equal(t, "hello "+b, string(m.Body))
		assert.Contains(t, m.From, a+"@")
		assert.Less(t, recv(t, caller.results, "message result"), 300)

		_, err = callee.ua.SendMessage(a, "", []byte("hi "+a))
		require.NoError(t, err)
		assert.Equal(t, "hi "+a, string(recv(t, caller.msgs, "message at caller").Body))
		assert.Less(t, recv(t, callee.results, "message result"), 300)
	})

	t.Run("caller cancels a ringing call", func(t *testing.T) {
		out, err := caller.ua.Call(b, []byte(plainSDP))
		require.NoError(t, err)
		in := callee.waitIncoming()
		caller.waitState(out, "ringing")
		require.NoError(t, out.Hangup())
		caller.waitState(out, "disconnected|cancelled")
		callee.waitState(in, "disconnected|cancelled")
	})

	t.Run("callee rejects with 486", func(t *testing.T) {
		out, err := caller.ua.Call(b, []byte(plainSDP))
		require.NoError(t, err)
		in := callee.waitIncoming()
		caller.waitState(out, "ringing")
		require.NoError(t, in.Reject(486))
		caller.waitState(out, "disconnected|486")
	})

	t.Run("BYE from the callee", func(t *testing.T) {
		out, err := caller.ua.Call(b, []byte(plainSDP))
		require.NoError(t, err)
		in := callee.waitIncoming()
		// The callee may send its BYE only once the caller's ACK for the
		// 200 has arrived (RFC 3261 15): wait for that ACK on the wire.
		acked := make(chan struct{}, 1)
		callee.onTrace(func(dir string, data []byte) {
			if dir == "in" && strings.HasPrefix(string(data), "ACK ") && strings.Contains(string(data), in.CallID()) {
				select {
				case acked <- struct{}{}:
				default:
				}
			}
		})
		t.Cleanup(func() { callee.onTrace(nil) })
		require.NoError(t, in.Accept(sdpWith("sendrecv")))
		caller.waitState(out, "connected")
		callee.waitState(in, "connected")
		recv(t, acked, "the ACK of the 200 at the callee")
		callee.onTrace(nil)
		require.NoError(t, in.Hangup())
		callee.waitState(in, "disconnected|local hangup")
		caller.waitState(out, "disconnected|remote hangup")
	})
}

package sipua

import (
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/opensoftphone/webphone/tests/infra"
)

// TestSipcoreCallsBaresipThroughKamailio: a sipcore agent on WebSocket
// calls baresip (UDP, auto-answer) registered to the same Kamailio; the call
// is established, then ended from each side in turn.
func TestSipcoreCallsBaresipThroughKamailio(t *testing.T) {
	users := map[string]string{"alice": "alice-pw", "carol": "carol-pw"}
	k := infra.StartKamailio(t, infra.KamailioOptions{Users: users})
	b := infra.StartBaresip(t, infra.BaresipOptions{User: "carol", Password: users["carol"], Registrar: k.UDPAddr, AutoAnswer: true})
	a := newAgent(t, server{wsURL: k.WSURL, domain: k.Domain, users: users}, "alice", users["alice"], true)
	var mu sync.Mutex
	challenged := 0 // 407s to INVITEs
	a.onTrace(func(dir string, data []byte) {
		if dir == "in" && strings.HasPrefix(string(data), "SIP/2.0 407") && strings.Contains(string(data), " INVITE\r\n") {
			mu.Lock()
			challenged++
			mu.Unlock()
		}
	})

	out, err := a.ua.Call("carol", []byte(plainSDP))
	require.NoError(t, err)
	a.waitState(out, "connected")
	_, err = b.WaitEvent("CALL_ESTABLISHED", 10*time.Second)
	require.NoError(t, err, "baresip did not establish the call")
	require.Contains(t, string(out.RemoteSDP()), "PCMU")
	require.NoError(t, out.Hangup())
	_, err = b.WaitEvent("CALL_CLOSED", 10*time.Second)
	require.NoError(t, err, "baresip did not see the BYE")

	// and baresip hangs up a second call, whose INVITE carries the
	// credentials for the proxy's first challenge (no second 407)
	mu.Lock()
	require.Equal(t, 1, challenged, "Kamailio challenges the first INVITE")
	challenged = 0
	mu.Unlock()
	out, err = a.ua.Call("carol", []byte(plainSDP))
	require.NoError(t, err)
	a.waitState(out, "connected")
	_, err = b.WaitEvent("CALL_ESTABLISHED", 10*time.Second)
	require.NoError(t, err)
	require.NoError(t, b.Hangup())
	a.waitState(out, "disconnected|remote hangup")
	a.onTrace(nil)
	mu.Lock()
	defer mu.Unlock()
	require.Equal(t, 0, challenged, "Kamailio took the reused nonce")
}

package sipua

import (
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

	out, err := a.ua.Call("carol", []byte(plainSDP))
	require.NoError(t, err)
	a.waitState(out, "connected")
	_, err = b.WaitEvent("CALL_ESTABLISHED", 10*time.Second)
	require.NoError(t, err, "baresip did not establish the call")
	require.Contains(t, string(out.RemoteSDP()), "PCMU")
	require.NoError(t, out.Hangup())
	_, err = b.WaitEvent("CALL_CLOSED", 10*time.Second)
	require.NoError(t, err, "baresip did not see the BYE")

	// and baresip hangs up a second call
	out, err = a.ua.Call("carol", []byte(plainSDP))
	require.NoError(t, err)
	a.waitState(out, "connected")
	_, err = b.WaitEvent("CALL_ESTABLISHED", 10*time.Second)
	require.NoError(t, err)
	require.NoError(t, b.Hangup())
	a.waitState(out, "disconnected|remote hangup")
}

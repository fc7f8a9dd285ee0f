package sipua

import (
	"testing"

	"github.com/opensoftphone/webphone/tests/infra"
)

func TestSipcoreAgainstKamailio(t *testing.T) {
	users := map[string]string{"alice": "alice-pw", "bob": "bob-pw"}
	k := infra.StartKamailio(t, infra.KamailioOptions{Users: users})
	runScenarios(t, server{wsURL: k.WSURL, domain: k.Domain, users: users}, "alice", "bob")
}

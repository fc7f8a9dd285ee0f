package sipua

import (
	"context"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/opensoftphone/webphone/demoserver"
)

func TestSipcoreAgainstDemoServer(t *testing.T) {
	accounts := map[string]string{"alice": "alice-pw", "bob": "bob-pw"}
	s, err := demoserver.New(demoserver.Options{Addr: "127.0.0.1:0", Accounts: accounts})
	require.NoError(t, err)
	require.NoError(t, s.Start(context.Background()))
	t.Cleanup(func() { _ = s.Close() })
	runScenarios(t, server{wsURL: s.WSURL(), domain: s.Domain(), users: accounts}, "alice", "bob")
}

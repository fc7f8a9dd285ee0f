package demoserver

import (
	"context"
	"io"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func writeFile(path string, data []byte) error { return os.WriteFile(path, data, 0o644) }

func readAll(t *testing.T, res *http.Response) []byte {
	t.Helper()
	defer res.Body.Close()
	b, err := io.ReadAll(res.Body)
	require.NoError(t, err)
	return b
}

func TestDefaultAccounts(t *testing.T) {
	acc := DefaultAccounts()
	assert.Len(t, acc, 5)
	assert.Equal(t, "pass1001", acc["1001"])
	assert.Equal(t, "pass1005", acc["1005"])
}

func TestLoadAccounts(t *testing.T) {
	dir := t.TempDir()
	good := filepath.Join(dir, "good.txt")
	require.NoError(t, writeFile(good, []byte("# demo users\n\nalice: secret\nbob:pa:ss\n")))
	acc, err := LoadAccounts(good)
	require.NoError(t, err)
	assert.Equal(t, map[string]string{"alice": "secret", "bob": "pa:ss"}, acc)

	for name, content := range map[string]string{
		"nocolon.txt": "alice\n", "nopass.txt": "alice:\n", "empty.txt": "# nothing\n", "baduser.txt": "a b:c\n",
	} {
		p := filepath.Join(dir, name)
		require.NoError(t, writeFile(p, []byte(content)))
		_, err := LoadAccounts(p)
		assert.Error(t, err, name)
	}
	_, err = LoadAccounts(filepath.Join(dir, "absent.txt"))
	assert.Error(t, err)
}

func TestNewRejectsBadOptions(t *testing.T) {
	_, err := New(Options{})
	assert.Error(t, err, "Addr is required")
	_, err = New(Options{Addr: "127.0.0.1:0", Accounts: map[string]string{}})
	assert.Error(t, err, "no accounts")
}

func TestStartContextCancelClosesServer(t *testing.T) {
	s, err := New(Options{Addr: "127.0.0.1:0", UDPAddr: "127.0.0.1:0", Logger: quietLogger()})
	require.NoError(t, err)
	ctx, cancel := context.WithCancel(context.Background())
	require.NoError(t, s.Start(ctx))
	t.Cleanup(func() { s.Close() })
	addr := strings.TrimSuffix(strings.TrimPrefix(s.WSURL(), "ws://"), "/ws")
	c, err := net.Dial("tcp", addr)
	require.NoError(t, err)
	c.Close()
	assert.Error(t, s.Start(ctx), "a server starts once")

	cancel()
	require.Eventually(t, func() bool {
		c, err := net.Dial("tcp", addr)
		if err == nil {
			c.Close()
		}
		return err != nil
	}, waitLong, time.Millisecond)
}

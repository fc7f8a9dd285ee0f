//go:build js && wasm

package jsbridge

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestLocalStorageRoundTrip(t *testing.T) {
	s, err := NewLocalStorage("test-a:")
	require.NoError(t, err)
	other, err := NewLocalStorage("test-b:")
	require.NoError(t, err)
	t.Cleanup(func() { s.Clear(); other.Clear() })

	_, ok := s.Get("username")
	assert.False(t, ok)

	s.Set("username", "alice")
	s.Set("empty", "")
	other.Set("username", "bob")

	v, ok := s.Get("username")
	assert.True(t, ok)
	assert.Equal(t, "alice", v)
	v, ok = s.Get("empty")
	assert.True(t, ok, "an empty value is still a stored value")
	assert.Equal(t, "", v)

	// It really is window.localStorage, under the prefix.
	assert.Equal(t, "alice", jsString(t, jsRun(t, `return localStorage.getItem("test-a:username")`)))
	assert.ElementsMatch(t, []string{"username", "empty"}, s.Keys())

	s.Remove("username")
	_, ok = s.Get("username")
	assert.False(t, ok)
	v, _ = other.Get("username")
	assert.Equal(t, "bob", v, "prefixes keep phones apart")

	s.Clear()
	assert.Empty(t, s.Keys())
	assert.Len(t, other.Keys(), 1)
}

func TestStoragePrefix(t *testing.T) {
	assert.Equal(t, "webphone:profile:work:", StoragePrefix(" work "))
	path := jsString(t, jsRun(t, `return location.pathname`))
	assert.Equal(t, "webphone:"+path+":", StoragePrefix(""))
}

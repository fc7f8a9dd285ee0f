//go:build js && wasm

package jsbridge

import (
	"strings"

	"github.com/hack-pad/safejs"
	"github.com/opensoftphone/webphone/engine"
)

// LocalStorage is an engine.Storage over window.localStorage. Every key is
// stored under Prefix, so several phones (profiles, pages) can share one
// origin. Write errors (quota, private mode) are ignored: persistence is
// best effort, and the engine keeps its values in memory anyway.
type LocalStorage struct {
	ls     safejs.Value
	prefix string
}

// NewLocalStorage opens window.localStorage with the given key prefix. It
// fails where the browser denies storage (sandboxed frames, some private
// modes); callers then fall back to memory.
func NewLocalStorage(prefix string) (*LocalStorage, error) {
	ls, err := global("localStorage")
	if err != nil {
		return nil, err
	}
	// Reading a key proves access (it throws SecurityError when denied).
	if _, err := ls.Call("getItem", prefix+"\x00probe"); err != nil {
		return nil, err
	}
	return &LocalStorage{ls: ls, prefix: prefix}, nil
}

// StoragePrefix returns the key prefix of a phone: the profile name when one
// is set (one store per profile across the origin, like Mizu's "profile"),
// otherwise the page path (Mizu's default: settings belong to the page).
func StoragePrefix(profile string) string {
	if p := strings.TrimSpace(profile); p != "" {
		return "webphone:profile:" + p + ":"
	}
	path := "/"
	if loc, err := global("location"); err == nil {
		if p := getString(loc, "pathname"); p != "" {
			path = p
		}
	}
	return "webphone:" + path + ":"
}

// Get returns the value stored under key.
func (s *LocalStorage) Get(key string) (string, bool) {
	v, err := s.ls.Call("getItem", s.prefix+key)
	if err != nil || v.Type() != safejs.TypeString {
		return "", false
	}
	str, err := v.String()
	return str, err == nil
}

// Set stores value under key.
func (s *LocalStorage) Set(key, value string) {
	_, _ = s.ls.Call("setItem", s.prefix+key, value)
}

// Remove deletes key.
func (s *LocalStorage) Remove(key string) {
	_, _ = s.ls.Call("removeItem", s.prefix+key)
}

// Keys lists the keys under this prefix (without the prefix).
func (s *LocalStorage) Keys() []string {
	n := getInt(s.ls, "length")
	var out []string
	for i := 0; i < n; i++ {
		k, err := s.ls.Call("key", i)
		if err != nil || k.Type() != safejs.TypeString {
			continue
		}
		ks, _ := k.String()
		if strings.HasPrefix(ks, s.prefix) {
			out = append(out, strings.TrimPrefix(ks, s.prefix))
		}
	}
	return out
}

// Clear removes every key under this prefix.
func (s *LocalStorage) Clear() {
	for _, k := range s.Keys() {
		s.Remove(k)
	}
}

// PageStorage returns the engine.Storage of this page: localStorage under
// the prefix of the profile named in webphone_api.parameters (if any), or
// memory where the browser denies storage.
func PageStorage() engine.Storage {
	profile := ""
	if api, err := global("webphone_api"); err == nil {
		if params, err := api.Get("parameters"); err == nil && params.Type() == safejs.TypeObject {
			if v, err := params.Get("profile"); err == nil {
				profile = ArgString([]safejs.Value{v}, 0)
			}
		}
	}
	if s, err := NewLocalStorage(StoragePrefix(profile)); err == nil {
		return s
	}
	return engine.NewMapStorage()
}

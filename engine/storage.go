package engine

import "sync"

// Storage persists parameters between sessions (localStorage in the
// browser). Keys and values are plain strings.
type Storage interface {
	Get(key string) (value string, ok bool)
	Set(key, value string)
	Remove(key string)
}

// MapStorage is an in-memory Storage, for tests and native programs.
type MapStorage struct {
	mu sync.Mutex
	m  map[string]string
}

// NewMapStorage returns an empty MapStorage.
func NewMapStorage() *MapStorage { return &MapStorage{m: map[string]string{}} }

// Get returns the stored value of key.
func (s *MapStorage) Get(key string) (string, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	v, ok := s.m[key]
	return v, ok
}

// Set stores value under key.
func (s *MapStorage) Set(key, value string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.m[key] = value
}

// Remove deletes key.
func (s *MapStorage) Remove(key string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	delete(s.m, key)
}

// Len returns the number of stored keys.
func (s *MapStorage) Len() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.m)
}

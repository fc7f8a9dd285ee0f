package sipcore

import (
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func waitClosed(t *testing.T, ch <-chan struct{}, what string) {
	t.Helper()
	select {
	case <-ch:
	case <-time.After(8 * time.Second):
		t.Fatal("timed out waiting for " + what)
	}
}

func TestSerialExecutorKeepsOrderPerKeyAndRunsKeysIndependently(t *testing.T) {
	e := newSerialExecutor(1000, func(v any) { t.Errorf("panic: %v", v) })
	var mu sync.Mutex
	var got []int
	gate := make(chan struct{})
	require.True(t, e.submit("a", func() { <-gate }))
	for i := 0; i < 100; i++ {
		i := i
		require.True(t, e.submit("a", func() {
			mu.Lock()
			got = append(got, i)
			mu.Unlock()
		}))
	}
	bDone := make(chan struct{})
	require.True(t, e.submit("b", func() { close(bDone) }))
	waitClosed(t, bDone, "key b while key a is blocked")
	close(gate)
	waitClosed(t, e.idle(), "idle")
	mu.Lock()
	defer mu.Unlock()
	require.Len(t, got, 100)
	for i, v := range got {
		assert.Equal(t, i, v)
	}
}

func TestSerialExecutorRefusesBeyondItsLimitWithoutBlocking(t *testing.T) {
	e := newSerialExecutor(2, func(any) {})
	gate := make(chan struct{})
	require.True(t, e.submit("k", func() { <-gate }))
	assert.True(t, e.submit("k", func() {}))
	assert.True(t, e.submit("k", func() {}))
	assert.False(t, e.submit("k", func() {}), "a third pending item is refused")
	assert.True(t, e.submit("other", func() {}), "other keys have their own queue")
	close(gate)
	waitClosed(t, e.idle(), "idle")
}

func TestSerialExecutorReportsAPanicAndCarriesOn(t *testing.T) {
	panics := make(chan any, 1)
	e := newSerialExecutor(10, func(v any) { panics <- v })
	done := make(chan struct{})
	require.True(t, e.submit("k", func() { panic("boom") }))
	require.True(t, e.submit("k", func() { close(done) }))
	waitClosed(t, done, "the item after the panicking one")
	assert.Equal(t, "boom", <-panics)
	waitClosed(t, e.idle(), "idle")
}

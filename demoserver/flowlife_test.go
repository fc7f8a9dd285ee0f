package demoserver

import (
	"testing"

	"github.com/stretchr/testify/assert"
)

func isClosed(ch <-chan struct{}) bool {
	select {
	case <-ch:
		return true
	default:
		return false
	}
}

// TestLiveFlowsTellWatchersOfTheirOwnConnection: a WebSocket flow's
// channel closes with its connection and not with an older connection's
// late close from the same address; an unknown WebSocket flow counts as
// gone and a UDP flow never goes.
func TestLiveFlowsTellWatchersOfTheirOwnConnection(t *testing.T) {
	l := newLiveFlows()
	f := flow{Transport: "WS", Addr: "127.0.0.1:5000"}
	assert.True(t, isClosed(l.gone(f)), "not open: gone")
	assert.Nil(t, l.gone(flow{Transport: "UDP", Addr: "127.0.0.1:5060"}))

	closeOld := l.opened(f)
	old := l.gone(f)
	closeNew := l.opened(f) // the same address again
	cur := l.gone(f)
	closeOld()
	assert.True(t, isClosed(old))
	assert.False(t, isClosed(cur), "the old connection's close leaves the new one alone")
	assert.False(t, isClosed(l.gone(f)))
	closeNew()
	closeNew()
	assert.True(t, isClosed(cur))
	assert.True(t, isClosed(l.gone(f)))
}

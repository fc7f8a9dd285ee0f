package engine

import (
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// Calls placed at the same moment each end up on their own line: every
// event of a call reaches the line that placed it (the call is bound to the
// line before its INVITE goes out, instead of "the first unbound call").
func TestConcurrentCallsAreEachBoundToTheirLine(t *testing.T) {
	ds := startDemo(t)
	callees := map[string]*phone{}
	for _, u := range []string{"1002", "1003", "1004", "1005"} {
		callees[u] = newPhone(t, ds, u, map[string]string{"autoaccept": "true"})
		callees[u].waitRegistered(t)
	}
	a := newPhone(t, ds, "1001", nil)
	a.waitRegistered(t)

	var wg sync.WaitGroup
	for u := range callees {
		wg.Add(1)
		go func(u string) {
			defer wg.Done()
			assert.True(t, a.e.Call(u))
		}(u)
	}
	wg.Wait()
	waitUntil(t, "A has all calls connected", func() bool { return len(a.rec.find(callState("connected"))) == len(callees) })

	for u, p := range callees {
		in := p.rec.waitFor(t, u+" connected", callState("connected"))
		callID := in.args[5].(string)
		n := a.e.CallIDToLine(callID)
		require.Positive(t, n, "A has a line for the call %s received", u)
		for _, ev := range a.rec.find(func(ev event) bool { return ev.cb == "onCallStateChange" && ev.args[4] == n }) {
			assert.Equal(t, u, ev.args[2], "line %d: %s event names the peer of that line", n, ev.args[0])
			assert.Equal(t, callID, ev.args[5], "line %d: %s event carries that line's Call-ID", n, ev.args[0])
		}
		require.True(t, a.e.SetLine(u))
		assert.Equal(t, n, a.e.GetLine(), "setline by peer finds the same line")
	}
	require.True(t, a.e.Hangup(-2))
	for u, p := range callees {
		assert.Equal(t, "BYE bye received", cdrOf(t, p).args[6], u)
	}
}

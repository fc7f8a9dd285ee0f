package engine

import (
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// cdrReason is the reason argument of an onCdr event.
func cdrReason(e event) string { return e.args[6].(string) }

func TestCallTimeoutEndsTheCallWithMaxCallTime(t *testing.T) {
	ds := startDemo(t)
	b := newPhone(t, ds, "1002", map[string]string{"autoaccept": "true"})
	b.waitRegistered(t)
	a := newPhone(t, ds, "1001", map[string]string{"calltimeout": "300"})
	a.waitRegistered(t)
	require.True(t, a.e.Call("1002"))
	a.rec.waitFor(t, "connected", callState("connected"))
	cdr := a.rec.waitFor(t, "CDR", func(e event) bool { return e.cb == "onCdr" })
	assert.Equal(t, "BYE max call time expired", cdrReason(cdr))
	assert.Equal(t, "3", cdr.args[9], "disconnected by a timeout")
	b.rec.waitFor(t, "peer's BYE", callState("disconnected"))
}

func TestNoAnswerForwardsTheRingingCall(t *testing.T) {
	ds := startDemo(t)
	b := newPhone(t, ds, "1002", map[string]string{"callforwardonnoanswer": "1003", "callforwardonnoanswertimeout": "1"})
	b.waitRegistered(t)
	a := newPhone(t, ds, "1001", nil)
	a.waitRegistered(t)
	require.True(t, a.e.Call("1002"))
	b.rec.waitFor(t, "ringing", callState("ringing"))
	cdr := b.rec.waitFor(t, "CDR", func(e event) bool { return e.cb == "onCdr" })
	assert.Equal(t, "302 forwardonnoanswer", cdrReason(cdr))
	// the caller follows the 302 to 1003
	waitUntil(t, "INVITE to 1003", func() bool { return strings.Contains(a.e.GetLastSentInvite(), "INVITE sip:1003@") })
}

func TestNoAnswerTimeoutUnits(t *testing.T) {
	p := NewParams(nil)
	assert.Equal(t, 15*time.Second, noAnswerTimeout(p))
	require.NoError(t, p.Set("callforwardonnoanswertimeout", "20"))
	assert.Equal(t, 20*time.Second, noAnswerTimeout(p))
	require.NoError(t, p.Set("callforwardonnoanswertimeout", "2500"))
	assert.Equal(t, 2500*time.Millisecond, noAnswerTimeout(p))
}

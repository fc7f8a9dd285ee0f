package engine

import (
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// historyRecords splits listcallhistory's answer into its records' fields.
func historyRecords(t *testing.T, e *Engine) [][]string {
	t.Helper()
	s, ok := e.ListCallHistory()
	if !ok {
		return nil
	}
	var out [][]string
	for _, r := range strings.Split(s, "\r\n") {
		f := strings.Split(r, "\t")
		require.Len(t, f, 6, "record %q", r)
		out = append(out, f)
	}
	return out
}

// Finished calls reach the call history from their CDRs, newest first:
// an answered call is outgoing (0) on one side and incoming (1) on the
// other with its duration; a rejected one is missed (2) on the callee. A
// peer without a display name is named after the contact with its number.
func TestCallHistoryFromFinishedCalls(t *testing.T) {
	ds := startDemo(t)
	b := newPhone(t, ds, "1002", nil)
	b.waitRegistered(t)
	a := newPhone(t, ds, "1001", nil)
	a.waitRegistered(t)
	require.True(t, b.e.AddContact("Alice", "1001", "", "", "", "", "", ""))
	require.True(t, a.e.AddContact("Bob", "1002", "", "", "", "", "", ""))
	_, ok := a.e.ListCallHistory()
	require.False(t, ok, "empty history: null")

	before := time.Now().UnixMilli()
	require.True(t, a.e.Call("1002"))
	b.rec.waitFor(t, "ringing", callState("ringing"))
	require.True(t, b.e.Accept())
	a.rec.waitFor(t, "connected", callState("connected"))
	require.True(t, a.e.Hangup(-1))
	ac, bc := cdrOf(t, a), cdrOf(t, b)

	flush(a.e)
	flush(b.e)
	a.rec.reset()
	b.rec.reset()
	waitUntil(t, "lines free", func() bool { return !a.e.IsInCall() && !b.e.IsInCall() })
	require.True(t, a.e.Call("1002"))
	b.rec.waitFor(t, "ringing", callState("ringing"))
	require.True(t, b.e.Reject())
	cdrOf(t, a)
	cdrOf(t, b)

	ah := historyRecords(t, a.e)
	require.Len(t, ah, 2)
	assert.Equal(t, []string{"0", "Bob", "1002"}, ah[1][:3], "the answered call, oldest last")
	assert.Equal(t, strconv.Itoa(ac.args[3].(int)), ah[1][4], "its duration is the CDR's")
	assert.Equal(t, ac.args[6], ah[1][5], "its reason is the CDR's")
	date, err := strconv.ParseInt(ah[1][3], 10, 64)
	require.NoError(t, err)
	assert.GreaterOrEqual(t, date, before-1000, "date is a ms timestamp of the call")
	assert.Equal(t, []string{"0", "Bob", "1002"}, ah[0][:3], "the rejected call, newest first")
	assert.Equal(t, []string{"0", "603 Decline"}, ah[0][4:], "no duration; the CDR's reason")

	bh := historyRecords(t, b.e)
	require.Len(t, bh, 2)
	assert.Equal(t, "2", bh[0][0], "the rejected call is missed")
	assert.Equal(t, []string{"Alice", "1001"}, bh[0][1:3], "named after the contact")
	assert.Equal(t, "1", bh[1][0], "the answered call is incoming")
	assert.Equal(t, strconv.Itoa(bc.args[3].(int)), bh[1][4])
}

// The history keeps the newest maxCallHistory calls and sanitises fields.
func TestCallHistoryIsBoundedAndSanitised(t *testing.T) {
	u := newUserData(nil)
	for i := 0; i < maxCallHistory+5; i++ {
		u.addHistory("a@b", HistoryEntry{Type: HistoryOutgoing, Number: strconv.Itoa(i), Name: "x\ty\r\nz"})
	}
	var list []HistoryEntry
	u.loadLocked(callHistoryKey("a@b"), &list)
	require.Len(t, list, maxCallHistory)
	assert.Equal(t, "5", list[0].Number, "the oldest went first")
	assert.Equal(t, "0\tx y  z\t5\t0\t0\t", list[0].String())
}

// Over the storage bound the history drops its oldest calls and keeps
// recording.
func TestCallHistoryKeepsRecordingAtTheStorageBound(t *testing.T) {
	u := newUserData(nil)
	u.maxBytes = 2048
	for i := 0; i < 100; i++ {
		u.addHistory("a@b", HistoryEntry{Type: HistoryIncoming, Number: strconv.Itoa(i), Name: strings.Repeat("x", 100)})
	}
	var list []HistoryEntry
	u.loadLocked(callHistoryKey("a@b"), &list)
	require.NotEmpty(t, list)
	assert.Equal(t, "99", list[len(list)-1].Number, "the newest call is recorded")
	assert.Less(t, len(list), 100)
	v, _ := u.st.Get(callHistoryKey("a@b"))
	assert.LessOrEqual(t, len(v), 2048)
}

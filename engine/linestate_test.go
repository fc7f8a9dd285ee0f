package engine

import (
	"testing"

	"github.com/stretchr/testify/assert"
)

// callStates lists the onCallStateChange names in order.
func callStates(rec *recorder) []string {
	var out []string
	for _, ev := range rec.find(func(ev event) bool { return ev.cb == "onCallStateChange" }) {
		out = append(out, ev.args[0].(string))
	}
	return out
}

func TestLineStatesAreReportedOnceAndInOrder(t *testing.T) {
	e, rec, _ := offlineEngine(t)
	l := addLine(e, 1, "1002", "c1")
	assert.Equal(t, "STATUS,-1,Calling...", e.GetStatus())
	e.emitRinging(l) // ringing before setup was reported
	e.emitRinging(l)
	assert.Equal(t, "STATUS,-1,Ringing...", e.GetStatus())
	e.emitConnected(l)
	e.emitSetup(l)
	e.emitConnected(l)
	assert.Equal(t, "STATUS,-1,In Call", e.GetStatus())
	e.Hangup(1)
	e.Hangup(1)
	e.Close()
	assert.Equal(t, []string{"setup", "ringing", "connected", "disconnected"}, callStates(rec))
	assert.Len(t, rec.find(func(ev event) bool { return ev.cb == "onCdr" }), 1)
}

func TestAnEndedLineIsNotFoundAgain(t *testing.T) {
	e, _, _ := offlineEngine(t)
	l := addLine(e, 2, "1002", "c1")
	e.endLine(l, "-1 test", DiscLocal)
	assert.Equal(t, lineEnded, l.state)
	assert.Equal(t, -1, e.CallIDToLine("c1"))
	assert.Empty(t, e.lines.live())
	assert.Nil(t, e.lines.ringingIncoming())
	assert.Equal(t, 1, addLine(e, 1, "1003", "c2").n, "its number is free again")
}

func TestCloseIsFinal(t *testing.T) {
	e, rec, _ := offlineEngine(t)
	e.Close()
	e.Init(map[string]string{"webrtcserveraddress": "ws://127.0.0.1:9/ws"}, "")
	assert.False(t, e.Start())
	assert.False(t, e.Call("sip:1002@127.0.0.1"))
	assert.Empty(t, rec.all(), "a closed engine reports nothing")
	assert.Equal(t, appClosed, e.app.current())
}

package engine

import (
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
)

func TestGlobalStatus(t *testing.T) {
	assert.Equal(t, "STATUS,-1,Registered.", GlobalStatus("Registered."))
	assert.Equal(t, "STATUS,-1,Register failed: 403 a b", GlobalStatus("Register failed: 403 a\r\nb"))
}

func TestLineStatusHasEveryPositionalField(t *testing.T) {
	s := LineStatus{Line: 1, Text: "Ringing", PeerName: "2222", LocalName: "1111", Direction: 2,
		PeerDisplay: "Katie, K", CallID: "abc@h", Online: 1, Registered: 2, InCall: 1, Encrypted: -1}.String()
	assert.Equal(t, "STATUS,1,Ringing,2222,1111,2,Katie  K,[abc@h],1,2,1,0,0,-1,0", s)
	f := strings.Split(s, ",")
	assert.Len(t, f, 15)
	assert.Equal(t, "2", f[5], "field 5 is the direction (2 = incoming)")
	assert.Equal(t, "[abc@h]", f[7])
}

func TestChatNotificationsKeepCommasOnlyInTheText(t *testing.T) {
	assert.Equal(t, "CHAT,2,bob,hi, there", ChatNotification(2, "bob", "hi, there"))
	assert.Equal(t, "CHAT,-1,a b,x y", ChatNotification(-1, "a,b", "x\ny"))
	assert.Equal(t, "CHATREPORT,-1,bob,3,404 Not Found", ChatReportNotification(-1, "bob", ChatFailed, "404 Not Found"))
	assert.Equal(t, "DTMF,1,bob,1,#", DTMFNotification(1, "bob", "#"))
	assert.Equal(t, "REGISTER,0,2,Register failed,true,,1001,403 Forbidden",
		RegisterNotification(RegNotifyFailed, "Register failed", "1001", "403 Forbidden"))
	assert.Equal(t, "EVENT,WARNING,a, b", EventNotification("WARNING", "a, b"))
	assert.Equal(t, "START,api", StartNotification("api"))
}

func TestCDRNotificationHasTwelveTokens(t *testing.T) {
	c := CDR{Line: 1, Direction: 1, PeerName: "1002", Caller: "1001", Called: "1002",
		PeerAddress: "", ConnectMs: 1500, DurationMs: 12000, DiscParty: DiscLocal,
		Reason: "BYE User Hung Up, really", CallID: "cid1"}
	s := c.String()
	assert.Equal(t, "CDR,1,1002,1001,1002,NA,1500,12000,1,BYE User Hung Up  really,cid1,1", s)
	tok := strings.Split(s, ",")
	assert.Len(t, tok, 12)
	assert.Equal(t, "cid1", tok[10], "the [v4.2] parser reads the callid from token 10")
	assert.Equal(t, "1", tok[8], "and discparty from token 8")
}

func TestCDRCallbackArgumentOrder(t *testing.T) {
	c := CDR{Line: 2, Direction: 2, PeerName: "1002", Caller: "Bob", Called: "1001",
		ConnectMs: 300, DurationMs: 0, DiscParty: DiscRemote, Reason: "CANCEL cancel received", CallID: "x"}
	assert.Equal(t, []any{"Bob", "1001", 300, 0, 2, "1002", "CANCEL cancel received", 2, "x", "2"}, c.CallbackArgs(),
		"caller, called, connecttime, duration, direction, peerdisplayname (falls back to peername), reason, line, callid, discparty")
	c.PeerDisplay = "Bob"
	assert.Equal(t, "Bob", c.CallbackArgs()[5])
}

func TestCDRDetails(t *testing.T) {
	c := CDR{Line: 1, Direction: 2, PeerName: "1002", DiscParty: DiscRemote, Reason: "BYE bye received",
		ConnectMs: 10, DurationMs: 2000, Start: time.Unix(0, 0)}
	d := c.Details()
	assert.Contains(t, d, "Line: 1, Direction: incoming")
	assert.Contains(t, d, "Duration: 2000 msec")
	assert.Contains(t, d, "Disconnect By: Remote")
	assert.Contains(t, d, "CDR: CDR,1,1002,")
}

func TestRemoteReasonMapping(t *testing.T) {
	for in, want := range map[string]struct {
		r string
		p int
		d int
	}{
		"486 Busy Here":        {"486 Busy Here", DiscRemote, 1},
		"remote hangup":        {"BYE bye received", DiscRemote, 1},
		"cancelled":            {"CANCEL cancel received", DiscRemote, 2},
		"timeout":              {"-1 no response", DiscTimeout, 1},
		"rejected 603":         {"603 rejected", DiscLocal, 2},
		"transport error: eof": {"-1 transport error: eof", DiscUnknown, 1},
	} {
		r, p := remoteReason(in, want.d)
		assert.Equal(t, want.r, r, in)
		assert.Equal(t, want.p, p, in)
	}
	r, p := remoteReason("cancelled", 1)
	assert.Equal(t, "CANCEL User Hung Up", r)
	assert.Equal(t, DiscLocal, p)
}

func TestRegFailureText(t *testing.T) {
	assert.Equal(t, "Authentication failed", RegFailureText("403 Forbidden"))
	assert.Equal(t, "Server address unreachable", RegFailureText("transport: connect refused"))
	assert.Equal(t, "No response from server", RegFailureText("timeout"))
	assert.Equal(t, "Register rejected", RegFailureText("500 Server Error"))
}

package engine

import (
	"fmt"
	"strconv"
	"strings"
	"time"
)

// Disconnecting party (CDR discparty, getlastcalldetails "Disc By").
const (
	DiscUnknown = 0
	DiscLocal   = 1
	DiscRemote  = 2
	DiscTimeout = 3
)

// CDR is the call detail record produced once per finished call.
type CDR struct {
	Line        int
	Direction   int    // 1 outgoing, 2 incoming
	PeerName    string // the other party's username or number
	PeerDisplay string // the other party's display name ("" if none)
	Caller      string // us when outgoing; the peer (display name if any) when incoming
	Called      string // the peer when outgoing; us when incoming
	PeerAddress string // server or peer address; "NA" when unknown
	ConnectMs   int64  // initiation to connect / reject / cancel
	DurationMs  int64  // connect to hangup; 0 if never connected
	DiscParty   int
	Reason      string // "code text"
	CallID      string
	LocalUser   string
	AuthUser    string
	Start       time.Time
}

// String is the CDR notification:
// CDR,line,peername,caller,called,peeraddress,connecttime,duration,discparty,reason,callid,direction
func (c CDR) String() string {
	pa := c.PeerAddress
	if pa == "" {
		pa = "NA"
	}
	parts := []string{
		"CDR",
		strconv.Itoa(c.Line),
		field(c.PeerName),
		field(c.Caller),
		field(c.Called),
		field(pa),
		strconv.FormatInt(c.ConnectMs, 10),
		strconv.FormatInt(c.DurationMs, 10),
		strconv.Itoa(c.DiscParty),
		field(c.Reason),
		field(c.CallID),
		strconv.Itoa(c.Direction),
	}
	return strings.Join(parts, ",")
}

// CallbackArgs are the onCdr arguments: caller, called, connecttime,
// duration, direction, peerdisplayname, reason, line, callid, discparty.
// peerdisplayname falls back to the peer name when the peer sent none.
func (c CDR) CallbackArgs() []any {
	disp := c.PeerDisplay
	if disp == "" {
		disp = c.PeerName
	}
	return []any{c.Caller, c.Called, int(c.ConnectMs), int(c.DurationMs), c.Direction,
		disp, c.Reason, c.Line, c.CallID, strconv.Itoa(c.DiscParty)}
}

// Details is the getlastcalldetails text.
func (c CDR) Details() string {
	dir := "outgoing"
	if c.Direction == 2 {
		dir = "incoming"
	}
	by := [...]string{"Unknown", "Local", "Remote", "Timeout"}[c.DiscParty&3]
	var b strings.Builder
	fmt.Fprintf(&b, "Line: %d, Direction: %s\r\n", c.Line, dir)
	fmt.Fprintf(&b, "Local Username: %s\r\n", c.LocalUser)
	fmt.Fprintf(&b, "Auth Username: %s\r\n", c.AuthUser)
	fmt.Fprintf(&b, "Peer Username: %s\r\n", c.PeerName)
	fmt.Fprintf(&b, "Name: %s\r\n", c.PeerDisplay)
	fmt.Fprintf(&b, "Called: %s\r\n", c.Called)
	fmt.Fprintf(&b, "Server: %s\r\n", c.PeerAddress)
	fmt.Fprintf(&b, "Call-ID: %s\r\n", c.CallID)
	fmt.Fprintf(&b, "Connecttime: %d msec\r\n", c.ConnectMs)
	fmt.Fprintf(&b, "Duration: %d msec\r\n", c.DurationMs)
	fmt.Fprintf(&b, "Disconnect By: %s\r\n", by)
	fmt.Fprintf(&b, "Reason: %s\r\n", c.Reason)
	fmt.Fprintf(&b, "CDR: %s", c.String())
	return b.String()
}

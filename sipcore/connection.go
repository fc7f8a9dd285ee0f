package sipcore

import (
	"net"

	"github.com/emiago/sipgo/sip"
)

// connection adapts the UA's current Transport to sip.Connection, the
// interface sipgo's transaction state machines write through. It always
// writes to whatever transport is current, so a transport replaced after a
// drop carries the live transactions and dialogs (RFC 5626 style flows).
type connection struct {
	ua *UA
}

var _ sip.Connection = (*connection)(nil)

// flowAddr is the advertised local host of the current flow.
type flowAddr struct {
	network string
	host    string
}

func (a flowAddr) Network() string { return a.network }
func (a flowAddr) String() string  { return a.host }

func (c *connection) LocalAddr() net.Addr {
	tr := c.ua.currentTransport()
	if tr == nil {
		return flowAddr{network: "none"}
	}
	return flowAddr{network: tr.Protocol(), host: tr.LocalHost()}
}

func (c *connection) WriteMsg(msg sip.Message) error { return c.ua.sendMessage(msg) }

// The flow is owned by the UA, not by transactions: reference counting is a no-op.
func (c *connection) Ref(int) int            { return 1 }
func (c *connection) TryClose() (int, error) { return 1, nil }
func (c *connection) Close() error           { return nil }

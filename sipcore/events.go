package sipcore

// RegState is the registration state reported through Events.RegState.
type RegState string

const (
	RegRegistering   RegState = "registering"
	RegRegistered    RegState = "registered"
	RegUnregistering RegState = "unregistering"
	RegUnregistered  RegState = "unregistered"
	RegFailed        RegState = "failed"
)

// CallState is a line's state, named as the Mizu onCallStateChange events.
type CallState string

const (
	CallSetup        CallState = "setup"        // INVITE sent or received
	CallRinging      CallState = "ringing"      // 180/183 received, or incoming ringing
	CallConnected    CallState = "connected"    // 2xx exchanged
	CallDisconnected CallState = "disconnected" // ended (reason says why)
)

// Direction of a call: 1 outgoing, 2 incoming (the Mizu values).
type Direction int

const (
	Outgoing Direction = 1
	Incoming Direction = 2
)

// Events are the UA's callbacks. Any may be nil. They run on UA goroutines;
// they may call back into the UA but must not block for long, except Offer,
// which may take the time it needs to produce an SDP answer. Callbacks caused
// by one dialog's incoming requests run one at a time, in arrival order, so a
// callback that blocks holds up its own dialog (never the others).
type Events struct {
	// RegState reports registration changes; reason is set on failure
	// ("403 Forbidden", "timeout", "transport: ...").
	RegState func(state RegState, reason string)
	// Flow reports the connection to the server: FlowUp once Start has
	// connected, FlowLost with the cause when it goes away (closed, or found
	// dead by the keepalive), FlowReplaced when Reconnect has put a new one
	// in its place. Calls come in the order of the changes, from a goroutine
	// that may call back into the UA. Stop reports nothing.
	Flow func(state FlowState, cause error)
	// CallState reports every state change of a line.
	CallState func(c *Call, state CallState, reason string)
	// Incoming is called once for a new incoming INVITE, before CallState
	// ringing. The call stays ringing until Accept, Reject, Forward or Ignore.
	Incoming func(c *Call)
	// RemoteSDP delivers the peer's SDP answer to our offer (from 18x with
	// SDP or 2xx), once per offer.
	RemoteSDP func(c *Call, sdp []byte)
	// Offer is called for an in-dialog offer from the peer (re-INVITE or
	// UPDATE with SDP). It returns the SDP answer, or an error to refuse
	// with 488. Nil: the last local SDP is answered again.
	Offer func(c *Call, sdp []byte) (answer []byte, err error)
	// DTMF reports a digit received by SIP INFO (application/dtmf-relay or
	// application/dtmf).
	DTMF func(c *Call, digit string, durationMs int)
	// Message reports a received MESSAGE.
	Message func(m IncomingMessage)
	// MessageResult reports the outcome of SendMessage (code 2xx on success).
	MessageResult func(id string, to string, code int, reason string)
	// Notify reports a NOTIFY received for a subscription made with
	// Subscribe, or an unsolicited NOTIFY (sub nil).
	Notify func(sub *Subscription, n NotifyInfo)
	// SubscriptionEnded reports a subscription made with Subscribe that
	// ended without Unsubscribe: its refresh failed (reason: the status
	// line, "timeout" or the transport error). A NOTIFY that terminates a
	// subscription comes through Notify instead.
	SubscriptionEnded func(sub *Subscription, reason string)
	// Subscribe is called for an incoming SUBSCRIBE; return the response
	// code (e.g. 200, 489). Nil answers 489 Bad Event.
	Subscribe func(event string, from string, req RawRequest) int
	// Watch is called for a new SUBSCRIBE when set (before Subscribe): the
	// application serves the subscription as its notifier. It sets the
	// current state with w.SetState and returns 200 (or 202) to accept, any
	// other code to refuse. sipcore then answers, sends the first NOTIFY,
	// handles refreshes and expiry; w.Notify sends each later state and
	// w.End ends it.
	Watch func(w *Watcher) int
	// Refer is called for an incoming REFER in a dialog (transfer), on the
	// dialog's worker. True answers 202 Accepted and a NOTIFY "100 Trying"
	// follows; report the new call's progress with Call.NotifyRefer.
	// False (or nil) answers 603 Decline. ParseReferTo reads referTo.
	Refer func(c *Call, referTo string, referredBy string) bool
	// Trace receives every SIP message sent ("out") and received ("in"),
	// for getsipmessage / getlogs, with its parsed form (nil when it does not
	// parse). Keepalives are not traced. A received message is traced on the
	// read loop before any event it causes, so Trace must be quick.
	Trace func(dir string, data []byte, msg *TracedMessage)
}

// IncomingMessage is a received SIP MESSAGE.
type IncomingMessage struct {
	From        string // AOR URI of the sender, e.g. "sip:alice@example.com"
	FromName    string // display name
	To          string
	ContentType string
	Body        []byte
	// Header returns the value of a header of the MESSAGE ("" when absent).
	Header func(name string) string
}

// NotifyInfo is the content of a NOTIFY.
type NotifyInfo struct {
	Event             string
	SubscriptionState string
	ContentType       string
	Body              []byte
	From              string
}

// RawRequest gives read access to a request's headers.
type RawRequest interface {
	GetHeader(name string) string
	Body() []byte
}

package sipcore

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"time"

	"github.com/emiago/sipgo/sip"
)

// ErrNoTransport is returned when a message must be sent while no
// connection to the server is up.
var ErrNoTransport = errors.New("sipcore: no transport connected")

// UA is one SIP user agent: one account, one flow to the server, any number
// of calls. All methods are safe for concurrent use.
//
// It is a facade over parts that each have one job and their own lock: the
// flow (flow.go: the connection, keepalive, Events.Flow), the transaction
// layer (txlayer.go), the dialog registry (dialogregistry.go: calls and
// subscriptions by Call-ID) and the registration (register.go). The UA
// itself reads frames in order (inbound.go) and hands each request to its
// dialog's worker.
type UA struct {
	cfg     Config
	ev      Events
	log     *slog.Logger
	conn    *connection
	flow    *flow
	txs     *txLayer
	dialogs *dialogRegistry
	reg     *registration
	xfer    *transferTable // REFER and Replaces state (transfers.go)
	// inviteAuth is the challenge the last INVITE answered: the next
	// INVITE sends credentials up front and saves the 407 round trip.
	inviteAuth *challengeMemo

	inbox      chan []byte
	dialogWork *serialExecutor // inbound requests, one worker per Call-ID
	quit       chan struct{}
	once       sync.Once
	// panicHook, when set (before Start), also hears of every recovered panic.
	panicHook func(where string, v any)

	mu     sync.Mutex // guards the fields below
	msgSeq int
	extra  []Header // added to every request (SetExtraHeaders)

	watchers map[string]*Watcher // subscriptions to us, by Call-ID (notifier.go)
}

// NewUA creates a user agent. Nothing is sent until Start.
func NewUA(cfg Config, dial Dialer, ev Events) *UA {
	def := NewConfig()
	if cfg.RegisterExpires <= 0 {
		cfg.RegisterExpires = def.RegisterExpires
	}
	if cfg.UserAgent == "" {
		cfg.UserAgent = def.UserAgent
	}
	if cfg.InstanceID == "" {
		cfg.InstanceID = "urn:uuid:" + newUUID()
	}
	if cfg.AuthUsername == "" {
		cfg.AuthUsername = cfg.Username
	}
	log := cfg.Logger
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	ua := &UA{
		cfg:   cfg,
		ev:    ev,
		log:   log,
		inbox: make(chan []byte, 512),
		quit:  make(chan struct{}),

		inviteAuth: &challengeMemo{},
	}
	ua.dialogs = newDialogRegistry()
	ua.dialogWork = newSerialExecutor(dialogQueueLimit, func(v any) { ua.panicked("dialog worker", v) })
	ua.extra = append([]Header(nil), cfg.ExtraHeaders...)
	ua.conn = &connection{ua: ua}
	ua.txs = newTxLayer(ua.conn, log, func(v any) { ua.panicked("transaction worker", v) })
	ua.flow = &flow{
		address:     cfg.Address,
		dial:        dial,
		log:         log,
		interval:    cfg.KeepaliveInterval,
		deadTimeout: cfg.DeadTimeout,
		quit:        ua.quit,
		notifier:    &flowNotifier{fn: ev.Flow},
		deliver:     ua.enqueue,
		lost:        ua.flowLost,
		probe:       ua.probe,
	}
	ua.reg = newRegistration(ua)
	ua.xfer = newTransferTable()
	go ua.receiveLoop()
	return ua
}

// Config returns the UA's configuration (with defaults filled in).
func (ua *UA) Config() Config { return ua.cfg }

// Start connects to cfg.Address and registers when cfg.Register is set.
// A failed connection is also reported as a failed registration; Reconnect
// may try again (Events.Flow then reports FlowUp).
func (ua *UA) Start(ctx context.Context) error {
	go ua.flow.keepalive()
	if err := ua.flow.connect(ctx); err != nil {
		ua.reg.setState(RegFailed, "transport: "+err.Error())
		return err
	}
	if ua.cfg.Register {
		return ua.Register()
	}
	return nil
}

// Reconnect replaces the transport with a new connection; live dialogs keep
// their state and continue over the new flow (Events.Flow FlowReplaced), and
// a wanted registration is renewed. A failed attempt returns the error; it
// is reported as FlowLost (and fails a wanted registration) only when it
// closed a live connection, since a lost one was reported already.
func (ua *UA) Reconnect(ctx context.Context) error {
	if err := ua.flow.replace(ctx); err != nil {
		return err
	}
	if ua.reg.wanted() {
		return ua.Register()
	}
	return nil
}

// flowLost ends what cannot outlive the flow: pending transactions fail,
// and a wanted registration is reported failed.
func (ua *UA) flowLost(reason string) {
	ua.txs.terminateAll(fmt.Errorf("transport closed: %s", reason))
	ua.reg.transportLost(reason)
}

// Connected tells whether a transport is up.
func (ua *UA) Connected() bool { return ua.currentTransport() != nil }

func (ua *UA) currentTransport() Transport { return ua.flow.current() }

// Stop hangs up every line, unregisters (best effort, bounded) and closes the
// connection. The UA cannot be started again.
func (ua *UA) Stop() {
	for _, c := range ua.Calls() {
		_ = c.Hangup()
	}
	if ua.reg.State() == RegRegistered {
		done := make(chan struct{})
		go func() { _ = ua.Unregister(); close(done) }()
		select {
		case <-done:
		case <-time.After(3 * time.Second):
		}
	}
	ua.reg.stop()
	ua.once.Do(func() { close(ua.quit) })
	ua.flow.close()
	ua.txs.terminateAll(errors.New("user agent stopped"))
}

// sendMessage serialises msg and writes it on the current transport.
func (ua *UA) sendMessage(msg sip.Message) error {
	tr := ua.currentTransport()
	if tr == nil {
		return ErrNoTransport
	}
	if err := checkOutgoing(msg); err != nil {
		ua.log.Warn("message refused", "err", err)
		return err
	}
	data := []byte(msg.String())
	ua.trace("out", data, msg)
	return tr.Send(data)
}

// trace passes a message to Events.Trace; msg is nil when unparsable.
func (ua *UA) trace(dir string, data []byte, msg sip.Message) {
	if ua.ev.Trace != nil {
		ua.ev.Trace(dir, data, newTracedMessage(msg))
	}
}

package sipcore

import (
	"context"
	"errors"
	"fmt"
	"io"
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
type UA struct {
	cfg  Config
	dial Dialer
	ev   Events
	log  *slog.Logger
	conn *connection

	inbox chan []byte
	quit  chan struct{}
	once  sync.Once

	mu        sync.Mutex
	tr        Transport
	trGen     int
	lastRecv  time.Time
	pongSeen  bool
	clientTxs map[string]*clientTx
	serverTxs map[string]*sip.ServerTx
	inviteTxs map[string]*sip.ServerTx // INVITE server transactions by branch, for CANCEL
	calls     map[string]*Call         // by Call-ID
	subs      map[string]*Subscription // by Call-ID
	reg       *registration
	msgSeq    int
	extra     []Header // added to every request (SetExtraHeaders)
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
		log = slog.New(slog.NewTextHandler(io.Discard, nil))
	}
	ua := &UA{
		cfg:       cfg,
		dial:      dial,
		ev:        ev,
		log:       log,
		inbox:     make(chan []byte, 512),
		quit:      make(chan struct{}),
		clientTxs: map[string]*clientTx{},
		serverTxs: map[string]*sip.ServerTx{},
		inviteTxs: map[string]*sip.ServerTx{},
		calls:     map[string]*Call{},
		subs:      map[string]*Subscription{},
	}
	ua.extra = append([]Header(nil), cfg.ExtraHeaders...)
	ua.conn = &connection{ua: ua}
	ua.reg = newRegistration(ua)
	go ua.receiveLoop()
	return ua
}

// Config returns the UA's configuration (with defaults filled in).
func (ua *UA) Config() Config { return ua.cfg }

// Start connects to cfg.Address and registers when cfg.Register is set.
// A failed connection is also reported as a failed registration.
func (ua *UA) Start(ctx context.Context) error {
	if err := ua.connect(ctx); err != nil {
		ua.reg.setState(RegFailed, "transport: "+err.Error())
		return err
	}
	go ua.keepaliveLoop()
	if ua.cfg.Register {
		return ua.Register()
	}
	return nil
}

// Reconnect replaces the transport with a new connection; live dialogs keep
// their state and continue over the new flow, and the binding is refreshed.
func (ua *UA) Reconnect(ctx context.Context) error {
	if old := ua.currentTransport(); old != nil {
		ua.mu.Lock()
		ua.tr = nil
		ua.trGen++
		ua.mu.Unlock()
		_ = old.Close()
	}
	if err := ua.connect(ctx); err != nil {
		ua.reg.setState(RegFailed, "transport: "+err.Error())
		return err
	}
	if ua.reg.wanted() {
		return ua.Register()
	}
	return nil
}

func (ua *UA) connect(ctx context.Context) error {
	if ua.dial == nil {
		return errors.New("no dialer")
	}
	ua.mu.Lock()
	ua.trGen++
	gen := ua.trGen
	ua.mu.Unlock()
	tr, err := ua.dial(ctx, ua.cfg.Address, &flowReceiver{ua: ua, gen: gen})
	if err != nil {
		return fmt.Errorf("connect %s: %w", ua.cfg.Address, err)
	}
	ua.mu.Lock()
	if ua.trGen != gen {
		ua.mu.Unlock()
		_ = tr.Close()
		return errors.New("connection superseded")
	}
	ua.tr = tr
	ua.lastRecv = time.Now()
	ua.pongSeen = false
	ua.mu.Unlock()
	return nil
}

// Connected tells whether a transport is up.
func (ua *UA) Connected() bool { return ua.currentTransport() != nil }

func (ua *UA) currentTransport() Transport {
	ua.mu.Lock()
	defer ua.mu.Unlock()
	return ua.tr
}

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
	ua.mu.Lock()
	tr := ua.tr
	ua.tr = nil
	ua.trGen++
	ua.mu.Unlock()
	if tr != nil {
		_ = tr.Close()
	}
	ua.terminateTransactions(errors.New("user agent stopped"))
}

// sendMessage serialises msg and writes it on the current transport.
func (ua *UA) sendMessage(msg sip.Message) error {
	tr := ua.currentTransport()
	if tr == nil {
		return ErrNoTransport
	}
	data := []byte(msg.String())
	ua.trace("out", data)
	return tr.Send(data)
}

func (ua *UA) trace(dir string, data []byte) {
	if ua.ev.Trace != nil {
		ua.ev.Trace(dir, data)
	}
}

// flowReceiver delivers one transport generation's frames to the UA; frames
// from a replaced transport are ignored.
type flowReceiver struct {
	ua  *UA
	gen int
}

func (r *flowReceiver) Received(data []byte) {
	ua := r.ua
	ua.mu.Lock()
	current := ua.trGen == r.gen
	if current {
		ua.lastRecv = time.Now()
	}
	ua.mu.Unlock()
	if !current {
		return
	}
	buf := make([]byte, len(data))
	copy(buf, data)
	select {
	case ua.inbox <- buf:
	case <-ua.quit:
	default:
		ua.log.Warn("inbound queue full, message dropped")
	}
}

func (r *flowReceiver) Closed(err error) {
	ua := r.ua
	ua.mu.Lock()
	if ua.trGen != r.gen || ua.tr == nil {
		ua.mu.Unlock()
		return
	}
	ua.tr = nil
	ua.mu.Unlock()
	reason := "connection closed"
	if err != nil {
		reason = err.Error()
	}
	ua.log.Info("transport closed", "reason", reason)
	ua.terminateTransactions(fmt.Errorf("transport closed: %s", reason))
	ua.reg.transportLost(reason)
}

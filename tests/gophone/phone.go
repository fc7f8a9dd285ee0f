package gophone

import (
	"context"
	"errors"
	"fmt"
	"net"
	"strings"
	"sync"
	"time"

	"github.com/opensoftphone/webphone/mediacore"
	"github.com/opensoftphone/webphone/sipcore"
	"github.com/opensoftphone/webphone/sipcore/nettransport"
)

// Config configures a Phone.
type Config struct {
	// SIP is the account (Address "udp:host:port" or "ws://...", Domain,
	// Username, Password, Register...).
	SIP sipcore.Config
	// Dial opens the SIP transport; nil = nettransport.Dial.
	Dial sipcore.Dialer
	// RTPHost is the IP the RTP sockets bind and advertise; "" = 127.0.0.1.
	RTPHost string
	// Codecs in preference order; nil = mediacore.DefaultCodecs.
	Codecs []mediacore.Codec
	// Source makes the audio each call sends; nil = silence.
	Source func() mediacore.PCMSource
	// Trace, when set, receives every SIP message sent ("out") and received ("in").
	Trace func(dir string, data []byte)
	// Media, when set, supplies each call's sockets instead of a UDP socket
	// on RTPHost (e.g. an RTP relay stream, rtprelay.Stream).
	Media func() (MediaConns, error)
}

// MediaConns are the sockets of one call's media.
type MediaConns struct {
	// RTP is the RTP socket; its LocalAddr port goes into the SDP.
	RTP net.PacketConn
	// RTCP is an optional RTCP socket (port+1).
	RTCP net.PacketConn
	// Address is the IP the SDP advertises; "" = RTP's local IP.
	Address string
	// Close releases the sockets once the call's media stopped.
	Close func() error
}

// Phone is a sipcore user agent whose calls each own a mediacore Session
// on their own UDP socket.
type Phone struct {
	cfg Config
	ua  *sipcore.UA

	// placing is held while Call registers a new line, so that events of
	// that call (never delivered synchronously by ua.Call, except "setup")
	// wait until the line is known.
	placing sync.Mutex

	w        *waiter // guards the fields below
	lines    map[string]*Line
	incoming []*Line
	regs     []sipcore.RegState
}

// traceRaw adapts a raw-message trace function to sipcore's Events.Trace.
func traceRaw(f func(dir string, data []byte)) func(string, []byte, *sipcore.TracedMessage) {
	if f == nil {
		return nil
	}
	return func(dir string, data []byte, _ *sipcore.TracedMessage) { f(dir, data) }
}

// New creates a phone; nothing is sent before Start.
func New(cfg Config) *Phone {
	if cfg.Dial == nil {
		cfg.Dial = nettransport.Dial
	}
	if cfg.RTPHost == "" {
		cfg.RTPHost = "127.0.0.1"
	}
	p := &Phone{cfg: cfg, w: newWaiter(), lines: map[string]*Line{}}
	p.ua = sipcore.NewUA(cfg.SIP, cfg.Dial, sipcore.Events{
		RegState:  p.onRegState,
		CallState: p.onCallState,
		Incoming:  p.onIncoming,
		RemoteSDP: p.onRemoteSDP,
		Offer:     p.onOffer,
		Trace:     traceRaw(cfg.Trace),
	})
	return p
}

// UA is the phone's user agent.
func (p *Phone) UA() *sipcore.UA { return p.ua }

// Start connects and, when cfg.SIP.Register is set, registers (it returns
// the registration's outcome).
func (p *Phone) Start(ctx context.Context) error { return p.ua.Start(ctx) }

// Stop hangs up every call, unregisters, closes the connection and stops
// every call's media and socket.
func (p *Phone) Stop() {
	p.ua.Stop()
	var lines []*Line
	p.w.read(func() {
		for _, l := range p.lines {
			lines = append(lines, l)
		}
	})
	for _, l := range lines {
		l.closeMedia()
	}
}

// RegStates lists the registration states reported so far.
func (p *Phone) RegStates() []sipcore.RegState {
	var out []sipcore.RegState
	p.w.read(func() { out = append(out, p.regs...) })
	return out
}

// Call places a call to target with a sendrecv offer from a new media
// session. The peer's answer is applied and the media started as soon as
// it arrives.
func (p *Phone) Call(target string) (*Line, error) {
	l, err := p.newLine()
	if err != nil {
		return nil, err
	}
	offer, err := l.sess.LocalOffer(mediacore.SendRecv)
	if err != nil {
		l.closeMedia()
		return nil, err
	}
	p.placing.Lock()
	defer p.placing.Unlock()
	c, err := p.ua.Call(target, offer)
	if err != nil {
		l.closeMedia()
		return nil, err
	}
	l.call = c
	p.w.update(func() { p.lines[c.CallID()] = l })
	return l, nil
}

// WaitIncoming returns the oldest incoming call not yet returned (ringing
// until Line.Answer or Line.Reject), or an error after timeout.
func (p *Phone) WaitIncoming(timeout time.Duration) (*Line, error) {
	var l *Line
	if !p.w.wait(timeout, func() bool { return len(p.incoming) > 0 }) {
		return nil, fmt.Errorf("gophone: no incoming call within %v", timeout)
	}
	p.w.update(func() { l, p.incoming = p.incoming[0], p.incoming[1:] })
	return l, nil
}

// newLine makes a line with its own media sockets and session.
func (p *Phone) newLine() (*Line, error) {
	mc, err := p.mediaConns()
	if err != nil {
		return nil, err
	}
	l := &Line{phone: p, conn: mc.RTP, release: mc.Close, Heard: NewToneMeter(), dir: mediacore.SendRecv}
	var src mediacore.PCMSource
	if p.cfg.Source != nil {
		src = p.cfg.Source()
	}
	l.sess, err = mediacore.NewSession(mediacore.SessionConfig{
		Conn:     mc.RTP,
		RTCPConn: mc.RTCP,
		Address:  mc.Address,
		Codecs:   p.cfg.Codecs,
		Source:   src,
		Sink:     l.Heard,
		OnDTMF:   l.onDTMF,
	})
	if err != nil {
		_ = mc.Close()
		return nil, err
	}
	return l, nil
}

// mediaConns opens a call's sockets: Config.Media's, or one UDP socket.
func (p *Phone) mediaConns() (MediaConns, error) {
	if p.cfg.Media != nil {
		return p.cfg.Media()
	}
	conn, err := listenRTP(p.cfg.RTPHost)
	if err != nil {
		return MediaConns{}, err
	}
	return MediaConns{RTP: conn, Close: conn.Close}, nil
}

// line finds the line of c, after any Call in progress registered it.
func (p *Phone) line(c *sipcore.Call) *Line {
	p.placing.Lock()
	// (empty critical section: only a barrier behind Call)
	p.placing.Unlock()
	var l *Line
	p.w.read(func() { l = p.lines[c.CallID()] })
	return l
}

func (p *Phone) onRegState(s sipcore.RegState, reason string) {
	p.w.update(func() { p.regs = append(p.regs, s) })
}

func (p *Phone) onCallState(c *sipcore.Call, s sipcore.CallState, reason string) {
	if s == sipcore.CallSetup {
		return // delivered inside ua.Call and before Incoming: the line does not exist yet
	}
	l := p.line(c)
	if l == nil {
		return
	}
	if s == sipcore.CallDisconnected {
		l.closeMedia() // before the state is visible: a test waiting for it sees the media stopped
	}
	l.setState(s, reason)
}

func (p *Phone) onIncoming(c *sipcore.Call) {
	l, err := p.newLine()
	if err != nil {
		_ = c.Reject(500)
		return
	}
	l.call = c
	p.w.update(func() {
		p.lines[c.CallID()] = l
		p.incoming = append(p.incoming, l)
	})
}

func (p *Phone) onRemoteSDP(c *sipcore.Call, sdp []byte) {
	if l := p.line(c); l != nil {
		l.applyAnswer(sdp)
	}
}

// onOffer answers a re-INVITE (or UPDATE) offer with the call's session;
// an offer it cannot take becomes an error, which sipcore answers with 488.
func (p *Phone) onOffer(c *sipcore.Call, sdp []byte) ([]byte, error) {
	l := p.line(c)
	if l == nil {
		return nil, errors.New("gophone: offer for an unknown call")
	}
	return l.applyOffer(sdp)
}

// AOR is the phone's address of record as other agents dial it through a
// registrar at registrar (host:port).
func (p *Phone) AOR(registrar string) string {
	return "sip:" + p.cfg.SIP.Username + "@" + strings.TrimPrefix(registrar, "sip:")
}

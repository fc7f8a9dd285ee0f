package mediacore

import (
	"fmt"
	"net"
	"sync"
	"time"
)

// Session is the media of one call: it negotiates SDP, sends the Source as RTP, plays received
// RTP through the jitter buffer into the Sink, sends and detects RFC 4733 digits and exchanges
// RTCP reports. All methods are safe for concurrent use. See the package documentation for the
// call flow.
type Session struct {
	cfg   SessionConfig
	epoch time.Time

	mu         sync.Mutex
	codecs     []Codec // current preference
	version    uint64  // SDP o= version
	offered    *SDPConfig
	neg        *Negotiated
	sendCodec  Codec
	sendPT     uint8
	ptToCodec  [128]int8 // remote payload type -> index+1 into supported codecs (0 = unknown)
	frame      int       // samples per packet
	remoteAddr *net.UDPAddr
	remoteRTCP *net.UDPAddr
	sdpAddr    string // remote address/port from the SDP, to notice a real change

	sender    *RTPSender
	dtmfTx    *DTMFSender
	recv      *ReceiverStats
	jb        *JitterBuffer
	dtmfRx    DTMFDetector
	remoteSRC uint32
	hasRemote bool
	srcAddr   *net.UDPAddr  // where the accepted stream comes from
	srcLast   time.Duration // when its last packet arrived

	source    PCMSource
	sink      PCMSink
	muteSend  bool
	muteRecv  bool
	localVAD  *LevelMeter
	remoteVAD *LevelMeter

	running bool
	stop    chan struct{}
	wg      sync.WaitGroup

	stats           counters
	remoteRep       RemoteReport
	lastRTCP        time.Duration
	sentSinceReport bool
}

type counters struct {
	packetsSent, octetsSent         uint64
	packetsReceived, octetsReceived uint64
	ignored                         uint64
	foreign                         uint64 // packets of a second source, not played
	dtmfSent, dtmfReceived          uint64
	rtcpSent, rtcpReceived          uint64
}

var supportedCodecs = [...]Codec{PCMU, PCMA}

// NewSession returns an idle session. Nothing is sent before Start.
func NewSession(cfg SessionConfig) (*Session, error) {
	if err := cfg.normalize(); err != nil {
		return nil, err
	}
	s := &Session{
		cfg:       cfg,
		epoch:     time.Now(),
		codecs:    cfg.Codecs,
		frame:     cfg.PTime * SampleRate / 1000,
		sender:    NewRTPSender(),
		recv:      NewReceiverStats(SampleRate),
		jb:        NewJitterBuffer(cfg.Jitter),
		source:    cfg.Source,
		sink:      cfg.Sink,
		localVAD:  NewLevelMeter(),
		remoteVAD: NewLevelMeter(),
	}
	s.dtmfTx = NewDTMFSender(s.frame)
	if err := s.sdpConfig(SendRecv).validate(); err != nil {
		return nil, err
	}
	return s, nil
}

// sdpConfig is our side of the SDP for direction dir. Caller holds mu (or is NewSession).
func (s *Session) sdpConfig(dir Direction) SDPConfig {
	rtcpPort := 0
	if s.cfg.RTCPConn != nil {
		rtcpPort = udpPort(s.cfg.RTCPConn.LocalAddr())
	}
	return SDPConfig{
		Address:         s.cfg.Address,
		Port:            udpPort(s.cfg.Conn.LocalAddr()),
		RTCPPort:        rtcpPort,
		Codecs:          append([]Codec(nil), s.codecs...),
		DTMFPayloadType: s.cfg.DTMFPayloadType,
		NoDTMF:          s.cfg.NoDTMF,
		PTime:           s.cfg.PTime,
		Direction:       dir,
		SessionID:       s.cfg.SessionID,
		SessionVersion:  s.version,
		RTCPMux:         s.cfg.RTCPConn == nil,
	}
}

// LocalOffer returns an SDP offer with direction dir (SendRecv normally, SendOnly or Inactive
// to hold). Every offer carries a new o= version. Pass the peer's answer to ApplyAnswer.
func (s *Session) LocalOffer(dir Direction) ([]byte, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	cfg := s.sdpConfig(dir)
	body, err := BuildOffer(cfg)
	if err != nil {
		return nil, err
	}
	s.version++
	s.offered = &cfg
	return body, nil
}

// ApplyAnswer applies the peer's answer to our last LocalOffer.
func (s *Session) ApplyAnswer(answer []byte) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.offered == nil {
		return fmt.Errorf("mediacore: ApplyAnswer without a LocalOffer")
	}
	neg, err := ParseAnswer(answer, *s.offered)
	if err != nil {
		return err
	}
	s.offered = nil
	s.apply(neg)
	return nil
}

// ApplyOffer answers a remote offer (initial INVITE or re-INVITE) with our wanted direction dir
// and applies the result. IsNotAcceptable(err) means: reply SIP 488.
func (s *Session) ApplyOffer(offer []byte, dir Direction) ([]byte, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	cfg := s.sdpConfig(dir)
	body, neg, err := BuildAnswer(offer, cfg)
	if err != nil {
		return nil, err
	}
	s.version++
	s.offered = nil
	s.apply(neg)
	return body, nil
}

// apply switches to a negotiation result. Caller holds mu.
func (s *Session) apply(neg Negotiated) {
	wasSending := s.neg != nil && s.neg.Direction.Sends()
	s.neg = &neg
	s.sendCodec, s.sendPT = neg.Codec, neg.PayloadType
	s.ptToCodec = [128]int8{}
	for _, m := range neg.Remote.Codecs {
		for i, c := range supportedCodecs {
			if _, ok := matchCodec(m, []Codec{c}); ok && m.PayloadType < 128 {
				s.ptToCodec[m.PayloadType] = int8(i + 1)
			}
		}
	}
	for i, c := range supportedCodecs {
		if s.ptToCodec[c.PayloadType] == 0 {
			s.ptToCodec[c.PayloadType] = int8(i + 1) // static types are understood anyway
		}
	}
	if neg.PTime > 0 {
		s.frame = neg.PTime * SampleRate / 1000
	}
	s.dtmfTx.frame = s.frame
	sdpAddr := fmt.Sprintf("%s:%d", neg.Remote.Address, neg.Remote.Port)
	if sdpAddr != s.sdpAddr || s.remoteAddr == nil {
		// A new address in the SDP wins over a latched one.
		s.sdpAddr = sdpAddr
		s.remoteAddr = neg.Remote.Addr()
		s.remoteRTCP = neg.Remote.RTCPAddr()
	}
	if neg.Direction.Sends() && !wasSending {
		s.sender.StartTalkspurt()
	}
}

// Negotiated returns the current negotiation result (false before the first offer/answer).
func (s *Session) Negotiated() (Negotiated, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.neg == nil {
		return Negotiated{}, false
	}
	return *s.neg, true
}

// SetCodec makes c the preferred codec. When c was negotiated (it is in Negotiated.Accepted) the
// session sends it from the next frame on; otherwise the error wraps ErrNoCommonCodec and the
// change takes effect with the next offer/answer (renegotiate with LocalOffer).
func (s *Session) SetCodec(c Codec) error {
	if _, ok := codecByPayloadType(c.PayloadType); !ok {
		return fmt.Errorf("%w: %q", ErrNoSupportedCodec, c.Name)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if !containsCodec(s.codecs, c) {
		s.codecs = append(s.codecs, c)
	}
	s.codecs = moveToFront(s.codecs, c)
	if s.neg == nil {
		return nil
	}
	if !containsCodec(s.neg.Accepted, c) {
		return fmt.Errorf("%w: %s was not negotiated; renegotiate", ErrNoCommonCodec, c.Name)
	}
	s.sendCodec, s.sendPT = c, remotePT(s.neg.Remote, c)
	s.sender.StartTalkspurt()
	return nil
}

// SendDTMF queues RFC 4733 digits (0-9 * # A-D) of durationMs each (0 = 160 ms, 40..5000).
// Audio pauses while an event is sent. It fails before negotiation (ErrNotNegotiated), when the
// peer has no telephone-event (ErrDTMFNotNegotiated), while we do not send (hold) and for
// invalid digits.
func (s *Session) SendDTMF(digits string, durationMs int) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.neg == nil {
		return ErrNotNegotiated
	}
	if s.neg.DTMFPayloadType == 0 {
		return ErrDTMFNotNegotiated
	}
	if !s.neg.Direction.Sends() {
		return fmt.Errorf("mediacore: cannot send DTMF while the direction is %v", s.neg.Direction)
	}
	return s.dtmfTx.Queue(digits, time.Duration(durationMs)*time.Millisecond)
}

// SetSource replaces the audio source (nil = silence).
func (s *Session) SetSource(src PCMSource) {
	s.mu.Lock()
	s.source = src
	s.mu.Unlock()
}

// SetSink replaces the audio sink (nil = discard).
func (s *Session) SetSink(sink PCMSink) {
	s.mu.Lock()
	s.sink = sink
	s.mu.Unlock()
}

// MuteSend sends silence instead of the source while on (packets keep flowing, keeping NAT
// bindings open). No renegotiation.
func (s *Session) MuteSend(on bool) {
	s.mu.Lock()
	s.muteSend = on
	s.mu.Unlock()
}

// MuteReceive gives the sink silence instead of received audio while on.
func (s *Session) MuteReceive(on bool) {
	s.mu.Lock()
	s.muteRecv = on
	s.mu.Unlock()
}

// ResetSSRC switches to a new random SSRC, sequence number and timestamp (e.g. when the call's
// media is replaced).
func (s *Session) ResetSSRC() {
	s.mu.Lock()
	s.sender.NewSSRC()
	s.mu.Unlock()
}

// LocalAddr is the RTP socket address.
func (s *Session) LocalAddr() net.Addr { return s.cfg.Conn.LocalAddr() }

// RemoteAddr is where RTP is sent (after symmetric-RTP latching); nil before negotiation.
func (s *Session) RemoteAddr() *net.UDPAddr {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.remoteAddr == nil {
		return nil
	}
	a := *s.remoteAddr
	return &a
}

// VADReport returns the Mizu "VAD,..." notification line for the audio since the last call
// (local = what we sent, remote = what we played).
func (s *Session) VADReport() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return FormatVAD(s.localVAD.Report(), s.remoteVAD.Report())
}

// dtmfBusy reports whether telephone-events are being sent or queued.
func (s *Session) dtmfBusy() bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.dtmfTx.Busy()
}

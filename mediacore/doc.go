// Package mediacore is the pure-Go media engine of the softphone: SDP offer/answer for plain RTP
// (RTP/AVP), RTP/RTCP, G.711, an adaptive jitter buffer with loss concealment, RFC 4733
// telephone-events, tone generation and detection, an N-party mixer, WAV files, a level meter/VAD
// and a media Session that ties these together over a UDP socket.
//
// It imports no syscall/js and does no browser work, so it runs natively (a Go phone using sipcore
// over UDP/WS and mediacore over UDP RTP) and under WebAssembly (fed by an AudioWorklet PCM path).
// Audio is 8 kHz, 16-bit signed mono PCM ([]int16) throughout; one frame is one ptime
// (160 samples at the default 20 ms).
//
// # Session: one call's media
//
// A call owns one *Session. The caller supplies the UDP socket(s); the session never closes them.
//
//	conn, _ := net.ListenPacket("udp4", "127.0.0.1:0")       // RTP
//	rtcpConn, _ := net.ListenPacket("udp4", "127.0.0.1:0")   // optional; without it RTCP is muxed when the peer agrees
//	codecs, err := mediacore.ParseCodecPrefs(params["codec"], params["prefcodec"]) // Mizu parameters
//	rec := &mediacore.PCMRecorder{}
//	sess, err := mediacore.NewSession(mediacore.SessionConfig{
//		Conn:     conn,
//		RTCPConn: rtcpConn,
//		Address:  "",                                        // IP for SDP; "" = conn's IP (must not be 0.0.0.0)
//		Codecs:   codecs,                                    // nil = PCMU, PCMA
//		Source:   mediacore.NewTone(mediacore.SineTone(1000, 0.3)), // PCM to send; nil = silence
//		Sink:     rec,                                       // decoded PCM, one frame per ptime
//		OnDTMF:   func(ev mediacore.DTMFEvent) { log.Printf("digit %c", ev.Digit) }, // once per digit
//	})
//	defer sess.Stop()
//
// Outgoing call (we offer), e.g. with sipcore:
//
//	offer, err := sess.LocalOffer(mediacore.SendRecv)   // body of the INVITE
//	call, err := ua.Call(target, offer)
//	// in sipcore.Events.RemoteSDP (18x with SDP or 2xx, once per offer):
//	err = sess.ApplyAnswer(sdp)                          // ErrNoCommonCodec if the answer is unusable
//	err = sess.Start()
//
// Incoming call (they offer):
//
//	answer, err := sess.ApplyOffer(call.RemoteSDP(), mediacore.SendRecv)
//	if mediacore.IsNotAcceptable(err) {
//		call.Reject(488) // no common codec (ErrNoCommonCodec) or no RTP/AVP audio (ErrNoAudio)
//	}
//	err = call.Accept(answer)
//	err = sess.Start()
//
// Hold and resume are re-offers with another direction. A received re-INVITE is ApplyOffer again
// (a remote sendonly offer is answered recvonly, inactive with inactive, and so on — see
// AnswerDirection); with sipcore that is
//
//	Events.Offer = func(c *sipcore.Call, sdp []byte) ([]byte, error) {
//		return sess.ApplyOffer(sdp, mediacore.SendRecv) // an error makes sipcore answer 488
//	}
//
// HoldDirection maps the engine's hold strings ("", "sendonly", "inactive") to a Direction.
//
//	offer, _ := sess.LocalOffer(mediacore.SendOnly)  // hold
//	answer, err := call.Renegotiate(offer)
//	err = sess.ApplyAnswer(answer)                    // now we send, the peer does not
//	offer, _ = sess.LocalOffer(mediacore.SendRecv)    // resume
//
// While running:
//
//	sess.SendDTMF("123#", 100)        // RFC 4733, 100 ms per digit (0 = 160 ms); needs telephone-event negotiated
//	sess.SetCodec(mediacore.PCMA)     // switch among negotiated codecs (else ErrNoCommonCodec: renegotiate)
//	sess.SetSource(src); sess.SetSink(sink)
//	sess.MuteSend(true); sess.MuteReceive(true) // silence without renegotiation
//	sess.ResetSSRC()                  // new SSRC/sequence/timestamp
//	st := sess.Stats()                // packets, loss, jitter, jitter buffer, DTMF, RTCP peer report
//	line := sess.VADReport()          // "VAD,local_vad: ON local_avg: ..." (Mizu notification)
//	sess.Stop()                       // sends RTCP BYE; Start may be called again
//
// Behaviour: a random SSRC, sequence number and timestamp; the marker bit on the first packet of
// every talkspurt (start, after hold, after DTMF); the RTP timestamp follows the clock while
// nothing is sent; symmetric RTP (replies go to where the peer's packets come from, unless
// DisableSymmetricRTP); a new remote SSRC restarts the jitter buffer and statistics; RTCP
// SR/RR + SDES every RTCPInterval with RFC 3550 loss and jitter.
//
// # Pure building blocks
//
// SDP functions take and return bytes: BuildOffer, BuildAnswer, ParseAnswer and ParseRemoteMedia
// (remote address, ports, payload types, codecs, direction). The other pieces can be used on
// their own, for instance by the browser AudioWorklet path: EncodeUlaw/DecodeUlaw/EncodeAlaw/
// DecodeAlaw (allocation-free), RTPSender, SeqExtender, ReceiverStats, BuildRTCP, JitterBuffer,
// Concealer, DTMFSender, DTMFDetector, Tone (DTMF, RingbackUS/EU, BusyUS/EU, Beep), Goertzel
// helpers (GoertzelPower, StrongestTone, DetectDTMFTone), Mixer, ReadWAV/WriteWAV/NewWAVSource,
// LevelMeter and FormatVAD.
package mediacore

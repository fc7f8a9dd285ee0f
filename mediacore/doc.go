// Package mediacore is the pure-Go media engine of the softphone: SDP offer/answer for plain RTP
// (RTP/AVP), RTP/RTCP, G.711, an adaptive jitter buffer with loss concealment, RFC 4733
// telephone-events, tone generation and detection, an N-party mixer, WAV files, a level meter/VAD
// and a media Session that ties these together over a UDP socket.
//
// It imports no syscall/js and does no browser work, so it runs natively (a Go phone using sipcore
// over UDP/WS and mediacore over UDP RTP) and under WebAssembly (fed by an AudioWorklet PCM path).
//
// # Session: one call's media
//
// A call owns one *Session. The caller supplies the UDP socket; the session never closes it.
//
//	conn, _ := net.ListenPacket("udp4", "127.0.0.1:0")
//	sess, err := mediacore.NewSession(mediacore.SessionConfig{
//		Conn:   conn,                                   // RTP socket (required)
//		Codecs: mediacore.DefaultCodecs,                // or from ParseCodecPrefs(codec, prefcodec)
//		Source: mediacore.NewTone(mediacore.Beep),      // PCM to send (nil = silence)
//		Sink:   mediacore.PCMSinkFunc(play),            // decoded PCM, one ptime frame per call
//		OnDTMF: func(ev mediacore.DTMFEvent) { ... },   // RFC 4733 digits, once each
//	})
//
// Outgoing call (we offer):
//
//	offer, _ := sess.LocalOffer(mediacore.SendRecv)   // SDP body of the INVITE
//	// ... INVITE, 200 OK ...
//	if err := sess.ApplyAnswer(answerSDP); err != nil { ... }
//	sess.Start()
//
// Incoming call (they offer):
//
//	answer, err := sess.ApplyOffer(offerSDP, mediacore.SendRecv)
//	if mediacore.IsNotAcceptable(err) { /* reply 488 Not Acceptable Here */ }
//	sess.Start()
//
// Hold and resume are re-offers with another direction; a received re-INVITE is ApplyOffer again
// (a remote sendonly offer is answered recvonly, and so on):
//
//	offer, _ := sess.LocalOffer(mediacore.SendOnly)  // hold
//	sess.ApplyAnswer(answer)                          // now we send nothing, we still receive
//	offer, _ = sess.LocalOffer(mediacore.SendRecv)    // resume
//
// Other controls: SendDTMF(digits, durationMs), SetCodec(codec), SetSource, SetSink, MuteSend,
// MuteReceive, Stats, ResetSSRC, Stop. Stop leaves the socket open; a stopped session can be
// started again.
//
// # Pure building blocks
//
// SDP functions take and return bytes (BuildOffer, BuildAnswer, ParseAnswer, ParseRemoteMedia).
// An offer without a common codec yields ErrNoCommonCodec, one without usable audio ErrNoAudio;
// IsNotAcceptable reports both (SIP 488). The other pieces (RTPSender, ReceiverStats, JitterBuffer,
// Concealer, DTMFSender, DTMFDetector, Tone, Goertzel, Mixer, ReadWAV/WriteWAV, LevelMeter) can be
// used on their own, for instance by the browser AudioWorklet path.
//
// Audio is 8 kHz, 16-bit signed mono PCM ([]int16) throughout.
package mediacore

package engine

import (
	"strconv"
	"time"
)

// MediaEvents is implemented by a Media that reads the RTP itself (the PCM
// engine): it reports the RFC 4733 digits the peer sends. The engine sets
// the handler once the media is created; the digits reach the page as
// onDTMF and the DTMF notification, as digits received by SIP INFO do.
type MediaEvents interface {
	SetDTMFHandler(func(digit string))
}

// RTPStat is one call's RTP statistics, the fields of the Mizu RTPSTAT
// notification.
type RTPStat struct {
	Quality  int    // 0 (worst) .. 5 (best)
	Sent     uint64 // RTP packets sent
	Received uint64 // RTP packets received and played
	Issues   uint64 // every problem counted (late, lost, concealed, dropped, ...)
	Lost     uint64 // packets lost
}

// String is "RTPSTAT,quality,sent,rec,issues,lost".
func (s RTPStat) String() string {
	return "RTPSTAT," + strconv.Itoa(s.Quality) + "," + strconv.FormatUint(s.Sent, 10) + "," +
		strconv.FormatUint(s.Received, 10) + "," + strconv.FormatUint(s.Issues, 10) + "," +
		strconv.FormatUint(s.Lost, 10)
}

// MediaStatistics is implemented by a Media that counts its RTP (the PCM
// engine). With it the engine sends the RTPSTAT notifications the rtpstat
// parameter asks for and logs "rtp stat" when the call ends.
type MediaStatistics interface {
	RTPStat() RTPStat
}

// rtpStatInterval is the period of the RTPSTAT notifications for the
// rtpstat parameter: 0 (default) none, -1 automatic (6 s), N seconds.
func rtpStatInterval(p *Params) time.Duration {
	switch n := p.Int("rtpstat", 0); {
	case n < 0:
		return 6 * time.Second
	case n > 0:
		return time.Duration(min(n, 3600)) * time.Second
	}
	return 0
}

// watchMedia connects a new call media's events: its received digits, and
// its RTPSTAT notifications while it is the line's media.
func (e *Engine) watchMedia(l *line, m Media) {
	if me, ok := m.(MediaEvents); ok {
		me.SetDTMFHandler(func(digit string) { e.onMediaDTMF(l, digit) })
	}
	ms, ok := m.(MediaStatistics)
	if !ok {
		return
	}
	if every := rtpStatInterval(e.params); every > 0 {
		var tick func()
		tick = func() {
			e.lines.mu.Lock()
			same := l.live() && l.media == m
			e.lines.mu.Unlock()
			if !same {
				return
			}
			e.notify(ms.RTPStat().String())
			e.opts.AfterFunc(every, tick)
		}
		e.opts.AfterFunc(every, tick)
	}
}

// onMediaDTMF reports a digit the line's media received as RFC 4733.
func (e *Engine) onMediaDTMF(l *line, digit string) {
	e.lines.mu.Lock()
	live, n, peer := l.live(), l.n, l.peer
	e.lines.mu.Unlock()
	if !live {
		return
	}
	e.emit("onDTMF", digit, n)
	e.notify(DTMFNotification(n, peer, digit))
}

// logRTPStat logs the Mizu end-of-call line "rtp stat: sent X rec X loss
// X X%" for a media that counts its RTP.
func (e *Engine) logRTPStat(m Media) {
	ms, ok := m.(MediaStatistics)
	if !ok {
		return
	}
	s := ms.RTPStat()
	pct := 0.0
	if total := s.Received + s.Lost; total > 0 {
		pct = 100 * float64(s.Lost) / float64(total)
	}
	e.logEvent(LogDetail, "rtp stat: sent "+strconv.FormatUint(s.Sent, 10)+" rec "+strconv.FormatUint(s.Received, 10)+
		" loss "+strconv.FormatUint(s.Lost, 10)+" "+strconv.FormatFloat(pct, 'f', 1, 64)+"%")
}

// RelayTokenHeader is the header of the demo server's REGISTER 2xx that
// admits the page to its RTP relay (docs/rtprelay.md).
const RelayTokenHeader = "X-Webphone-Relay-Token"

// RelayToken is the token the PCM engine says hello to the RTP relay with:
// the rtprelaytoken parameter (a standalone relay's secret) when set, else
// the demo server's token from the last REGISTER 2xx ("" when neither).
func (e *Engine) RelayToken() (tok string) {
	defer e.recovered("relaytoken")
	if t := e.params.Get("rtprelaytoken"); t != "" {
		return t
	}
	if ua := e.app.currentUA(); ua != nil {
		return ua.RegistrationHeader(RelayTokenHeader)
	}
	return ""
}

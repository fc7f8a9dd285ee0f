package engine

import (
	"strconv"
	"strings"
	"sync"
	"time"
)

// MediaActivity is optional for a Media: media that can tell when RTP last
// arrived from the peer, and whether its transport failed (ICE), lets the
// engine apply mediatimeout. Media without it is not supervised.
type MediaActivity interface {
	// LastReceived is when media last arrived from the peer (zero: never).
	LastReceived() time.Time
	// Failed reports a media transport that broke for good (ICE failed).
	Failed() bool
}

// supervision is a connected line's timers: calltimeout (maximum talk
// time) and mediatimeout (no media). Its stop ends both.
type supervision struct {
	mu      sync.Mutex
	stops   []func() bool
	stopped bool
	warned  bool
}

func (s *supervision) add(stop func() bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.stopped {
		stop()
		return
	}
	s.stops = append(s.stops, stop)
}

// stop cancels every timer; later ones are cancelled as they are added.
func (s *supervision) stop() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.stopped = true
	for _, f := range s.stops {
		f()
	}
	s.stops = nil
}

// mediaCheckInterval is how often a connected line's media is looked at.
const mediaCheckInterval = time.Second

// superviseLine starts the timers of a line that just connected:
// calltimeout (ms, default 3 h) ends the call with "max call time expired";
// mediatimeout (s, default 300, 0 off) ends it with "media timeout" when no
// media arrived for that long, or for half of it before the first packet,
// after a warning at half the limit ("media timeout (failed media)" when the
// media transport had failed).
func (e *Engine) superviseLine(l *line) {
	s := &supervision{}
	e.lines.mu.Lock()
	if !l.live() || l.supervision != nil {
		e.lines.mu.Unlock()
		return
	}
	l.supervision = s
	m := l.media
	connectedAt := l.connectedAt
	e.lines.mu.Unlock()

	if ms := e.params.Int("calltimeout", 10800000); ms > 0 {
		// a wall-clock timer: hours long, it is not on the injected clock
		// (whose tests count the timers a connection arms)
		s.add(time.AfterFunc(time.Duration(ms)*time.Millisecond, func() {
			defer e.recovered("calltimeout")
			e.logEvent(LogImportant, "max call time expired on line "+strconv.Itoa(l.n))
			e.hangupLineReason(l, "max call time expired", DiscTimeout)
		}).Stop)
	}
	act, ok := m.(MediaActivity)
	secs := e.params.Int("mediatimeout", 300)
	if !ok || secs <= 0 {
		return
	}
	limit := time.Duration(secs) * time.Second
	var check func()
	check = func() {
		defer e.recovered("mediatimeout")
		e.lines.mu.Lock()
		live := l.live() && l.supervision == s
		e.lines.mu.Unlock()
		if !live {
			return
		}
		now := e.now()
		last := act.LastReceived()
		allowed, since, what := limit, now.Sub(last), "no media received for "
		if last.IsZero() {
			allowed, since, what = limit/2, now.Sub(connectedAt), "no media received since the call connected "
		}
		switch {
		case since >= allowed:
			// a failed transport (ICE) gets the same time: an ICE restart
			// after a reconnection may still bring the media back
			reason := "media timeout"
			if act.Failed() {
				reason += " (failed media)"
			}
			e.logWarn(reason + " on line " + strconv.Itoa(l.n) + ": " + what + since.Round(time.Second).String())
			e.hangupLineReason(l, reason, DiscTimeout)
			return
		case since >= allowed/2 && s.warnOnce():
			e.logWarn("no media on line " + strconv.Itoa(l.n) + " for " + since.Round(time.Second).String() +
				"; the call ends after " + allowed.String())
			e.lineStatus(l, "No media")
		}
		s.add(e.opts.AfterFunc(mediaCheckInterval, check))
	}
	s.add(e.opts.AfterFunc(mediaCheckInterval, check))
}

// warnOnce reports true the first time it is called.
func (s *supervision) warnOnce() bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	was := s.warned
	s.warned = true
	return !was
}

// stopSupervision ends a line's timers (the line ended).
func (l *line) stopSupervision() {
	if l.supervision != nil {
		l.supervision.stop()
	}
}

// defaultNoAnswerForward is callforwardonnoanswertimeout's default.
const defaultNoAnswerForward = 15 * time.Second

// noAnswerTimeout reads callforwardonnoanswertimeout: the documentation
// gives no unit and a default of "15 second"; values up to 600 are taken
// as seconds, larger ones as milliseconds.
func noAnswerTimeout(p *Params) time.Duration {
	v := p.Int("callforwardonnoanswertimeout", 0)
	switch {
	case v <= 0:
		return defaultNoAnswerForward
	case v <= 600:
		return time.Duration(v) * time.Second
	}
	return time.Duration(v) * time.Millisecond
}

// startNoAnswerForward forwards a ringing incoming call to
// callforwardonnoanswer when it is not answered in time (CDR reason
// "302 forwardonnoanswer").
func (e *Engine) startNoAnswerForward(l *line) {
	target := strings.TrimSpace(e.params.Get("callforwardonnoanswer"))
	if target == "" {
		return
	}
	e.opts.AfterFunc(noAnswerTimeout(e.params), func() {
		defer e.recovered("callforwardonnoanswer")
		e.lines.mu.Lock()
		ringing := l.live() && l.state.ringingHere()
		e.lines.mu.Unlock()
		if ringing {
			e.logEvent(LogImportant, "no answer on line "+strconv.Itoa(l.n)+": forwarded")
			e.forwardLine(l, target, "forwardonnoanswer")
		}
	})
}

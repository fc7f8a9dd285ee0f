package engine

import (
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/opensoftphone/webphone/sipcore"
)

// Line states.
const (
	stDialing      = "dialing" // reserved; media/INVITE being prepared
	stSetup        = "setup"
	stRinging      = "ringing"
	stConnected    = "connected"
	stDisconnected = "disconnected"
)

// line is one call ("channel") as the API sees it.
type line struct {
	n           int
	dir         int // 1 outgoing, 2 incoming
	peer        string
	peerDisplay string
	target      string // request URI dialled, or the caller's URI
	callID      string
	call        *sipcore.Call
	media       Media
	state       string
	created     time.Time
	connectedAt time.Time
	postDial    string
	headers     []sipcore.Header // setsipheader, line scope

	setupSent, ringSent, connSent bool
	accepting                     bool
	hold, remoteHold              bool
	muteMic, muteSpk              bool
	ended                         bool
	stopRing                      func() bool

	negMu sync.Mutex // serialises SDP negotiations of this line

	dtmfMu      sync.Mutex
	dtmfQueue   []string
	dtmfRunning bool
}

func (l *line) live() bool { return !l.ended }

// liveLinesLocked returns the live lines by line number.
func (e *Engine) liveLinesLocked() []*line {
	out := make([]*line, 0, len(e.lines))
	for _, l := range e.lines {
		if l.live() {
			out = append(out, l)
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].n < out[j].n })
	return out
}

// allocLineLocked reserves the first free line and makes it the active one.
func (e *Engine) allocLineLocked(dir int) *line {
	for n := 1; n <= MaxLines; n++ {
		if _, busy := e.lines[n]; !busy {
			l := &line{n: n, dir: dir, state: stDialing, created: e.now()}
			e.lines[n] = l
			e.active = n
			e.cur = n
			e.curAt = e.now()
			return l
		}
	}
	return nil
}

// lineForCallLocked finds the line of a sipcore call; an outgoing call that
// is not yet bound is the one being dialled.
func (e *Engine) lineForCallLocked(c *sipcore.Call) *line {
	if c == nil {
		return nil
	}
	for _, l := range e.lines {
		if l.call == c {
			return l
		}
	}
	if e.dialing != nil && e.dialing.call == nil && c.Direction() == sipcore.Outgoing {
		l := e.dialing
		l.call = c
		l.callID = c.CallID()
		return l
	}
	return nil
}

// selectorTTL is how long setline(-1) / setline(-2) is remembered.
const selectorTTL = 3 * time.Second

// bestLineLocked is the line actions apply to when no specific line is
// selected: the active (newest) call if live, else the newest live call,
// else 0.
func (e *Engine) bestLineLocked() int {
	if l, ok := e.lines[e.active]; ok && l.live() {
		return l.n
	}
	var best *line
	for _, l := range e.lines {
		if l.live() && (best == nil || l.created.After(best.created)) {
			best = l
		}
	}
	if best != nil {
		return best.n
	}
	return 0
}

// targetLinesLocked resolves a line argument (-2 all, -1 current, N) to the
// live lines an action applies to. -1 follows setline: -2 selected means
// all; a selected line without a call falls back to the best line (the
// auto-guess rule).
func (e *Engine) targetLinesLocked(n int) []*line {
	if n == -1 {
		n = e.cur
		if n == -2 && e.now().Sub(e.curAt) > selectorTTL {
			n = -1
		}
	}
	if n == -2 {
		return e.liveLinesLocked()
	}
	if n >= 1 {
		if l, ok := e.lines[n]; ok && l.live() {
			return []*line{l}
		}
		if n != e.cur {
			return nil // an explicit line without a call
		}
	}
	if b := e.bestLineLocked(); b > 0 {
		return []*line{e.lines[b]}
	}
	return nil
}

// currentLineLocked is the single line the argument-less actions use.
func (e *Engine) currentLineLocked() *line {
	ls := e.targetLinesLocked(-1)
	if len(ls) == 0 {
		return nil
	}
	if len(ls) > 1 { // -2 selected: prefer the active line
		if l, ok := e.lines[e.active]; ok && l.live() {
			return l
		}
	}
	return ls[0]
}

// SetLine selects the line later calls apply to (setline). sel is a line
// number (-2 all, -1 best, 1..N), a SIP Call-ID, or a peer username. It
// returns false when nothing matches.
func (e *Engine) SetLine(sel string) (ok bool) {
	defer e.recovered("setline")
	sel = strings.TrimSpace(sel)
	if sel == "" {
		return false
	}
	e.mu.Lock()
	defer e.mu.Unlock()
	if n, err := strconv.Atoi(sel); err == nil && n >= -2 && n <= MaxLines {
		if n == 0 {
			n = -1
		}
		e.cur, e.curAt = n, e.now()
		return true
	}
	for _, l := range e.liveLinesLocked() {
		if l.callID == sel {
			e.cur, e.curAt = l.n, e.now()
			return true
		}
	}
	user := strings.ToLower(UserOf(sel))
	for _, l := range e.liveLinesLocked() {
		if strings.ToLower(l.peer) == user || strings.EqualFold(l.target, sel) {
			e.cur, e.curAt = l.n, e.now()
			return true
		}
	}
	return false
}

// GetLine returns the current line: the selected line number, or after a
// short while for -1/-2 the best line with a call; -1 if none.
func (e *Engine) GetLine() (n int) {
	defer e.recovered("getline")
	n = -1
	e.mu.Lock()
	defer e.mu.Unlock()
	if e.cur >= 1 {
		return e.cur
	}
	if e.now().Sub(e.curAt) <= selectorTTL && !e.curAt.IsZero() {
		return e.cur
	}
	if b := e.bestLineLocked(); b > 0 {
		return b
	}
	return -1
}

// LineToCallID returns the Call-ID of the call on line n (-1: current), or
// "" if there is none.
func (e *Engine) LineToCallID(n int) (id string) {
	defer e.recovered("linetocallid")
	e.mu.Lock()
	defer e.mu.Unlock()
	var l *line
	if n == -1 || n == -2 {
		l = e.currentLineLocked()
	} else {
		l = e.lines[n]
	}
	if l == nil || !l.live() {
		return ""
	}
	return l.callID
}

// CallIDToLine returns the line of the call with this Call-ID, or -1.
func (e *Engine) CallIDToLine(callID string) (n int) {
	defer e.recovered("callidtoline")
	n = -1
	callID = strings.TrimSpace(callID)
	if callID == "" {
		return -1
	}
	e.mu.Lock()
	defer e.mu.Unlock()
	for _, l := range e.liveLinesLocked() {
		if l.callID == callID {
			return l.n
		}
	}
	return -1
}

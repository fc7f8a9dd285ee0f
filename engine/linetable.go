package engine

import (
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/opensoftphone/webphone/sipcore"
)

// selectorTTL is how long setline(-1) / setline(-2) is remembered.
const selectorTTL = 3 * time.Second

// lineTable holds the lines ("channels") and the rules that pick the line
// an action applies to: a new call takes the first free line and becomes
// the active and current one; a line argument is -2 (all), -1 (current) or
// N; setline selects the current line, and a -1/-2 selection is remembered
// for selectorTTL. Its lock guards the table and the mutable fields of every
// line in it; it is taken after the app and registration locks, never before.
type lineTable struct {
	now func() time.Time

	mu      sync.Mutex
	lines   map[int]*line
	cur     int // line selected with setline (-2, -1, 1..N)
	curAt   time.Time
	active  int  // line of the newest call
	lastCDR *CDR // of the last finished call
}

func newLineTable(now func() time.Time) *lineTable {
	return &lineTable{now: now, lines: map[int]*line{}, cur: -1}
}

// alloc reserves the first free line for a new call in direction dir and
// makes it the active and current one; nil when all MaxLines are busy.
func (t *lineTable) alloc(dir int) *line {
	t.mu.Lock()
	defer t.mu.Unlock()
	return t.allocLocked(dir)
}

func (t *lineTable) allocLocked(dir int) *line {
	for n := 1; n <= MaxLines; n++ {
		if _, busy := t.lines[n]; !busy {
			l := &line{n: n, dir: dir, state: lineReserved, created: t.now(), neg: make(chan struct{}, 1)}
			t.lines[n] = l
			t.active, t.cur, t.curAt = n, n, t.now()
			return l
		}
	}
	return nil
}

// releaseLocked frees the line's number (once it ended).
func (t *lineTable) releaseLocked(l *line) {
	if t.lines[l.n] == l {
		delete(t.lines, l.n)
	}
	if t.active == l.n {
		t.active = 0
	}
}

// live returns the lines with a call, by line number.
func (t *lineTable) live() []*line {
	t.mu.Lock()
	defer t.mu.Unlock()
	return t.liveLocked()
}

func (t *lineTable) liveLocked() []*line {
	out := make([]*line, 0, len(t.lines))
	for _, l := range t.lines {
		if l.live() {
			out = append(out, l)
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].n < out[j].n })
	return out
}

// count is the number of lines with a call.
func (t *lineTable) count() int {
	t.mu.Lock()
	defer t.mu.Unlock()
	return len(t.liveLocked())
}

// byCall returns the live line a sipcore call is bound to, or nil.
func (t *lineTable) byCall(c *sipcore.Call) *line {
	if c == nil {
		return nil
	}
	t.mu.Lock()
	defer t.mu.Unlock()
	for _, l := range t.lines {
		if l.call == c && l.live() {
			return l
		}
	}
	return nil
}

// bind attaches a call to a line before the call can report anything; it
// returns false when the line ended meanwhile.
func (t *lineTable) bind(l *line, c *sipcore.Call) bool {
	t.mu.Lock()
	defer t.mu.Unlock()
	if !l.live() {
		return false
	}
	l.call, l.callID = c, c.CallID()
	return true
}

// withPeer returns the live line whose peer is user (case-insensitive), or nil.
func (t *lineTable) withPeer(user string) *line {
	t.mu.Lock()
	defer t.mu.Unlock()
	for _, l := range t.liveLocked() {
		if strings.EqualFold(l.peer, user) {
			return l
		}
	}
	return nil
}

// bestLocked is the line actions apply to when no specific line is
// selected: the active (newest) call if live, else the newest live call,
// else 0.
func (t *lineTable) bestLocked() int {
	if l, ok := t.lines[t.active]; ok && l.live() {
		return l.n
	}
	var best *line
	for _, l := range t.lines {
		if l.live() && (best == nil || l.created.After(best.created)) {
			best = l
		}
	}
	if best != nil {
		return best.n
	}
	return 0
}

// targets resolves a line argument (-2 all, -1 current, N) to the live
// lines an action applies to. -1 follows setline: -2 selected means all; a
// selected line without a call falls back to the best line (the auto-guess
// rule).
func (t *lineTable) targets(n int) []*line {
	t.mu.Lock()
	defer t.mu.Unlock()
	return t.targetsLocked(n)
}

func (t *lineTable) targetsLocked(n int) []*line {
	if n == -1 {
		n = t.cur
		if n == -2 && t.now().Sub(t.curAt) > selectorTTL {
			n = -1
		}
	}
	if n == -2 {
		return t.liveLocked()
	}
	if n >= 1 {
		if l, ok := t.lines[n]; ok && l.live() {
			return []*line{l}
		}
		if n != t.cur {
			return nil // an explicit line without a call
		}
	}
	if b := t.bestLocked(); b > 0 {
		return []*line{t.lines[b]}
	}
	return nil
}

// current is the single line the argument-less actions use, or nil.
func (t *lineTable) current() *line {
	t.mu.Lock()
	defer t.mu.Unlock()
	return t.currentLocked()
}

func (t *lineTable) currentLocked() *line {
	ls := t.targetsLocked(-1)
	if len(ls) == 0 {
		return nil
	}
	if len(ls) > 1 { // -2 selected: prefer the active line
		if l, ok := t.lines[t.active]; ok && l.live() {
			return l
		}
	}
	return ls[0]
}

// headerScopeLocked is the line setsipheader applies to: the current line
// unless all lines (-2) are selected; nil means the global scope.
func (t *lineTable) headerScopeLocked() *line {
	if t.cur == -2 {
		return nil
	}
	return t.currentLocked()
}

// currentCallID is the Call-ID of the current line; "" while all lines are
// selected or without a call.
func (t *lineTable) currentCallID() string {
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.cur == -2 && t.now().Sub(t.curAt) <= selectorTTL {
		return ""
	}
	if l := t.currentLocked(); l != nil {
		return l.callID
	}
	return ""
}

// ringingIncoming is the ringing incoming line accept/reject/ignore/forward
// act on: the current line if it is one, else the newest.
func (t *lineTable) ringingIncoming() *line {
	t.mu.Lock()
	defer t.mu.Unlock()
	isRinging := func(l *line) bool { return l != nil && l.dir == 2 && l.state.ringingHere() }
	if l := t.currentLocked(); isRinging(l) {
		return l
	}
	var best *line
	for _, l := range t.liveLocked() {
		if isRinging(l) && (best == nil || l.created.After(best.created)) {
			best = l
		}
	}
	return best
}

// focusLocked makes l the current and active line.
func (t *lineTable) focusLocked(l *line) {
	t.cur, t.curAt, t.active = l.n, t.now(), l.n
}

// selectLine applies setline: a line number (-2 all, -1 and 0 best,
// 1..N), a Call-ID, or a peer's username or URI. False when nothing matches.
func (t *lineTable) selectLine(sel string) bool {
	t.mu.Lock()
	defer t.mu.Unlock()
	if n, err := strconv.Atoi(sel); err == nil && n >= -2 && n <= MaxLines {
		if n == 0 {
			n = -1
		}
		t.cur, t.curAt = n, t.now()
		return true
	}
	for _, l := range t.liveLocked() {
		if l.callID == sel {
			t.selectLocked(l)
			return true
		}
	}
	user := strings.ToLower(UserOf(sel))
	for _, l := range t.liveLocked() {
		if strings.ToLower(l.peer) == user || strings.EqualFold(l.target, sel) {
			t.selectLocked(l)
			return true
		}
	}
	return false
}

// selectLocked makes l the current line.
func (t *lineTable) selectLocked(l *line) { t.cur, t.curAt = l.n, t.now() }

// selected is getline: the selected line number, or after selectorTTL for
// -1/-2 the best line with a call; -1 if none.
func (t *lineTable) selected() int {
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.cur >= 1 {
		return t.cur
	}
	if t.now().Sub(t.curAt) <= selectorTTL && !t.curAt.IsZero() {
		return t.cur
	}
	if b := t.bestLocked(); b > 0 {
		return b
	}
	return -1
}

// callIDOf is the Call-ID of the call on line n (-1/-2: the current line),
// "" if none.
func (t *lineTable) callIDOf(n int) string {
	t.mu.Lock()
	defer t.mu.Unlock()
	var l *line
	if n == -1 || n == -2 {
		l = t.currentLocked()
	} else {
		l = t.lines[n]
	}
	if l == nil || !l.live() {
		return ""
	}
	return l.callID
}

// lastDetails is getlastcalldetails: the details of the last finished
// call, or "".
func (t *lineTable) lastDetails() string {
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.lastCDR == nil {
		return ""
	}
	return t.lastCDR.Details()
}

// lineOfCallID is the line of the live call with this Call-ID, or -1.
func (t *lineTable) lineOfCallID(callID string) int {
	t.mu.Lock()
	defer t.mu.Unlock()
	for _, l := range t.liveLocked() {
		if l.callID == callID {
			return l.n
		}
	}
	return -1
}

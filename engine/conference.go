package engine

import (
	"sort"
	"strings"
	"sync"
)

// ConferenceMixer mixes the calls of a local conference (conferencetype 1,
// 2 and 4): the platform supplies it (WebAudio in the browser). Its method
// returns at once.
type ConferenceMixer interface {
	// MixLines sets the lines in the conference: each listed line sends
	// the page's microphone plus the audio received on every other listed
	// line; a line no longer listed sends the microphone alone again. An
	// empty list ends all mixing. The page hears every line anyway.
	MixLines(lines []int) error
}

// conference is the local conference: the lines in it (in any state: a
// line placed by conference(number) is a member from its start, and is
// mixed once connected), with its own lock, taken alone.
type conference struct {
	update sync.Mutex // one updateConference at a time, so the mixer sees the changes in order

	mu      sync.Mutex
	members map[*line]bool
	created bool  // "conference created" was reported for the current members
	mixed   []int // the lines last given to the mixer
}

// conferenceMode is how conferencetype says to conference: "local" for
// mixing in the page (1 auto, 2 local mixer, 4 three-way calling: the
// phone mixes), "" when disabled (0), or the name of a server mode this
// engine does not do (3, 5, 6, 7). Unknown values are 1.
func (e *Engine) conferenceMode() (mode string, value int) {
	v := e.params.Int("conferencetype", 1)
	switch v {
	case 0:
		return "", v
	case 3:
		return "server DTMF-controlled conference", v
	case 5, 6, 7:
		return "server conference rooms", v
	}
	return "local", v
}

// Conference builds a conference (conference(number, add)), mixed in the
// page: every party hears the user and every other party.
//   - number "" and add: every call joins (needs 2), one being set up
//     once it connects;
//   - number "" and not add: the conference ends, the calls stay;
//   - number "1".."9": that line joins or leaves (its call stays);
//   - another number and add: it is called and joins once connected, with
//     the current call when there was no conference yet;
//   - another number and not add: the line talking to that peer leaves.
//
// Held lines are taken off hold when they join. It returns false when
// conferencetype is 0 or a server mode, the platform cannot mix, or there
// is nothing to do (fewer than 2 calls, no such line).
func (e *Engine) Conference(number string, add bool) (ok bool) {
	defer e.recovered("conference")
	mode, v := e.conferenceMode()
	switch {
	case mode == "":
		e.logWarn("conference: disabled (conferencetype 0)")
		return false
	case mode != "local":
		e.logWarn("conference: conferencetype " + itoa(v) + " (" + mode +
			") is not supported by this engine; conferencetype 1 mixes the calls in the page")
		return false
	case e.opts.Conference == nil:
		e.logWarn("conference: this platform cannot mix calls")
		return false
	}
	number = strings.TrimSpace(number)
	if !add {
		return e.conferenceRemove(number)
	}
	if number == "" {
		return e.conferenceAll()
	}
	if n, isLine := conferenceLineNumber(number); isLine {
		return e.conferenceAddLine(n)
	}
	return e.conferenceCall(number)
}

// conferenceLineNumber reports whether number names a line ("1".."9").
func conferenceLineNumber(number string) (int, bool) {
	if len(number) == 1 && number[0] >= '1' && number[0] <= '9' {
		return int(number[0] - '0'), true
	}
	return 0, false
}

// connectedLines are the lines with a connected call, oldest first.
func (e *Engine) connectedLines() []*line {
	t := e.lines
	t.mu.Lock()
	defer t.mu.Unlock()
	var ls []*line
	for _, l := range t.liveLocked() {
		if l.state == lineConnected && l.call != nil {
			ls = append(ls, l)
		}
	}
	sort.Slice(ls, func(i, j int) bool { return ls[i].n < ls[j].n })
	return ls
}

// liveLines are the lines with a call in progress (being set up, ringing
// or connected), oldest line number first.
func (e *Engine) liveLines() []*line {
	ls := e.lines.live()
	sort.Slice(ls, func(i, j int) bool { return ls[i].n < ls[j].n })
	return ls
}

// conferenceAll joins every call in progress; a call still being set up
// is mixed once it connects (the FAQ's call(A); call(B); setline(-2);
// conference() runs before either answered).
func (e *Engine) conferenceAll() bool {
	ls := e.liveLines()
	if len(ls) < 2 {
		e.logWarn("conference: needs at least 2 calls, there are " + itoa(len(ls)))
		return false
	}
	e.joinConference(ls...)
	return true
}

// conferenceAddLine joins line n; with no conference yet, together with
// the current line (or the newest other connected one).
func (e *Engine) conferenceAddLine(n int) bool {
	var l *line
	for _, c := range e.liveLines() {
		if c.n == n {
			l = c
		}
	}
	if l == nil {
		e.logWarn("conference: line " + itoa(n) + " has no call")
		return false
	}
	join := []*line{l}
	if e.conf.size() == 0 {
		other := e.lines.current()
		if other == l || other == nil || !other.isLive(e.lines) {
			other = e.otherConnectedLine(l)
		}
		if other == nil {
			e.logWarn("conference: no other call to join line " + itoa(n) + " with")
			return false
		}
		join = append(join, other)
	}
	e.joinConference(join...)
	return true
}

// conferenceCall calls number; the new line is a member from the start
// and is mixed once it connects. With no conference yet, the line current
// before the call joins too.
func (e *Engine) conferenceCall(number string) bool {
	before := e.lines.current()
	if !e.Call(number) {
		return false
	}
	l := e.lines.current()
	if l == nil || l == before {
		return false
	}
	e.logEvent(LogImportant, "conference: calling "+loggable(number)+" on line "+itoa(l.n))
	join := []*line{l}
	if e.conf.size() == 0 && before != nil && e.connectedCall(before) {
		join = append(join, before)
	}
	e.joinConference(join...)
	return true
}

// conferenceRemove takes a line out ("N", or the line talking to peer
// number), or ends the conference ("").
func (e *Engine) conferenceRemove(number string) bool {
	if number == "" {
		had := e.conf.clear()
		e.updateConference()
		if had {
			e.logEvent(LogImportant, "conference ended; the calls stay")
		}
		return had
	}
	var l *line
	if n, isLine := conferenceLineNumber(number); isLine {
		if ls := e.lines.targets(n); len(ls) == 1 && ls[0].n == n {
			l = ls[0]
		}
	} else {
		l = e.lines.withPeer(UserOf(number))
	}
	if l == nil || !e.conf.remove(l) {
		e.logWarn("conference: " + loggable(number) + " is not in the conference")
		return false
	}
	e.logEvent(LogImportant, "conference: line "+itoa(l.n)+" left")
	e.updateConference()
	return true
}

// joinConference adds lines to the conference, takes them off hold and
// mixes again.
func (e *Engine) joinConference(ls ...*line) {
	e.conf.add(ls...)
	for _, l := range ls {
		e.lines.mu.Lock()
		held := l.hold && l.state == lineConnected
		ended := !l.live()
		e.lines.mu.Unlock()
		if ended { // ended before it was added: endLine did not see it in
			e.conf.remove(l)
			continue
		}
		if held {
			e.holdLine(l, false)
		}
	}
	e.updateConference()
}

// updateConference gives the mixer the connected members, and reports
// "conference created" when they become two or more.
func (e *Engine) updateConference() {
	e.conf.update.Lock()
	defer e.conf.update.Unlock()
	connected := map[*line]bool{}
	for _, l := range e.connectedLines() {
		connected[l] = true
	}
	lines, created, changed := e.conf.mixable(connected)
	if changed && e.opts.Conference != nil {
		if err := e.opts.Conference.MixLines(lines); err != nil {
			e.logWarn("conference: cannot mix lines " + joinInts(lines) + ": " + err.Error())
			e.display("", "ERROR, conference: "+err.Error())
		}
	}
	if created {
		e.logEvent(LogImportant, "conference created on lines "+joinInts(lines))
		e.notify(EventNotification("EVENT", "conference created"))
		if e.params.Int("apibehaviour", 1) == 1 {
			e.emit("onCallStateChange", "conference", "", "", "", "", "")
		}
		for _, l := range e.connectedLines() {
			if connected[l] && e.conf.has(l) {
				e.lineStatus(l, "Conference")
			}
		}
	}
}

// conferenceLineChanged follows a line that connected or ended: a member
// that connects is mixed, one that ends leaves.
func (e *Engine) conferenceLineChanged(l *line, ended bool) {
	if ended {
		if !e.conf.remove(l) {
			return
		}
	} else if !e.conf.has(l) {
		return
	}
	e.updateConference()
}

func (c *conference) size() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return len(c.members)
}

func (c *conference) has(l *line) bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.members[l]
}

func (c *conference) add(ls ...*line) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.members == nil {
		c.members = map[*line]bool{}
	}
	for _, l := range ls {
		c.members[l] = true
	}
}

// remove takes l out; false when it was not in.
func (c *conference) remove(l *line) bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	if !c.members[l] {
		return false
	}
	delete(c.members, l)
	return true
}

// clear ends the conference; false when there was none.
func (c *conference) clear() bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	had := len(c.members) > 0
	c.members = nil
	return had
}

// mixable computes the lines to mix (connected members, when at least
// two), whether that differs from what the mixer has, and whether the
// conference was just created (two or more connected members, after
// fewer).
func (c *conference) mixable(connected map[*line]bool) (lines []int, created, changed bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	for l := range c.members {
		if connected[l] {
			lines = append(lines, l.n)
		}
	}
	sort.Ints(lines)
	if len(lines) < 2 {
		lines = nil
		c.created = false
	} else if !c.created {
		c.created, created = true, true
	}
	changed = joinInts(lines) != joinInts(c.mixed)
	c.mixed = lines
	return lines, created, changed
}

// joinInts is "1,2,3".
func joinInts(ns []int) string {
	s := make([]string, len(ns))
	for i, n := range ns {
		s[i] = itoa(n)
	}
	return strings.Join(s, ",")
}

// allLegs reports whether mute() and hold() of a conference line apply to
// every line in the conference (muteholdalllines 1).
func (e *Engine) allLegs() bool { return e.params.Int("muteholdalllines", 0) == 1 }

// conferenceLegsLocked extends the lines a mute() or hold() applies to:
// with allLegs, a line in the conference brings every other member with
// it (lineTable lock held; the conference lock is taken inside it, never
// the other way round).
func (e *Engine) conferenceLegsLocked(ls []*line, allLegs bool) []*line {
	if !allLegs {
		return ls
	}
	seen := map[*line]bool{}
	for _, l := range ls {
		seen[l] = true
	}
	out := ls
	for _, l := range ls {
		if !e.conf.has(l) {
			continue
		}
		for _, m := range e.conf.all() {
			if !seen[m] && m.live() {
				seen[m] = true
				out = append(out, m)
			}
		}
	}
	return out
}

// all is the members.
func (c *conference) all() []*line {
	c.mu.Lock()
	defer c.mu.Unlock()
	out := make([]*line, 0, len(c.members))
	for l := range c.members {
		out = append(out, l)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].n < out[j].n })
	return out
}

// isLive reports whether l still has its call (under t's lock).
func (l *line) isLive(t *lineTable) bool {
	t.mu.Lock()
	defer t.mu.Unlock()
	return l.live()
}

package engine

// Beep is a short one-off alert, played once on the tones output (not
// looped like a Tone, and alongside it).
type Beep int

// The beeps.
const (
	// BeepIncoming: an incoming call starts to ring (beeponincoming=1),
	// besides the ringtone.
	BeepIncoming Beep = iota + 1
	// BeepConnect: a call connects (beeponconnect).
	BeepConnect
)

func (b Beep) String() string {
	switch b {
	case BeepIncoming:
		return "incoming"
	case BeepConnect:
		return "connect"
	}
	return "unknown"
}

// Beeper is implemented by Alerts that play the one-off beeps. Beep
// returns at once.
type Beeper interface {
	Beep(b Beep)
}

// beepState remembers the lines that had their beeps, so that each plays
// once per call. Guarded by toneState's lock.
type beepState struct {
	rang      map[*line]bool // had BeepIncoming (or was considered for it)
	connected map[*line]bool // had BeepConnect (or was considered for it)
	auto      map[*line]bool // answered by autoaccept/enableautoaccept
}

// markAutoAnswered records that an incoming line is answered without the
// user (beeponconnect=1 beeps only for those).
func (e *Engine) markAutoAnswered(l *line) {
	e.tones.mu.Lock()
	defer e.tones.mu.Unlock()
	if e.tones.beeps.auto == nil {
		e.tones.beeps.auto = map[*line]bool{}
	}
	e.tones.beeps.auto[l] = true
}

// beepOnConnect reports whether beeponconnect wants a beep when a call of
// direction dir (1 outgoing, 2 incoming) connects: 0 never, 1 an
// auto-accepted incoming call, 2 any incoming call, 3 an outgoing call,
// 4 every call.
func beepOnConnect(mode, dir int, autoAnswered bool) bool {
	switch mode {
	case 1:
		return dir == 2 && autoAnswered
	case 2:
		return dir == 2
	case 3:
		return dir == 1
	case 4:
		return true
	}
	return false
}

// dueBeeps returns the beeps the lines' states call for now and marks them
// played; the caller holds the tones lock and the lines lock. Each line is
// looked at once per event (a line that started to ring before the
// parameter was set does not beep later); dead lines are forgotten.
func (b *beepState) dueBeeps(lines []*line, incomingMode, connectMode int) []Beep {
	if b.rang == nil {
		b.rang, b.connected = map[*line]bool{}, map[*line]bool{}
	}
	var due []Beep
	for _, l := range lines {
		if l.dir == 2 && l.state == lineRinging && !b.rang[l] {
			b.rang[l] = true
			if incomingMode == 1 {
				due = append(due, BeepIncoming)
			}
		}
		if l.state == lineConnected && !b.connected[l] {
			b.connected[l] = true
			if beepOnConnect(connectMode, l.dir, b.auto[l]) {
				due = append(due, BeepConnect)
			}
		}
	}
	for _, m := range []map[*line]bool{b.rang, b.connected, b.auto} {
		for l := range m {
			if !l.live() {
				delete(m, l)
			}
		}
	}
	return due
}

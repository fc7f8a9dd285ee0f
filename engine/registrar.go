package engine

import (
	"sync"

	"github.com/opensoftphone/webphone/sipcore"
)

// regMachine is the registration as the page sees it: the state sipcore
// last reported for the current UA, whether "registered" was already
// announced for this episode, the last failure reason and whether a
// registration is wanted. Its lock is taken after the app's, never before.
//
// Its transitions are explicit: follow (a new UA, or none), setWanted,
// apply (a sipcore RegState event) and stopped (Stop finished). apply
// returns what the page must be told (regNews), which the engine turns
// into events (Engine.announceReg).
type regMachine struct {
	mu      sync.Mutex
	gen     int // generation of the UA whose events count
	state   sipcore.RegState
	episode bool // "registered" already reported for this episode
	fail    string
	want    bool
	changed chan struct{} // closed and replaced on every change
}

// regNews is what a registration transition tells the page.
type regNews int

const (
	regNewsNone         regNews = iota // nothing: a repeat within the episode
	regNewsRegistering                 // "Registering..." (first attempt of an episode)
	regNewsRegistered                  // onRegStateChange("registered"), once per episode
	regNewsUnregistered                // onRegStateChange("unregistered"), ending an episode
	regNewsFailed                      // onRegStateChange("failed", reason), every time
)

var regNewsNames = [...]string{"none", "registering", "registered", "unregistered", "failed"}

// String names the news (for tests and logs).
func (n regNews) String() string {
	if n >= 0 && int(n) < len(regNewsNames) {
		return regNewsNames[n]
	}
	return "unknown"
}

func newRegMachine() *regMachine {
	return &regMachine{state: sipcore.RegUnregistered, changed: make(chan struct{})}
}

// follow makes the UA of generation gen the one whose events count (a new
// UA, or none after stop and close). The state is kept until that UA
// reports.
func (r *regMachine) follow(gen int) {
	r.mu.Lock()
	r.gen = gen
	r.mu.Unlock()
}

// setWanted records whether the account should be registered.
func (r *regMachine) setWanted(want bool) {
	r.mu.Lock()
	r.want = want
	r.mu.Unlock()
}

// wanted reports whether the account should be registered.
func (r *regMachine) wanted() bool {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.want
}

// registered reports whether the account is registered now.
func (r *regMachine) registered() bool {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.state == sipcore.RegRegistered
}

// failReason is the reason of the last failure, "" once registered.
func (r *regMachine) failReason() string {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.fail
}

// regView is one consistent reading of the machine.
type regView struct {
	state   sipcore.RegState
	want    bool
	changed <-chan struct{} // closed at the next change
}

// view reads state, wish and the channel of the next change together.
func (r *regMachine) view() regView {
	r.mu.Lock()
	defer r.mu.Unlock()
	return regView{state: r.state, want: r.want, changed: r.changed}
}

// code is the STATUS "registered" field: 1 not needed, 2 yes, 4 in
// progress, 6 unregistered, 7 failed.
func (r *regMachine) code() int {
	r.mu.Lock()
	defer r.mu.Unlock()
	switch r.state {
	case sipcore.RegRegistered:
		return 2
	case sipcore.RegRegistering:
		return 4
	case sipcore.RegFailed:
		return 7
	}
	if !r.want {
		return 1
	}
	return 6
}

// apply takes a sipcore registration event of the UA of generation gen and
// returns what the page must be told; ok is false (nothing changed) for an
// event of another UA.
func (r *regMachine) apply(gen int, st sipcore.RegState, reason string) (news regNews, ok bool) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if gen != r.gen {
		return regNewsNone, false
	}
	prev, wasEpisode := r.state, r.episode
	r.state = st
	switch st {
	case sipcore.RegRegistering:
		if prev != sipcore.RegRegistering && !wasEpisode {
			news = regNewsRegistering
		}
	case sipcore.RegRegistered:
		r.episode = true
		r.fail = ""
		if !wasEpisode {
			news = regNewsRegistered
		}
	case sipcore.RegUnregistered:
		r.episode = false
		if wasEpisode {
			news = regNewsUnregistered
		}
	case sipcore.RegFailed:
		r.episode = false
		r.fail = reason
		news = regNewsFailed
	}
	r.signalLocked()
	return news, true
}

// stopped ends the registration when Stop has finished and reports whether
// an episode was under way (the page is then told "unregistered").
func (r *regMachine) stopped() (wasEpisode bool) {
	r.mu.Lock()
	defer r.mu.Unlock()
	wasEpisode = r.episode
	r.episode = false
	r.state = sipcore.RegUnregistered
	r.signalLocked()
	return wasEpisode
}

// signalLocked wakes everyone waiting for a change.
func (r *regMachine) signalLocked() {
	close(r.changed)
	r.changed = make(chan struct{})
}

package engine

import (
	"context"
	"strings"
	"sync"
	"time"

	"github.com/opensoftphone/webphone/sipcore"
)

// watchKind is one event package the engine subscribes to for the page:
// presence (checkpresence), dialog (checkblf) or message-summary (voicemail).
type watchKind struct {
	event   string
	accept  string
	expires int
	// notified handles a NOTIFY body of the package for w.
	notified func(e *Engine, w *watch, n sipcore.NotifyInfo)
	// failed reports that w could not be (re)subscribed.
	failed func(e *Engine, w *watch, reason string)
}

// watch is one subscription the page asked for, kept across reconnects.
type watch struct {
	kind   *watchKind
	peer   string // user name as the page reports it
	target string // request URI
	sub    *sipcore.Subscription
	last   string // last state reported, so a NOTIFY repeating it is quiet
	// retries counts resubscriptions since the last NOTIFY with a state.
	retries int
	// attempt numbers the subscribe attempts: one that completes after a
	// newer one started (a reconnect) is ended, not kept.
	attempt int
	// dormant: the connection went away under the last attempt; the next
	// connection makes it again.
	dormant bool
	dialogs map[string]dialogState // BLF: the peer's dialogs by id
}

// watchList holds the page's subscriptions and its published presence. Its
// own lock guards every field and every watch's fields.
type watchList struct {
	mu      sync.Mutex
	watches map[string]*watch // by event + "\x00" + peer
	pres    presenceState
	peers   map[*sipcore.Watcher]bool // peers subscribed to us (presence_peer.go)

	// publishMu lets one PUBLISH go at a time, so states are sent in order.
	publishMu sync.Mutex

	// composing holds the ids of the composing indications in flight
	// (composing.go): their outcome is no CHATREPORT. Its own lock is held
	// from sending until the id is recorded.
	composingMu sync.Mutex
	composing   map[string]bool
}

// maxWatches bounds the subscriptions a page can ask for.
const maxWatches = 200

// watchTimeout bounds how long a subscribe attempt waits for the connection
// and the registration (the SUBSCRIBE transaction has its own 32 s bound).
const watchTimeout = 40 * time.Second

// maxResubscribes bounds how often a subscription the server ended is made
// again before it is reported failed.
const maxResubscribes = 3

func watchKey(event, peer string) string { return event + "\x00" + strings.ToLower(peer) }

// splitUserList reads a comma-separated user list, dropping empty entries
// and duplicates.
func splitUserList(list string) []string {
	var out []string
	seen := map[string]bool{}
	for _, u := range strings.Split(list, ",") {
		u = strings.TrimSpace(u)
		if u == "" || seen[strings.ToLower(u)] {
			continue
		}
		seen[strings.ToLower(u)] = true
		out = append(out, u)
	}
	return out
}

// watchUsers subscribes kind for every user of list that is not watched
// yet; a user already watched has its last state reported again. It returns
// false when no user could be taken.
func (e *Engine) watchUsers(what string, kind *watchKind, list string) bool {
	users := splitUserList(list)
	if len(users) == 0 {
		return false
	}
	took := 0
	for _, u := range users {
		target, err := e.dialTarget(u)
		if err != nil {
			e.refuseInput(what, err)
			continue
		}
		peer := UserOf(target)
		e.watches.mu.Lock()
		if e.watches.watches == nil {
			e.watches.watches = map[string]*watch{}
		}
		key := watchKey(kind.event, peer)
		if w := e.watches.watches[key]; w != nil {
			e.watches.mu.Unlock()
			took++
			continue
		}
		if len(e.watches.watches) >= maxWatches {
			e.watches.mu.Unlock()
			e.logWarn(what + ": too many subscriptions, " + u + " not watched")
			continue
		}
		w := &watch{kind: kind, peer: peer, target: target}
		e.watches.watches[key] = w
		e.watches.mu.Unlock()
		took++
		e.safeGo(what, func() { e.subscribe(w) })
	}
	return took > 0
}

// subscribe makes w's subscription (after the connection and registration
// are up) unless w is no longer wanted.
func (e *Engine) subscribe(w *watch) {
	e.watches.mu.Lock()
	w.attempt++
	attempt := w.attempt
	e.watches.mu.Unlock()
	ctx, cancel := context.WithTimeout(context.Background(), watchTimeout)
	defer cancel()
	ua, fail := e.waitReady(ctx)
	if fail != "" {
		if e.latestAttempt(w, attempt) {
			e.watchFailed(w, strings.TrimPrefix(fail, "-1 "))
		}
		return
	}
	sub, err := ua.Subscribe(w.target, w.kind.event, w.kind.accept, w.kind.expires)
	if err != nil && !ua.Connected() {
		// the connection went away under the SUBSCRIBE: the reconnect
		// makes it again (renewWatches)
		e.logEvent(LogDetail, w.kind.event+" subscription to "+w.peer+" waits for the connection: "+err.Error())
		e.watches.mu.Lock()
		if w.attempt == attempt {
			w.dormant = true
		}
		e.watches.mu.Unlock()
		return
	}
	if err != nil {
		if e.latestAttempt(w, attempt) {
			e.watchFailed(w, err.Error())
		}
		return
	}
	e.watches.mu.Lock()
	wanted := e.watches.watches[watchKey(w.kind.event, w.peer)] == w && w.attempt == attempt
	if wanted {
		w.sub = sub
	}
	e.watches.mu.Unlock()
	if !wanted {
		e.safeGo("unsubscribe", func() { _ = sub.Unsubscribe() })
	}
}

// resubscribe is subscribe for the engine's own retries: it never starts a
// stopped engine (only a page action does).
func (e *Engine) resubscribe(w *watch) {
	running := e.app.currentUA() != nil
	if running {
		e.subscribe(w)
	}
}

// latestAttempt tells whether attempt is w's newest subscribe attempt.
func (e *Engine) latestAttempt(w *watch, attempt int) bool {
	e.watches.mu.Lock()
	defer e.watches.mu.Unlock()
	return w.attempt == attempt
}

// watchFailed drops w and reports why, unless it is no longer wanted.
func (e *Engine) watchFailed(w *watch, reason string) {
	e.watches.mu.Lock()
	key := watchKey(w.kind.event, w.peer)
	wanted := e.watches.watches[key] == w
	if wanted {
		delete(e.watches.watches, key)
	}
	e.watches.mu.Unlock()
	if !wanted {
		return
	}
	e.logWarn(w.kind.event + " subscription to " + w.peer + " failed: " + reason)
	w.kind.failed(e, w, reason)
}

// watchFor finds the watch a NOTIFY belongs to: its event package and the
// notifier's user (the From of a NOTIFY is the watched resource).
func (e *Engine) watchFor(n sipcore.NotifyInfo) *watch {
	event := strings.ToLower(strings.TrimSpace(strings.SplitN(n.Event, ";", 2)[0]))
	e.watches.mu.Lock()
	defer e.watches.mu.Unlock()
	return e.watches.watches[watchKey(event, UserOf(n.From))]
}

// onNotify hands a NOTIFY to its watch (or to voicemail when unsolicited),
// then follows the subscription's end.
func (e *Engine) onNotify(sub *sipcore.Subscription, n sipcore.NotifyInfo) {
	event := strings.ToLower(strings.TrimSpace(strings.SplitN(n.Event, ";", 2)[0]))
	if event == mwiKind.event {
		e.onMessageSummary(n)
		return
	}
	if sub == nil {
		return // a transfer's implicit subscription: not ours
	}
	w := e.watchFor(n)
	if w == nil {
		e.logEvent(LogDetail, "NOTIFY "+event+" from "+UserOf(n.From)+" for no current subscription")
		return
	}
	state, params, _ := strings.Cut(n.SubscriptionState, ";")
	terminated := strings.EqualFold(strings.TrimSpace(state), "terminated")
	e.watches.mu.Lock()
	stale := terminated && w.sub != sub // the end of a subscription already replaced
	e.watches.mu.Unlock()
	if stale {
		return
	}
	if len(n.Body) > 0 || event == presenceKind.event {
		w.kind.notified(e, w, n)
	}
	if terminated {
		e.subscriptionTerminated(w, sub, terminationReason(params))
	}
}

// terminationReason reads the reason parameter of Subscription-State.
func terminationReason(params string) string {
	for _, p := range strings.Split(params, ";") {
		k, v, _ := strings.Cut(strings.TrimSpace(p), "=")
		if strings.EqualFold(k, "reason") {
			return strings.ToLower(strings.TrimSpace(v))
		}
	}
	return ""
}

// subscriptionTerminated follows a NOTIFY that ended w's subscription: the
// reasons that invite a new subscription (RFC 6665 4.1.3) get one, at most
// maxResubscribes times in a row; the others are reported.
func (e *Engine) subscriptionTerminated(w *watch, sub *sipcore.Subscription, reason string) {
	e.watches.mu.Lock()
	current := w.sub == sub && e.watches.watches[watchKey(w.kind.event, w.peer)] == w
	retry := false
	if current {
		w.sub = nil
		switch reason {
		case "", "deactivated", "timeout", "probation":
			w.retries++
			retry = w.retries <= maxResubscribes
		}
	}
	e.watches.mu.Unlock()
	if !current {
		return
	}
	if retry {
		e.safeGo("resubscribe", func() { e.resubscribe(w) })
		return
	}
	if reason == "" {
		reason = "terminated"
	}
	e.watchFailed(w, "subscription terminated: "+reason)
}

// onSubscriptionEnded follows a subscription whose refresh failed: it is
// made again once, else reported.
func (e *Engine) onSubscriptionEnded(sub *sipcore.Subscription, reason string) {
	e.watches.mu.Lock()
	var w *watch
	for _, x := range e.watches.watches {
		if x.sub == sub {
			w = x
		}
	}
	e.watches.mu.Unlock()
	if w != nil {
		e.subscriptionTerminated(w, sub, "")
	}
}

// renewWatches makes every subscription again on a new connection (only
// the dormant ones with onlyDormant): the server's NOTIFYs for the old ones
// would go to a flow that is gone.
func (e *Engine) renewWatches(onlyDormant bool) {
	e.watches.mu.Lock()
	var renew []*watch
	var old []*sipcore.Subscription
	for _, w := range e.watches.watches {
		if onlyDormant && !w.dormant {
			continue
		}
		w.dormant = false
		if w.sub != nil {
			old = append(old, w.sub)
			w.sub = nil
		}
		renew = append(renew, w)
	}
	e.watches.mu.Unlock()
	for _, s := range old {
		e.safeGo("unsubscribe", func() { _ = s.Unsubscribe() })
	}
	for _, w := range renew {
		e.safeGo("resubscribe", func() { e.resubscribe(w) })
	}
}

// endWatches ends every subscription and withdraws the published presence
// (stop), waiting at most endWatchesTimeout for the server's answers.
func (e *Engine) endWatches() {
	e.watches.mu.Lock()
	var subs []*sipcore.Subscription
	for _, w := range e.watches.watches {
		if w.sub != nil {
			subs = append(subs, w.sub)
		}
	}
	e.watches.watches = nil
	pub := e.watches.pres.pub
	e.watches.pres = presenceState{}
	e.watches.mu.Unlock()
	peers := e.endPeers()
	var wg sync.WaitGroup
	for _, w := range peers {
		wg.Add(1)
		e.safeGo("end watcher", func() { defer wg.Done(); _ = w.End("noresource") })
	}
	for _, s := range subs {
		wg.Add(1)
		e.safeGo("unsubscribe", func() { defer wg.Done(); _ = s.Unsubscribe() })
	}
	if pub != nil {
		wg.Add(1)
		e.safeGo("unpublish", func() { defer wg.Done(); _ = pub.Remove() })
	}
	done := make(chan struct{})
	go func() { wg.Wait(); close(done) }()
	t := time.NewTimer(endWatchesTimeout)
	defer t.Stop()
	select {
	case <-done:
	case <-t.C:
	}
}

// endWatchesTimeout bounds how long stop waits for the unsubscriptions.
const endWatchesTimeout = 3 * time.Second

// watchParamLists subscribes the users of presenceuserlist and blfuserlist
// and to voicemail, as the parameters ask (at start).
func (e *Engine) watchParamLists() {
	if l := e.params.Get("presenceuserlist"); l != "" && e.params.Int("enablepresence", 1) != 0 {
		e.watchUsers("presenceuserlist", presenceKind, l)
	}
	if l := e.params.Get("blfuserlist"); l != "" && e.params.Int("enableblf", 1) != 0 {
		e.watchUsers("blfuserlist", blfKind, l)
	}
	e.watchVoicemail()
}

// watchesOnFlow renews the subscriptions when the current UA's connection
// was replaced, and the dormant ones when a new UA connected.
func (e *Engine) watchesOnFlow(gen int, st sipcore.FlowState) {
	if st != sipcore.FlowReplaced && st != sipcore.FlowUp {
		return
	}
	current := e.app.uaOf(gen) != nil
	if current {
		e.renewWatches(st == sipcore.FlowUp)
	}
}

package demoserver

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/emiago/sipgo"
	"github.com/emiago/sipgo/sip"
	"github.com/opensoftphone/webphone/eventbody"
)

// presenceAgent is the demo server's small presence server: it keeps the
// state users PUBLISH (RFC 3903), accepts SUBSCRIBEs for the presence
// (RFC 3856) and dialog (RFC 4235) packages of its users, and NOTIFYs the
// watchers of every change. The dialog state comes from the calls the proxy
// relays (busy lamps). Everything is in memory.
type presenceAgent struct {
	s *Server

	mu       sync.Mutex
	pubs     map[string]*published             // by user
	watchers map[string]*watcher               // by Call-ID of the subscription
	dialogs  map[string]map[string]*lineDialog // by user, then Call-ID
}

// published is one user's presence document.
type published struct {
	etag  string
	body  []byte
	timer *time.Timer
}

// watcher is one subscription the agent serves.
type watcher struct {
	callID  string
	event   string // presence or dialog
	user    string // the watched user
	fromTag string // the watcher's tag
	toTag   string // ours
	from    sip.Uri
	contact sip.Uri
	dst     flow
	cseq    uint32
	version int // dialog-info version
	timer   *time.Timer
	outbox  []*sip.Request // NOTIFYs waiting, sent one at a time in order
	running bool           // a pump sends the outbox
}

// lineDialog is one call of a user, as the proxy saw it.
type lineDialog struct {
	d eventbody.Dialog
}

// Subscription bounds (seconds).
const (
	agentDefaultExpires = 600
	agentMaxExpires     = 3600
	agentMinExpires     = 60
	// agentMaxWatchers bounds the subscriptions the agent serves.
	agentMaxWatchers = 2000
)

func newPresenceAgent(s *Server) *presenceAgent {
	return &presenceAgent{s: s, pubs: map[string]*published{}, watchers: map[string]*watcher{},
		dialogs: map[string]map[string]*lineDialog{}}
}

func randomToken() string {
	b := make([]byte, 8)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}

// agentEvent is the package of an Event header value ("presence;id=1" ->
// "presence").
func agentEvent(req *sip.Request) string {
	return strings.ToLower(strings.TrimSpace(strings.SplitN(headerValue(req, "Event"), ";", 2)[0]))
}

// handles answers the requests that are the agent's: PUBLISH, and
// SUBSCRIBE for presence or dialog to one of our users (new, or a refresh of
// a subscription the agent serves). It returns false for everything else.
func (a *presenceAgent) handles(req *sip.Request, tx sip.ServerTransaction) bool {
	if a == nil { // Options.PlainProxy
		return false
	}
	switch req.Method {
	case sip.PUBLISH:
		a.onPublish(req, tx)
		return true
	case sip.SUBSCRIBE:
		ev := agentEvent(req)
		if ev != "presence" && ev != "dialog" {
			return false
		}
		if _, inDialog := req.To().Params.Get("tag"); inDialog {
			a.mu.Lock()
			w := a.watchers[req.CallID().Value()]
			a.mu.Unlock()
			if w == nil {
				return false // another dialog (peers subscribing to each other)
			}
			a.onRefresh(req, tx, w)
			return true
		}
		if !a.s.isOurHost(req.Recipient.Host) {
			return false
		}
		a.onSubscribe(req, tx, ev)
		return true
	}
	return false
}

// expiresOf reads Expires within the agent's bounds; ok is false for a
// value below the minimum (423).
func expiresOf(req *sip.Request, def int) (int, bool) {
	v := headerValue(req, "Expires")
	if v == "" {
		return def, true
	}
	n, err := strconv.Atoi(v)
	if err != nil || n < 0 {
		return def, true
	}
	if n == 0 {
		return 0, true
	}
	if n < agentMinExpires {
		return n, false
	}
	if n > agentMaxExpires {
		n = agentMaxExpires
	}
	return n, true
}

func (a *presenceAgent) tooBrief(req *sip.Request, tx sip.ServerTransaction) {
	r := sip.NewResponseFromRequest(req, sip.StatusIntervalToBrief, "Interval Too Brief", nil)
	r.AppendHeader(sip.NewHeader("Min-Expires", itoa(agentMinExpires)))
	a.s.send(tx, r)
}

// onPublish keeps (or refreshes, or removes) a user's presence document
// and NOTIFYs the user's watchers when it changed.
func (a *presenceAgent) onPublish(req *sip.Request, tx sip.ServerTransaction) {
	if agentEvent(req) != "presence" {
		r := sip.NewResponseFromRequest(req, 489, "Bad Event", nil)
		r.AppendHeader(sip.NewHeader("Allow-Events", "presence, dialog"))
		a.s.send(tx, r)
		return
	}
	if !a.s.authorizeCaller(req, tx) {
		return
	}
	user := req.Recipient.User
	if _, ok := a.s.accounts[user]; !ok {
		a.s.respond(tx, req, sip.StatusNotFound, "Not Found")
		return
	}
	if user != req.From().Address.User {
		a.s.respond(tx, req, sip.StatusForbidden, "Forbidden (publish your own presence only)")
		return
	}
	body := req.Body()
	if len(body) > 0 {
		if ct := strings.ToLower(headerValue(req, "Content-Type")); !strings.HasPrefix(ct, "application/pidf+xml") {
			r := sip.NewResponseFromRequest(req, sip.StatusUnsupportedMediaType, "Unsupported Media Type", nil)
			r.AppendHeader(sip.NewHeader("Accept", "application/pidf+xml"))
			a.s.send(tx, r)
			return
		}
		if _, err := eventbody.ParsePIDF(body); err != nil {
			a.s.respond(tx, req, sip.StatusBadRequest, "Bad Request (malformed PIDF)")
			return
		}
	}
	expires, ok := expiresOf(req, 3600)
	if !ok {
		a.tooBrief(req, tx)
		return
	}
	match := headerValue(req, "SIP-If-Match")
	a.mu.Lock()
	cur := a.pubs[user]
	if match != "" && (cur == nil || cur.etag != match) {
		a.mu.Unlock()
		a.s.respond(tx, req, 412, "Conditional Request Failed")
		return
	}
	if match == "" && len(body) == 0 {
		a.mu.Unlock()
		a.s.respond(tx, req, sip.StatusBadRequest, "Bad Request (PUBLISH without body or SIP-If-Match)")
		return
	}
	changed := false
	if cur != nil && cur.timer != nil {
		cur.timer.Stop()
	}
	var etag string
	if expires == 0 {
		delete(a.pubs, user)
		changed = true
	} else {
		if cur == nil {
			cur = &published{}
			a.pubs[user] = cur
		}
		if len(body) > 0 {
			cur.body = append([]byte(nil), body...)
			changed = true
		}
		cur.etag = randomToken()
		etag = cur.etag
		p := cur
		cur.timer = time.AfterFunc(time.Duration(expires)*time.Second, func() { a.expirePublication(user, p) })
	}
	a.mu.Unlock()
	r := sip.NewResponseFromRequest(req, sip.StatusOK, "OK", nil)
	if etag != "" {
		r.AppendHeader(sip.NewHeader("SIP-ETag", etag))
	}
	r.AppendHeader(sip.NewHeader("Expires", itoa(expires)))
	a.s.send(tx, r)
	if changed {
		a.notifyWatchers(user, "presence")
	}
}

// expirePublication drops a document that was not refreshed.
func (a *presenceAgent) expirePublication(user string, p *published) {
	a.mu.Lock()
	if a.pubs[user] != p {
		a.mu.Unlock()
		return
	}
	delete(a.pubs, user)
	a.mu.Unlock()
	a.notifyWatchers(user, "presence")
}

// onSubscribe accepts a new subscription to one of our users and sends the
// first NOTIFY with the current state.
func (a *presenceAgent) onSubscribe(req *sip.Request, tx sip.ServerTransaction, event string) {
	if !a.s.authorizeCaller(req, tx) {
		return
	}
	user := req.Recipient.User
	if _, ok := a.s.accounts[user]; !ok {
		a.s.respond(tx, req, sip.StatusNotFound, "Not Found")
		return
	}
	ct := req.Contact()
	if ct == nil {
		a.s.respond(tx, req, sip.StatusBadRequest, "Bad Request (no Contact)")
		return
	}
	expires, ok := expiresOf(req, agentDefaultExpires)
	if !ok {
		a.tooBrief(req, tx)
		return
	}
	fromTag, _ := req.From().Params.Get("tag")
	w := &watcher{callID: req.CallID().Value(), event: event, user: user, fromTag: fromTag, toTag: randomToken(),
		from: req.From().Address, contact: ct.Address, dst: flowOf(req)}
	if expires > 0 {
		a.mu.Lock()
		if len(a.watchers) >= agentMaxWatchers && a.watchers[w.callID] == nil {
			a.mu.Unlock()
			a.s.respond(tx, req, sip.StatusServiceUnavailable, "Service Unavailable (too many subscriptions)")
			return
		}
		if old := a.watchers[w.callID]; old != nil && old.timer != nil {
			old.timer.Stop()
		}
		a.watchers[w.callID] = w
		w.timer = time.AfterFunc(time.Duration(expires)*time.Second, func() { a.expireWatcher(w) })
		a.mu.Unlock()
	}
	a.accept(req, tx, w, expires)
	a.notify(w, expires)
}

// onRefresh renews (or with Expires 0 ends) a subscription the agent serves.
func (a *presenceAgent) onRefresh(req *sip.Request, tx sip.ServerTransaction, w *watcher) {
	expires, ok := expiresOf(req, agentDefaultExpires)
	if !ok {
		a.tooBrief(req, tx)
		return
	}
	a.mu.Lock()
	if w.timer != nil {
		w.timer.Stop()
	}
	if expires == 0 {
		delete(a.watchers, w.callID)
	} else {
		w.timer = time.AfterFunc(time.Duration(expires)*time.Second, func() { a.expireWatcher(w) })
	}
	w.dst = flowOf(req)
	if ct := req.Contact(); ct != nil {
		w.contact = ct.Address
	}
	a.mu.Unlock()
	a.accept(req, tx, w, expires)
	a.notify(w, expires)
}

func (a *presenceAgent) accept(req *sip.Request, tx sip.ServerTransaction, w *watcher, expires int) {
	r := sip.NewResponseFromRequest(req, sip.StatusOK, "OK", nil)
	if _, ok := r.To().Params.Get("tag"); !ok {
		r.To().Params.Add("tag", w.toTag)
	}
	r.AppendHeader(sip.NewHeader("Expires", itoa(expires)))
	r.AppendHeader(&sip.ContactHeader{Address: a.agentURI(w.dst.Transport)})
	a.s.send(tx, r)
}

// agentURI is the agent's own Contact on a transport.
func (a *presenceAgent) agentURI(transport string) sip.Uri {
	rr := a.s.recordRoute(transport).Address
	u := sip.Uri{Scheme: "sip", User: "presence", Host: rr.Host, Port: rr.Port, UriParams: sip.NewParams()}
	if v, ok := rr.UriParams.Get("transport"); ok {
		u.UriParams.Add("transport", v)
	}
	return u
}

// expireWatcher ends a subscription that was not refreshed.
func (a *presenceAgent) expireWatcher(w *watcher) {
	a.mu.Lock()
	current := a.watchers[w.callID] == w
	if current {
		delete(a.watchers, w.callID)
	}
	a.mu.Unlock()
	if current {
		a.notify(w, 0)
	}
}

// notifyWatchers sends the current state of user's event to its watchers.
func (a *presenceAgent) notifyWatchers(user, event string) {
	a.mu.Lock()
	var ws []*watcher
	for _, w := range a.watchers {
		if w.user == user && w.event == event {
			ws = append(ws, w)
		}
	}
	a.mu.Unlock()
	for _, w := range ws {
		a.notify(w, -1)
	}
}

// body returns the current document for w's event and its content type.
func (a *presenceAgent) body(w *watcher) ([]byte, string) {
	a.mu.Lock()
	defer a.mu.Unlock()
	if w.event == "presence" {
		if p := a.pubs[w.user]; p != nil {
			return append([]byte(nil), p.body...), "application/pidf+xml"
		}
		return nil, "" // no state published: the watcher sees no document (offline)
	}
	var ds []eventbody.Dialog
	for _, d := range a.dialogs[w.user] {
		ds = append(ds, d.d)
	}
	w.version++
	entity := sip.Uri{Scheme: "sip", User: w.user, Host: a.s.domain}
	return eventbody.DialogInfoXML(entity.String(), w.version, ds), "application/dialog-info+xml"
}

// notify queues one NOTIFY to w with the current state: expires > 0
// active with that lifetime, -1 active, 0 terminated. The document is taken
// now; NOTIFYs of one subscription leave one at a time, in order.
func (a *presenceAgent) notify(w *watcher, expires int) {
	req := a.prepare(w, expires)
	if req == nil {
		return
	}
	a.mu.Lock()
	w.outbox = append(w.outbox, req)
	running := w.running
	w.running = true
	a.mu.Unlock()
	if !running {
		go a.pump(w)
	}
}

// pump sends w's queued NOTIFYs in order.
func (a *presenceAgent) pump(w *watcher) {
	for {
		a.mu.Lock()
		if len(w.outbox) == 0 {
			w.running = false
			a.mu.Unlock()
			return
		}
		req := w.outbox[0]
		w.outbox = w.outbox[1:]
		a.mu.Unlock()
		a.deliver(w, req)
	}
}

// prepare builds w's next NOTIFY.
func (a *presenceAgent) prepare(w *watcher, expires int) *sip.Request {
	body, ctype := a.body(w)
	state := "active;expires=" + itoa(max(expires, 1))
	if expires < 0 {
		state = "active"
	}
	if expires == 0 {
		state = "terminated;reason=timeout"
	}
	a.mu.Lock()
	w.cseq++
	cseq := w.cseq
	dst, contact := w.dst, w.contact
	a.mu.Unlock()

	req := sip.NewRequest(sip.NOTIFY, contact)
	entity := sip.Uri{Scheme: "sip", User: w.user, Host: a.s.domain}
	from := &sip.FromHeader{Address: entity, Params: sip.NewParams()}
	from.Params.Add("tag", w.toTag)
	req.AppendHeader(from)
	to := &sip.ToHeader{Address: w.from, Params: sip.NewParams()}
	to.Params.Add("tag", w.fromTag)
	req.AppendHeader(to)
	cid := sip.CallIDHeader(w.callID)
	req.AppendHeader(&cid)
	req.AppendHeader(&sip.CSeqHeader{SeqNo: cseq, MethodName: sip.NOTIFY})
	mf := sip.MaxForwardsHeader(70)
	req.AppendHeader(&mf)
	req.AppendHeader(&sip.ContactHeader{Address: a.agentURI(dst.Transport)})
	req.AppendHeader(sip.NewHeader("Event", w.event))
	req.AppendHeader(sip.NewHeader("Subscription-State", state))
	if len(body) > 0 {
		ct := sip.ContentTypeHeader(ctype)
		req.AppendHeader(&ct)
	}
	req.SetBody(body)
	req.SetTransport(dst.Transport)
	req.SetDestination(dst.Addr)
	if dst.Transport == "UDP" {
		if a.s.udpConn == nil {
			return nil
		}
		req.Laddr = a.s.udpLaddr
	}
	return req
}

// deliver sends one NOTIFY and waits for its answer; a watcher that
// answers 481 (or anything but 2xx) or cannot be reached is dropped.
func (a *presenceAgent) deliver(w *watcher, req *sip.Request) {
	ctx, cancel := context.WithTimeout(context.Background(), 32*time.Second)
	defer cancel()
	clTx, err := a.s.client.TransactionRequest(ctx, req, sipgo.ClientRequestAddVia)
	if err != nil {
		a.s.log.Info("NOTIFY failed", "error", err, "user", w.user, "event", w.event)
		a.drop(w)
		return
	}
	defer clTx.Terminate()
	gone := a.s.live.gone(w.dst)
	for {
		select {
		case res := <-clTx.Responses():
			if res.IsProvisional() {
				continue
			}
			if !res.IsSuccess() {
				a.s.log.Info("NOTIFY refused", "code", res.StatusCode, "user", w.user, "event", w.event)
				a.drop(w)
			}
			return
		case <-clTx.Done():
			a.drop(w)
			return
		case <-gone: // the watcher's connection closed
			a.drop(w)
			return
		case <-ctx.Done():
			a.drop(w)
			return
		}
	}
}

// drop forgets a watcher that cannot be notified.
func (a *presenceAgent) drop(w *watcher) {
	a.mu.Lock()
	defer a.mu.Unlock()
	if a.watchers[w.callID] == w {
		delete(a.watchers, w.callID)
		if w.timer != nil {
			w.timer.Stop()
		}
	}
}

// callEvent follows an initial INVITE the proxy relays: the caller's and
// the callee's dialog state (trying when sent, early on 18x, confirmed on
// 2xx, terminated on a failure) for their busy lamps. res is nil when the
// INVITE is sent, or when its transaction ended without an answer.
func (a *presenceAgent) callEvent(req *sip.Request, res *sip.Response) {
	state := "trying"
	switch {
	case res == nil:
	case res.StatusCode == 100:
		return
	case res.IsProvisional():
		state = "early"
	case res.IsSuccess():
		state = "confirmed"
	default:
		state = "terminated"
	}
	caller := req.From().Address
	callee := req.To().Address
	a.setDialog(caller.User, req.CallID().Value(), "initiator", state, callee)
	a.setDialog(callee.User, req.CallID().Value(), "recipient", state, caller)
}

// callEnded marks a call terminated (BYE, or an INVITE that ended without
// a 2xx).
func (a *presenceAgent) callEnded(callID string) {
	if a == nil { // Options.PlainProxy
		return
	}
	a.mu.Lock()
	var users []string
	for user, ds := range a.dialogs {
		if d := ds[callID]; d != nil {
			users = append(users, user)
		}
	}
	a.mu.Unlock()
	for _, u := range users {
		a.setDialog(u, callID, "", "terminated", sip.Uri{})
	}
}

// setDialog records one state of a user's dialog and notifies the user's
// dialog watchers. A dialog never goes back (a late 180 after the 200), and
// a terminated one is reported once, then forgotten.
func (a *presenceAgent) setDialog(user, callID, direction, state string, remote sip.Uri) {
	if _, ok := a.s.accounts[user]; !ok {
		return
	}
	rank := map[string]int{"trying": 1, "early": 2, "confirmed": 3, "terminated": 4}
	a.mu.Lock()
	ds := a.dialogs[user]
	if ds == nil {
		ds = map[string]*lineDialog{}
		a.dialogs[user] = ds
	}
	d := ds[callID]
	if d == nil {
		if state == "terminated" {
			a.mu.Unlock()
			return
		}
		r := remote
		r.UriParams, r.Headers = nil, nil
		d = &lineDialog{d: eventbody.Dialog{ID: callID + "-" + direction, CallID: callID, Direction: direction, Remote: r.String()}}
		ds[callID] = d
	} else if rank[state] <= rank[d.d.State] {
		a.mu.Unlock()
		return
	}
	d.d.State = state
	a.mu.Unlock()
	a.notifyWatchers(user, "dialog")
	if state == "terminated" {
		a.mu.Lock()
		if ds[callID] == d {
			delete(ds, callID)
		}
		a.mu.Unlock()
	}
}

// initialInvite tells whether req starts a call (INVITE without a To tag).
func initialInvite(req *sip.Request) bool {
	_, tagged := req.To().Params.Get("tag")
	return req.IsInvite() && !tagged
}

// inviteRelayed follows the progress of an initial INVITE the proxy relays
// (res nil: sent).
func (a *presenceAgent) inviteRelayed(req *sip.Request, res *sip.Response) {
	if a == nil { // Options.PlainProxy
		return
	}
	if initialInvite(req) {
		a.callEvent(req, res)
	}
}

// inviteDone follows the end of an initial INVITE's relay: without a 2xx
// the call never started.
func (a *presenceAgent) inviteDone(req *sip.Request, answered bool) {
	if a == nil { // Options.PlainProxy
		return
	}
	if initialInvite(req) && !answered {
		a.callEnded(req.CallID().Value())
	}
}

package sipcore

import (
	"context"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/emiago/sipgo/sip"
)

// Watcher is a subscription someone made to us (the notifier side of RFC
// 6665), served by the application through Events.Watch: e.g. a peer
// subscribing to our presence when the server has no presence agent.
type Watcher struct {
	ua        *UA
	event     string
	callID    string
	localTag  string
	remoteTag string
	remote    sip.Uri // the subscriber (From)
	target    sip.Uri // the resource subscribed to (To)

	mu      sync.Mutex
	rtarget sip.Uri
	route   []sip.Uri
	cseq    uint32
	ctype   string
	body    []byte
	timer   *time.Timer
	ended   bool
	sending sync.Mutex // NOTIFYs leave one at a time, in order
}

// Watcher subscription bounds (seconds).
const (
	watcherDefaultExpires = 600
	watcherMaxExpires     = 3600
)

// Event returns the event package ("presence").
func (w *Watcher) Event() string { return w.event }

// From returns the subscriber's address of record.
func (w *Watcher) From() string { return w.remote.String() }

// Target returns the URI subscribed to (the To of the SUBSCRIBE).
func (w *Watcher) Target() string { return w.target.String() }

// SetState sets the state document the next NOTIFY carries without sending
// it (inside Events.Watch: the first NOTIFY follows the 200).
func (w *Watcher) SetState(contentType string, body []byte) {
	w.mu.Lock()
	w.ctype, w.body = contentType, append([]byte(nil), body...)
	w.mu.Unlock()
}

// Notify sends a new state to the subscriber. ErrCallState once the
// subscription has ended.
func (w *Watcher) Notify(contentType string, body []byte) error {
	w.mu.Lock()
	if w.ended {
		w.mu.Unlock()
		return ErrCallState
	}
	w.ctype, w.body = contentType, append([]byte(nil), body...)
	w.mu.Unlock()
	return w.send("active")
}

// End ends the subscription with a last NOTIFY (Subscription-State:
// terminated with reason, e.g. "noresource", "deactivated").
func (w *Watcher) End(reason string) error {
	if !w.finish() {
		return nil
	}
	if reason == "" {
		reason = "noresource"
	}
	return w.send("terminated;reason=" + reason)
}

// finish marks w ended and forgets it; false when it already was.
func (w *Watcher) finish() bool {
	w.mu.Lock()
	if w.ended {
		w.mu.Unlock()
		return false
	}
	w.ended = true
	if w.timer != nil {
		w.timer.Stop()
	}
	w.mu.Unlock()
	w.ua.mu.Lock()
	if w.ua.watchers[w.callID] == w {
		delete(w.ua.watchers, w.callID)
	}
	w.ua.mu.Unlock()
	return true
}

// handleWatch serves a SUBSCRIBE through Events.Watch: a new one when the
// application has a Watch handler, or a refresh of a subscription it
// serves. False leaves the request to the older Events.Subscribe path.
func (ua *UA) handleWatch(req *sip.Request, tx *sip.ServerTx) bool {
	toTag, inDialog := req.To().Params.Get("tag")
	if inDialog {
		ua.mu.Lock()
		w := ua.watchers[req.CallID().Value()]
		ua.mu.Unlock()
		if w == nil || w.localTag != toTag {
			return false
		}
		ua.refreshWatcher(req, tx, w)
		return true
	}
	if ua.ev.Watch == nil {
		return false
	}
	fromTag, _ := req.From().Params.Get("tag")
	w := &Watcher{ua: ua, event: strings.ToLower(strings.TrimSpace(strings.SplitN(headerValue(req, "Event"), ";", 2)[0])),
		callID: req.CallID().Value(), localTag: newTag(), remoteTag: fromTag,
		remote: req.From().Address, target: req.To().Address}
	w.remote.UriParams, w.remote.Headers = nil, nil
	w.target.UriParams, w.target.Headers = nil, nil
	if ct := req.Contact(); ct != nil {
		w.rtarget = ct.Address
	} else {
		ua.reply(tx, req, 400, "Bad Request (no Contact)")
		return true
	}
	for _, h := range req.GetHeaders("Record-Route") {
		if rr, ok := h.(*sip.RecordRouteHeader); ok {
			w.route = append(w.route, rr.Address)
		}
	}
	code := ua.ev.Watch(w)
	if code != 200 && code != 202 {
		if code < 300 || code > 699 {
			code = 489
		}
		ua.reply(tx, req, code, reasonPhrase(code))
		return true
	}
	expires := watcherExpires(req)
	ua.mu.Lock()
	if ua.watchers == nil {
		ua.watchers = map[string]*Watcher{}
	}
	if expires > 0 {
		ua.watchers[w.callID] = w
	}
	ua.mu.Unlock()
	ua.acceptWatch(req, tx, w, code, expires)
	if expires == 0 {
		w.ended = true // a fetch (RFC 6665 4.4.3): one NOTIFY, then done
		go w.send("terminated;reason=timeout")
		return true
	}
	w.armTimer(expires)
	// the NOTIFY waits for its answer: not on the dialog's worker
	go w.send("active;expires=" + strconv.Itoa(expires))
	return true
}

// refreshWatcher renews a subscription to us, or ends it (Expires: 0).
func (ua *UA) refreshWatcher(req *sip.Request, tx *sip.ServerTx, w *Watcher) {
	expires := watcherExpires(req)
	if ct := req.Contact(); ct != nil {
		w.mu.Lock()
		w.rtarget = ct.Address
		w.mu.Unlock()
	}
	ua.acceptWatch(req, tx, w, 200, expires)
	if expires == 0 {
		go w.End("timeout")
		return
	}
	w.armTimer(expires)
	go w.send("active;expires=" + strconv.Itoa(expires))
}

func (ua *UA) acceptWatch(req *sip.Request, tx *sip.ServerTx, w *Watcher, code, expires int) {
	res := sip.NewResponseFromRequest(req, code, reasonPhrase(code), nil)
	if _, inDialog := req.To().Params.Get("tag"); !inDialog {
		// our dialog tag (sipgo puts a random one in)
		res.To().Params.Remove("tag")
		res.To().Params.Add("tag", w.localTag)
	}
	res.AppendHeader(ua.contactHeader())
	res.AppendHeader(sip.NewHeader("Expires", strconv.Itoa(expires)))
	ua.decorateResponse(res)
	if err := tx.Respond(res); err != nil {
		ua.log.Debug("respond failed", "err", err)
	}
}

// watcherExpires reads a SUBSCRIBE's Expires within our bounds.
func watcherExpires(req *sip.Request) int {
	n, err := strconv.Atoi(headerValue(req, "Expires"))
	switch {
	case err != nil || n < 0:
		return watcherDefaultExpires
	case n > watcherMaxExpires:
		return watcherMaxExpires
	}
	return n
}

// armTimer ends the subscription when it is not refreshed in time.
func (w *Watcher) armTimer(expires int) {
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.timer != nil {
		w.timer.Stop()
	}
	w.timer = time.AfterFunc(time.Duration(expires)*time.Second, func() {
		select {
		case <-w.ua.quit:
			return
		default:
		}
		_ = w.End("timeout")
	})
}

// send sends one NOTIFY with the current state in the subscription's
// dialog. A 481 (or no answer) ends the subscription.
func (w *Watcher) send(state string) error {
	w.sending.Lock()
	defer w.sending.Unlock()
	ua := w.ua
	w.mu.Lock()
	req := sip.NewRequest(sip.NOTIFY, w.rtarget)
	from := &sip.FromHeader{Address: w.target, Params: sip.NewParams()}
	from.Params.Add("tag", w.localTag)
	req.AppendHeader(from)
	to := &sip.ToHeader{Address: w.remote, Params: sip.NewParams()}
	if w.remoteTag != "" {
		to.Params.Add("tag", w.remoteTag)
	}
	req.AppendHeader(to)
	cid := sip.CallIDHeader(w.callID)
	req.AppendHeader(&cid)
	w.cseq++
	req.AppendHeader(&sip.CSeqHeader{SeqNo: w.cseq, MethodName: sip.NOTIFY})
	for _, r := range w.route {
		req.AppendHeader(&sip.RouteHeader{Address: r})
	}
	ctype, body := w.ctype, w.body
	w.mu.Unlock()
	req.AppendHeader(ua.contactHeader())
	req.AppendHeader(sip.NewHeader("Event", w.event))
	req.AppendHeader(sip.NewHeader("Subscription-State", state))
	if len(body) > 0 {
		ct := sip.ContentTypeHeader(ctype)
		req.AppendHeader(&ct)
		req.SetBody(body)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 32*time.Second)
	defer cancel()
	res, err := ua.do(ctx, req, nil)
	if err != nil {
		w.finish()
		return err
	}
	if !res.IsSuccess() {
		w.finish()
		return &ErrRequestFailed{Code: res.StatusCode, Reason: res.Reason}
	}
	return nil
}

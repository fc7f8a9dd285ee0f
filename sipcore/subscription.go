package sipcore

import (
	"context"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/emiago/sipgo/sip"
)

// Subscription is a SUBSCRIBE dialog (RFC 6665) for an event package such as
// presence, dialog (BLF) or message-summary (MWI). NOTIFYs arrive through
// Events.Notify; the subscription is refreshed before it expires.
type Subscription struct {
	ua      *UA
	event   string
	accept  string
	target  sip.Uri
	callID  string
	expires int

	mu        sync.Mutex
	localTag  string
	remoteTag string
	cseq      uint32
	route     []sip.Uri
	rtarget   sip.Uri
	state     string
	timer     *time.Timer
}

// Event returns the event package name.
func (s *Subscription) Event() string { return s.event }

// Target returns the subscribed URI.
func (s *Subscription) Target() string { return s.target.String() }

// State returns the last Subscription-State ("pending", "active", "terminated").
func (s *Subscription) State() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.state
}

// Subscribe subscribes to an event package at target and waits for the
// answer to the initial SUBSCRIBE.
func (ua *UA) Subscribe(target, event, accept string, expires int) (*Subscription, error) {
	uri, err := ua.ParseTarget(target)
	if err != nil {
		return nil, err
	}
	if expires <= 0 {
		expires = 600
	}
	s := &Subscription{ua: ua, event: event, accept: accept, target: uri, rtarget: uri,
		callID: newCallID(), expires: expires, localTag: newTag(), state: "pending"}
	ua.dialogs.addSub(s)
	if err := s.send(expires); err != nil {
		ua.dialogs.dropSub(s)
		return nil, err
	}
	return s, nil
}

// Unsubscribe ends the subscription (SUBSCRIBE with Expires: 0).
func (s *Subscription) Unsubscribe() error {
	s.mu.Lock()
	if s.timer != nil {
		s.timer.Stop()
	}
	s.mu.Unlock()
	err := s.send(0)
	s.ua.dialogs.dropSub(s)
	return err
}

func (s *Subscription) send(expires int) error {
	ua := s.ua
	s.mu.Lock()
	req := sip.NewRequest(sip.SUBSCRIBE, s.rtarget)
	req.AppendHeader(ua.fromHeader(s.localTag))
	to := &sip.ToHeader{Address: s.target, Params: sip.NewParams()}
	if s.remoteTag != "" {
		to.Params.Add("tag", s.remoteTag)
	}
	req.AppendHeader(to)
	cid := sip.CallIDHeader(s.callID)
	req.AppendHeader(&cid)
	s.cseq++
	req.AppendHeader(&sip.CSeqHeader{SeqNo: s.cseq, MethodName: sip.SUBSCRIBE})
	for _, r := range s.route {
		req.AppendHeader(&sip.RouteHeader{Address: r})
	}
	inDialog := s.remoteTag != ""
	s.mu.Unlock()
	req.AppendHeader(ua.contactHeader())
	req.AppendHeader(sip.NewHeader("Event", s.event))
	if s.accept != "" {
		req.AppendHeader(sip.NewHeader("Accept", s.accept))
	}
	exp := sip.ExpiresHeader(expires)
	req.AppendHeader(&exp)
	if !inDialog {
		ua.addOutboundRoute(req)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 32*time.Second)
	defer cancel()
	res, err := ua.do(ctx, req, nil)
	if err != nil {
		return err
	}
	s.mu.Lock()
	if res.CSeq() != nil && res.CSeq().SeqNo > s.cseq {
		s.cseq = res.CSeq().SeqNo
	}
	s.mu.Unlock()
	if !res.IsSuccess() {
		return &ErrRequestFailed{Code: res.StatusCode, Reason: res.Reason}
	}
	s.mu.Lock()
	if tag, ok := res.To().Params.Get("tag"); ok && s.remoteTag == "" {
		s.remoteTag = tag
		rr := res.GetHeaders("Record-Route")
		for i := len(rr) - 1; i >= 0; i-- {
			if h, ok := rr[i].(*sip.RecordRouteHeader); ok {
				s.route = append(s.route, h.Address)
			}
		}
		if ct := res.Contact(); ct != nil {
			s.rtarget = ct.Address
		}
	}
	granted := expires
	if e := res.GetHeader("Expires"); e != nil {
		if n, err := strconv.Atoi(e.Value()); err == nil {
			granted = n
		}
	}
	if granted > 0 {
		if s.timer != nil {
			s.timer.Stop()
		}
		s.timer = time.AfterFunc(refreshDelay(granted), s.refresh)
	}
	s.mu.Unlock()
	return nil
}

// refresh renews the subscription before it expires; one that cannot be
// renewed is dropped and reported through Events.SubscriptionEnded. Nothing
// happens after UA.Stop or once the subscription has ended.
func (s *Subscription) refresh() {
	select {
	case <-s.ua.quit:
		return
	default:
	}
	if !s.ua.hasSub(s) {
		return
	}
	if err := s.send(s.expires); err != nil {
		s.ua.dialogs.dropSub(s)
		if s.ua.ev.SubscriptionEnded != nil {
			s.ua.ev.SubscriptionEnded(s, err.Error())
		}
	}
}

func (ua *UA) hasSub(s *Subscription) bool { return ua.dialogs.sub(s.callID) == s }

// handleNotify delivers a NOTIFY to its subscription (or, for a transfer's
// implicit subscription or unsolicited MWI, with a nil subscription).
func (ua *UA) handleNotify(req *sip.Request, tx *sip.ServerTx) {
	if ua.referNotified(req, tx) {
		return // a transfer's progress (refer_send.go)
	}
	info := NotifyInfo{
		Event:             headerValue(req, "Event"),
		SubscriptionState: headerValue(req, "Subscription-State"),
		ContentType:       headerValue(req, "Content-Type"),
		Body:              req.Body(),
		From:              req.From().Address.String(),
	}
	callID := req.CallID().Value()
	sub := ua.dialogs.sub(callID)
	switch {
	case sub != nil:
		ua.reply(tx, req, 200, "OK")
		sub.notified(req, info)
	case ua.callFor(callID) != nil,
		strings.HasPrefix(strings.ToLower(info.Event), "message-summary"):
		ua.reply(tx, req, 200, "OK")
	default:
		ua.reply(tx, req, 481, "Subscription Does Not Exist")
		return
	}
	if ua.ev.Notify != nil {
		ua.ev.Notify(sub, info)
	}
}

func (s *Subscription) notified(req *sip.Request, info NotifyInfo) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.remoteTag == "" {
		s.remoteTag, _ = req.From().Params.Get("tag")
	}
	if ct := req.Contact(); ct != nil {
		s.rtarget = ct.Address
	}
	state := strings.ToLower(strings.TrimSpace(strings.SplitN(info.SubscriptionState, ";", 2)[0]))
	if state != "" {
		s.state = state
	}
	if state == "terminated" {
		if s.timer != nil {
			s.timer.Stop()
		}
		go s.ua.dialogs.dropSub(s)
	}
}

// handleSubscribe lets the application decide on an incoming SUBSCRIBE.
func (ua *UA) handleSubscribe(req *sip.Request, tx *sip.ServerTx) {
	if ua.handleWatch(req, tx) {
		return // a subscription to us the application serves (notifier.go)
	}
	code := 489
	event := headerValue(req, "Event")
	if ua.ev.Subscribe != nil {
		code = ua.ev.Subscribe(event, req.From().Address.String(), rawRequest{req})
	}
	reason := "OK"
	switch {
	case code == 202:
		reason = "Accepted"
	case code == 489:
		reason = "Bad Event"
	case code >= 300:
		reason = reasonPhrase(code)
	}
	ua.reply(tx, req, code, reason, sip.NewHeader("Expires", headerValue(req, "Expires")))
}

type rawRequest struct{ req *sip.Request }

func (r rawRequest) GetHeader(name string) string { return headerValue(r.req, name) }
func (r rawRequest) Body() []byte                 { return r.req.Body() }

package demoserver

import (
	"context"
	"errors"
	"time"

	"github.com/emiago/sipgo"
	"github.com/emiago/sipgo/sip"
)

// inviteRingLimit bounds how long an INVITE may stay unanswered (Timer C).
const inviteRingLimit = 3 * time.Minute

// cancelLinger is how long we wait for canceled branches to answer 487.
const cancelLinger = 32 * time.Second

// target is one destination of a proxied request: the prepared copy of the
// request (Request-URI set) and the flow to send it on.
type target struct {
	out *sip.Request
	dst flow
}

// branch is one client transaction of a (possibly forked) request.
type branch struct {
	out      *sip.Request
	dst      flow
	tx       sip.ClientTransaction
	gone     <-chan struct{} // closed when dst's connection closes (flowlife.go)
	lost     bool            // ended because dst's connection closed
	final    bool            // final response received or transaction ended
	canceled bool
}

// branchEvent carries a response of a branch, or res == nil when the
// branch's transaction ended.
type branchEvent struct {
	b   *branch
	res *sip.Response
}

// relay proxies req statefully to every target in parallel (RFC 3261 §16):
// one client transaction per target, provisional responses relayed, the
// first 2xx relayed (later 2xx too, statelessly) and the other branches
// canceled, otherwise the best final response relayed once all branches are
// done. CANCEL from the caller cancels every branch. ACK is sent statelessly.
func (s *Server) relay(req *sip.Request, tx sip.ServerTransaction, targets []target, record bool) {
	if mf := req.MaxForwards(); mf != nil && mf.Val() == 0 {
		if !req.IsAck() {
			s.respond(tx, req, sip.StatusTooManyHops, "Too Many Hops")
		}
		return
	}
	s.flows.learn(req)
	s.learnMedia(req)
	if req.IsAck() {
		for _, t := range targets {
			if s.prepare(req, t, record) {
				if err := s.client.WriteRequest(t.out, sipgo.ClientRequestAddVia); err != nil {
					s.log.Debug("ACK forward failed", "error", err, "dst", t.dst.Addr)
				}
			}
		}
		return
	}

	inviting := req.IsInvite()
	s.presence.inviteRelayed(req, nil)
	stop := make(chan struct{})
	defer close(stop)
	events := make(chan branchEvent, 4)
	var branches []*branch
	for _, t := range targets {
		if !s.prepare(req, t, record) {
			continue
		}
		clTx, err := s.client.TransactionRequest(context.Background(), t.out, sipgo.ClientRequestAddVia)
		if err != nil {
			s.log.Info("forward failed", "error", err, "method", req.Method, "dst", t.dst.Transport+" "+t.dst.Addr)
			if t.dst.Transport == "WS" {
				s.bindings.dropFlow(t.dst) // the browser tab went away
			}
			continue
		}
		s.log.Debug("forwarded", "method", req.Method, "dst", t.dst.Transport+" "+t.dst.Addr)
		b := &branch{out: t.out, dst: t.dst, tx: clTx, gone: s.live.gone(t.dst)}
		branches = append(branches, b)
		if inviting {
			clTx.OnRetransmission(func(res *sip.Response) {
				if res.IsSuccess() {
					_ = s.sip.WriteResponse(s.relayed(req, res))
				}
			})
		}
		go pumpBranch(b, events, stop)
	}
	defer func() {
		for _, b := range branches {
			b.tx.Terminate()
		}
	}()
	if len(branches) == 0 {
		s.respond(tx, req, sip.StatusTemporarilyUnavailable, "Temporarily Unavailable")
		return
	}

	cancels := make(chan struct{}, 1)
	if inviting {
		tx.OnCancel(func(*sip.Request) {
			select {
			case cancels <- struct{}{}:
			default:
			}
		})
	}
	ringLimit := time.NewTimer(inviteRingLimit)
	defer ringLimit.Stop()
	if !inviting {
		ringLimit.Stop()
	}

	var (
		best         *sip.Response
		bestRank     = 99
		answered     *branch
		finalSent    bool // a final response went upstream (or sipgo sent 487)
		transportErr bool
		lingering    <-chan time.Time
		callerDone   = tx.Done()
		pending      = len(branches)
	)
	cancelAll := func() {
		for _, b := range branches {
			if !b.final && !b.canceled {
				b.canceled = true
				s.cancelBranch(b.out)
			}
		}
		if lingering == nil {
			lingering = time.After(cancelLinger)
		}
	}
	sendFinal := func(r *sip.Response) {
		if !finalSent {
			finalSent = true
			s.send(tx, r)
		}
	}

	for pending > 0 {
		select {
		case ev := <-events:
			b, res := ev.b, ev.res
			if res == nil {
				if !b.final {
					b.final = true
					pending--
					transportErr = transportErr || b.lost || errors.Is(b.tx.Err(), sip.ErrTransactionTransport)
				}
				continue
			}
			s.flows.learn(res)
			s.learnMedia(res)
			switch {
			case res.StatusCode == sip.StatusTrying:
			case res.IsProvisional():
				if !finalSent {
					s.send(tx, s.relayed(req, res))
					s.presence.inviteRelayed(req, res)
				}
			case res.IsSuccess():
				if !b.final {
					b.final = true
					pending--
				}
				rel := s.relayed(req, res)
				if finalSent || tx.Respond(rel) != nil {
					// Caller's transaction already finished (another 2xx,
					// or a CANCEL race): a 2xx must still reach it.
					_ = s.sip.WriteResponse(rel)
				}
				finalSent = true
				if answered == nil {
					answered = b
					s.presence.inviteRelayed(req, res)
				}
				if !inviting {
					return
				}
				cancelAll()
			default:
				if !b.final {
					b.final = true
					pending--
				}
				if r := responseRank(res.StatusCode); r < bestRank {
					best, bestRank = res, r
				}
				if inviting && res.StatusCode >= 600 {
					cancelAll() // RFC 3261 §16.7 step 5
				}
			}
		case <-cancels:
			finalSent = true // sipgo answered the CANCEL and sent 487
			cancelAll()
		case <-callerDone:
			callerDone = nil
			if inviting && answered == nil {
				finalSent = true
				cancelAll()
			}
		case <-ringLimit.C:
			sendFinal(sip.NewResponseFromRequest(req, sip.StatusRequestTimeout, "Request Timeout", nil))
			cancelAll()
		case <-lingering:
			pending = 0
		}
	}

	s.presence.inviteDone(req, answered != nil)
	switch {
	case answered != nil && inviting:
		// Stay for Timer M so retransmitted 2xx are relayed.
		select {
		case <-answered.tx.Done():
		case <-time.After(sip.Timer_M):
		}
	case best != nil:
		sendFinal(s.relayed(req, best))
	case transportErr:
		sendFinal(sip.NewResponseFromRequest(req, sip.StatusTemporarilyUnavailable, "Temporarily Unavailable", nil))
	default:
		sendFinal(sip.NewResponseFromRequest(req, sip.StatusRequestTimeout, "Request Timeout", nil))
	}
}

// pumpBranch turns a client transaction's responses and end into events.
func pumpBranch(b *branch, events chan<- branchEvent, stop <-chan struct{}) {
	emit := func(res *sip.Response) bool {
		select {
		case events <- branchEvent{b: b, res: res}:
			return true
		case <-stop:
			return false
		}
	}
	for {
		select {
		case res := <-b.tx.Responses():
			if !emit(res) {
				return
			}
		case <-b.tx.Done():
			for { // responses passed up just before the end
				select {
				case res := <-b.tx.Responses():
					if !emit(res) {
						return
					}
					continue
				default:
				}
				break
			}
			emit(nil)
			return
		case <-b.gone:
			// the connection closed: no answer can come back on it
			b.gone, b.lost = nil, true
			b.tx.Terminate()
		case <-stop:
			return
		}
	}
}

// responseRank orders final responses for selection among branches (lower
// is better, RFC 3261 §16.7 step 6): 6xx, then 3xx, then specific 4xx, then
// the "nobody there" 4xx, then 5xx.
func responseRank(code int) int {
	switch {
	case code >= 600:
		return 0
	case code >= 300 && code < 400:
		return 1
	case code == 408 || code == 480 || code == 487:
		return 3
	case code >= 400 && code < 500:
		return 2
	default:
		return 4
	}
}

// prepare readies t.out for sending to t.dst: Max-Forwards decremented,
// transport and destination set, our UDP socket as source, Record-Route.
// It returns false when the flow cannot be used.
func (s *Server) prepare(req *sip.Request, t target, record bool) bool {
	out := t.out
	if mf := out.MaxForwards(); mf != nil {
		mf.Dec()
	} else {
		m := sip.MaxForwardsHeader(70)
		out.AppendHeader(&m)
	}
	out.SetTransport(t.dst.Transport)
	out.SetDestination(t.dst.Addr)
	out.Laddr = sip.Addr{}
	if t.dst.Transport == "UDP" {
		if s.udpConn == nil {
			return false
		}
		out.Laddr = s.udpLaddr
	}
	if record {
		s.addRecordRoute(out, flowOf(req).Transport, t.dst.Transport)
	}
	return true
}

// relayed copies a downstream response for the upstream transaction: our
// Via removed, addressed like a response to req would be.
func (s *Server) relayed(req *sip.Request, res *sip.Response) *sip.Response {
	r := sip.CopyResponse(res)
	r.RemoveHeader("Via")
	tmpl := sip.NewResponseFromRequest(req, sip.StatusTrying, "Trying", nil)
	r.SetTransport(req.Transport())
	r.SetDestination(tmpl.Destination())
	return r
}

// asIs is a client request option that leaves the request untouched
// (passing any option disables sipgo's default header building).
func asIs(*sipgo.Client, *sip.Request) error { return nil }

// cancelBranch sends CANCEL for the forwarded INVITE out (same Via branch,
// Route and Request-URI, RFC 3261 §9.1) and waits for its answer in the
// background.
func (s *Server) cancelBranch(out *sip.Request) {
	c := sip.NewRequest(sip.CANCEL, *out.Recipient.Clone())
	if v := out.Via(); v != nil {
		c.AppendHeader(v.Clone())
	}
	for _, h := range out.GetHeaders("Route") {
		c.AppendHeader(sip.HeaderClone(h))
	}
	c.AppendHeader(sip.HeaderClone(out.From()))
	c.AppendHeader(sip.HeaderClone(out.To()))
	c.AppendHeader(sip.HeaderClone(out.CallID()))
	c.AppendHeader(&sip.CSeqHeader{SeqNo: out.CSeq().SeqNo, MethodName: sip.CANCEL})
	mf := sip.MaxForwardsHeader(70)
	c.AppendHeader(&mf)
	c.SetBody(nil)
	c.SetTransport(out.Transport())
	c.SetDestination(out.Destination())
	c.Laddr = out.Laddr

	ctx, cancel := context.WithTimeout(context.Background(), cancelLinger)
	cTx, err := s.client.TransactionRequest(ctx, c, asIs)
	if err != nil {
		cancel()
		s.log.Debug("CANCEL forward failed", "error", err)
		return
	}
	go func() {
		defer cancel()
		defer cTx.Terminate()
		for {
			select {
			case res := <-cTx.Responses():
				if !res.IsProvisional() {
					return
				}
			case <-cTx.Done():
				return
			case <-ctx.Done():
				return
			}
		}
	}()
}

// addRecordRoute inserts our Record-Route: one entry when the request stays
// on one transport, two (RFC 5658 double record-routing) when it crosses
// between WS and UDP, the entry facing the callee on top.
func (s *Server) addRecordRoute(out *sip.Request, inT, outT string) {
	if inT != outT {
		out.PrependHeader(s.recordRoute(inT))
	}
	out.PrependHeader(s.recordRoute(outT))
}

func (s *Server) recordRoute(transport string) *sip.RecordRouteHeader {
	host, port, t := s.wsHost, s.wsPort, "ws"
	if transport == "UDP" {
		host, port, t = s.udpHost, s.udpPort, "udp"
	}
	return &sip.RecordRouteHeader{Address: sip.Uri{
		Scheme:    "sip",
		Host:      host,
		Port:      port,
		UriParams: sip.HeaderParams{{K: "transport", V: t}, {K: "lr", V: ""}},
	}}
}

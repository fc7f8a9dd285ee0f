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

// asIs is a client request option that leaves the request untouched
// (passing any option disables sipgo's default header building).
func asIs(*sipgo.Client, *sip.Request) error { return nil }

// forward proxies out (a prepared clone of req) to dst statefully: a client
// transaction toward dst, every response but 100 relayed on the server
// transaction tx, CANCEL propagated, 2xx retransmissions relayed statelessly.
// ACK is sent without a transaction. When the request cannot even be sent
// (the target's connection is gone) and more targets remain (lastTry false),
// it answers nothing and returns false so the caller can try the next one.
func (s *Server) forward(req *sip.Request, tx sip.ServerTransaction, out *sip.Request, dst flow, record, lastTry bool) (sent bool) {
	if mf := out.MaxForwards(); mf != nil {
		if mf.Val() <= 1 {
			if !req.IsAck() {
				s.respond(tx, req, sip.StatusTooManyHops, "Too Many Hops")
			}
			return true
		}
		mf.Dec()
	} else {
		m := sip.MaxForwardsHeader(70)
		out.AppendHeader(&m)
	}
	out.SetTransport(dst.Transport)
	out.SetDestination(dst.Addr)
	out.Laddr = sip.Addr{}
	if dst.Transport == "UDP" {
		if s.udpConn == nil {
			if !req.IsAck() {
				s.respond(tx, req, sip.StatusTemporarilyUnavailable, "Temporarily Unavailable (UDP disabled)")
			}
			return true
		}
		out.Laddr = s.udpLaddr
	}
	if record {
		s.addRecordRoute(out, flowOf(req).Transport, dst.Transport)
	}
	s.flows.learn(req)

	if req.IsAck() {
		if err := s.client.WriteRequest(out, sipgo.ClientRequestAddVia); err != nil {
			s.log.Debug("ACK forward failed", "error", err, "dst", dst.Addr)
		}
		return true
	}

	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	clTx, err := s.client.TransactionRequest(ctx, out, sipgo.ClientRequestAddVia)
	if err != nil {
		s.log.Info("forward failed", "error", err, "method", req.Method, "dst", dst.Transport+" "+dst.Addr)
		if dst.Transport == "WS" {
			s.bindings.dropFlow(dst) // the browser tab went away
		}
		if !lastTry {
			return false
		}
		s.respond(tx, req, sip.StatusTemporarilyUnavailable, "Temporarily Unavailable")
		return true
	}
	defer clTx.Terminate()
	s.log.Debug("forwarded", "method", req.Method, "dst", dst.Transport+" "+dst.Addr)

	isInvite := req.IsInvite()
	clTx.OnRetransmission(func(res *sip.Response) {
		if isInvite && res.IsSuccess() {
			if err := s.sip.WriteResponse(s.relayed(req, res)); err != nil {
				s.log.Debug("2xx retransmission relay failed", "error", err)
			}
		}
	})

	cancels := make(chan struct{}, 1)
	if isInvite {
		tx.OnCancel(func(*sip.Request) {
			select {
			case cancels <- struct{}{}:
			default:
			}
		})
	}
	ringLimit := time.NewTimer(inviteRingLimit)
	defer ringLimit.Stop()
	if !isInvite {
		ringLimit.Stop()
	}

	callerDone := tx.Done()
	canceled := false
	var lingering <-chan time.Time // after CANCEL: how long we wait for the final
	doCancel := func() {
		if canceled {
			return
		}
		canceled = true
		s.cancelBranch(out)
		lingering = time.After(32 * time.Second)
	}
	for {
		select {
		case res, ok := <-clTx.Responses():
			if !ok {
				return true
			}
			s.flows.learn(res)
			if res.StatusCode == sip.StatusTrying {
				continue
			}
			rel := s.relayed(req, res)
			if err := tx.Respond(rel); err != nil {
				if isInvite && res.IsSuccess() {
					// The caller's transaction is gone (e.g. canceled in a
					// race with the answer): a 2xx must still reach it.
					_ = s.sip.WriteResponse(rel)
				} else {
					s.log.Debug("relay response failed", "error", err, "res", res.Short())
				}
			}
			if res.IsProvisional() {
				continue
			}
			if isInvite && res.IsSuccess() {
				// Stay for Timer M so retransmitted 2xx are relayed.
				select {
				case <-clTx.Done():
				case <-time.After(sip.Timer_M):
				}
			}
			return true
		case <-cancels:
			doCancel()
		case <-callerDone:
			callerDone = nil
			if isInvite {
				doCancel()
			}
		case <-ringLimit.C:
			s.respond(tx, req, sip.StatusRequestTimeout, "Request Timeout")
			doCancel()
		case <-lingering:
			return true
		case <-clTx.Done():
			if !canceled {
				code, reason := sip.StatusRequestTimeout, "Request Timeout"
				if errors.Is(clTx.Err(), sip.ErrTransactionTransport) {
					code, reason = sip.StatusTemporarilyUnavailable, "Temporarily Unavailable"
				}
				s.respond(tx, req, code, reason)
			}
			return true
		}
	}
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

	ctx, cancel := context.WithTimeout(context.Background(), 32*time.Second)
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

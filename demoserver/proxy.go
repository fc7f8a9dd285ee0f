package demoserver

import (
	"net/netip"
	"strings"

	"github.com/emiago/sipgo/sip"
)

// allowHeader lists what the proxy handles (answered to OPTIONS).
const allowHeader = "INVITE, ACK, CANCEL, BYE, OPTIONS, MESSAGE, SUBSCRIBE, NOTIFY, PUBLISH, REFER, INFO, UPDATE, PRACK, REGISTER"

// onRequest handles every request but REGISTER: requests with a To tag (or a
// Route beyond us) follow the dialog; others are addressed to a user of the
// domain.
func (s *Server) onRequest(req *sip.Request, tx sip.ServerTransaction) {
	if !s.validRequest(req, tx) {
		return
	}
	if req.IsCancel() {
		// sipgo matches a CANCEL to its INVITE transaction before handlers
		// run (answers 200, the INVITE gets 487 and our forwarder cancels the
		// callee); one that reaches us matched nothing.
		s.respond(tx, req, sip.StatusCallTransactionDoesNotExists, "Call/Transaction Does Not Exist")
		return
	}
	if s.presence.handles(req, tx) {
		return // PUBLISH, or a SUBSCRIBE the presence agent serves (presence.go)
	}
	if req.Method == sip.PUBLISH {
		r := sip.NewResponseFromRequest(req, sip.StatusMethodNotAllowed, "Method Not Allowed", nil)
		r.AppendHeader(sip.NewHeader("Allow", allowHeader))
		s.send(tx, r)
		return
	}
	if req.Method == sip.BYE {
		s.presence.callEnded(req.CallID().Value())
		if s.media != nil {
			s.media.ended(req.CallID().Value())
		}
	}
	out := req.Clone()
	// A Route to us on an initial request is a preloaded outbound proxy
	// route (baresip's outbound=, JsSIP's use_preloaded_route): drop it.
	s.stripOurRoutes(out)
	_, toTag := req.To().Params.Get("tag")
	if toTag || out.Route() != nil {
		s.routeInDialog(req, tx, out)
		return
	}
	s.routeInitial(req, tx, out)
}

// stripOurRoutes removes the Route headers naming this server from the top
// of out.
func (s *Server) stripOurRoutes(out *sip.Request) {
	for {
		r := out.Route()
		if r == nil || !s.isOurURI(r.Address) {
			return
		}
		out.RemoveHeader("Route")
	}
}

// routeInitial handles an out-of-dialog request to user@domain.
func (s *Server) routeInitial(req *sip.Request, tx sip.ServerTransaction, out *sip.Request) {
	user := req.Recipient.User
	if user == "" {
		if req.Method == sip.OPTIONS {
			ok := sip.NewResponseFromRequest(req, sip.StatusOK, "OK", nil)
			ok.AppendHeader(sip.NewHeader("Allow", allowHeader))
			ok.AppendHeader(sip.NewHeader("Accept", "application/sdp"))
			s.send(tx, ok)
			return
		}
		if req.IsAck() {
			return
		}
		s.respond(tx, req, sip.StatusNotFound, "Not Found")
		return
	}
	if req.IsAck() {
		return // ACK to a non-2xx final response we already answered
	}
	if req.Method != sip.OPTIONS && !s.authorizeCaller(req, tx) {
		return
	}
	if _, ok := s.accounts[user]; !ok {
		s.respond(tx, req, sip.StatusNotFound, "Not Found")
		return
	}
	bds := s.bindings.active(user)
	s.log.Info("request", "method", string(req.Method), "from", req.From().Address.User, "to", user, "bindings", len(bds))
	if len(bds) == 0 {
		s.respond(tx, req, sip.StatusTemporarilyUnavailable, "Temporarily Unavailable")
		return
	}
	// Fork to every binding of the user in parallel.
	record := req.Method == sip.INVITE || req.Method == sip.SUBSCRIBE || req.Method == sip.REFER
	targets := make([]target, 0, len(bds))
	for _, bd := range bds {
		o := out.Clone()
		o.Recipient = *bd.contact.Address.Clone()
		targets = append(targets, target{out: o, dst: bd.flow})
	}
	s.relay(req, tx, targets, record)
}

// authorizeCaller lets through requests arriving on a flow where the From
// user holds a live registration (the browser tabs: their WebSocket
// connection was authenticated by REGISTER); anyone else must answer a 407
// Proxy-Authenticate challenge as the From user. It answers and returns false
// when the request must stop here.
func (s *Server) authorizeCaller(req *sip.Request, tx sip.ServerTransaction) bool {
	from := req.From().Address.User
	if from != "" && s.bindings.registeredOn(from, flowOf(req)) {
		return true
	}
	name, res := s.auth.check(headerValue(req, "Proxy-Authorization"), string(req.Method))
	switch res {
	case authMissing, authStale:
		r := sip.NewResponseFromRequest(req, sip.StatusProxyAuthRequired, "Proxy Authentication Required", nil)
		r.AppendHeader(sip.NewHeader("Proxy-Authenticate", s.auth.challenge(res == authStale)))
		s.send(tx, r)
		return false
	case authFailed:
		s.respond(tx, req, sip.StatusForbidden, "Forbidden")
		return false
	}
	if name != from {
		s.respond(tx, req, sip.StatusForbidden, "Forbidden (authentication user does not match From)")
		return false
	}
	return true
}

// routeInDialog sends a request within a dialog (or loose-routed through us)
// to the next hop: a remaining Route, else the flow that owns the
// Request-URI, else the Request-URI's own address when it is an IP.
func (s *Server) routeInDialog(req *sip.Request, tx sip.ServerTransaction, out *sip.Request) {
	dst, ok := s.nextHop(out)
	if !ok {
		if !req.IsAck() {
			s.respond(tx, req, sip.StatusNotFound, "Not Found (no route to Request-URI)")
		}
		return
	}
	s.relay(req, tx, []target{{out: out, dst: dst}}, false)
}

// nextHop resolves where an in-dialog request goes.
func (s *Server) nextHop(out *sip.Request) (flow, bool) {
	if r := out.Route(); r != nil {
		if f, ok := s.flows.lookup(r.Address); ok {
			return f, true
		}
		return uriFlow(r.Address)
	}
	if f, ok := s.flows.lookup(out.Recipient); ok {
		return f, true
	}
	if s.isOurURI(out.Recipient) {
		if out.IsAck() {
			return flow{}, false
		}
		// Request-URI is an address of record: use its binding.
		if bds := s.bindings.active(out.Recipient.User); len(bds) > 0 {
			out.Recipient = *bds[0].contact.Address.Clone()
			return bds[0].flow, true
		}
		return flow{}, false
	}
	return uriFlow(out.Recipient)
}

// uriFlow turns a URI with an IP host into a flow (UDP unless
// transport=ws/tcp says otherwise; only UDP and WS are served).
func uriFlow(u sip.Uri) (flow, bool) {
	ip, err := netip.ParseAddr(strings.Trim(u.Host, "[]"))
	if err != nil {
		return flow{}, false
	}
	t := "UDP"
	if v, ok := u.UriParams.Get("transport"); ok {
		t = strings.ToUpper(v)
	}
	if t != "UDP" {
		return flow{}, false // only connections we hold can reach WS peers
	}
	port := u.Port
	if port == 0 {
		port = 5060
	}
	return flow{Transport: t, Addr: netip.AddrPortFrom(ip, uint16(port)).String()}, true
}

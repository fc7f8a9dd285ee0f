package demoserver

import (
	"strconv"
	"strings"

	"github.com/emiago/sipgo/sip"
)

// onRegister is the registrar: digest challenge (401), 403 on wrong
// credentials, then add/refresh/remove the Contacts and answer 200 with every
// live Contact of the user and its expires (JsSIP needs the Contact).
func (s *Server) onRegister(req *sip.Request, tx sip.ServerTransaction) {
	if !s.validRequest(req, tx) {
		return
	}
	user := req.To().Address.User
	if user == "" {
		s.respond(tx, req, sip.StatusBadRequest, "Bad Request (To has no user)")
		return
	}
	name, res := s.auth.check(headerValue(req, "Authorization"), string(req.Method))
	switch res {
	case authMissing, authStale:
		r := sip.NewResponseFromRequest(req, sip.StatusUnauthorized, "Unauthorized", nil)
		r.AppendHeader(sip.NewHeader("WWW-Authenticate", s.auth.challenge(res == authStale)))
		s.send(tx, r)
		return
	case authFailed:
		s.respond(tx, req, sip.StatusForbidden, "Forbidden")
		return
	}
	if name != user {
		s.respond(tx, req, sip.StatusForbidden, "Forbidden (authentication user does not match To)")
		return
	}

	headerExpires := -1
	if v := headerValue(req, "Expires"); v != "" {
		n, err := strconv.Atoi(strings.TrimSpace(v))
		if err != nil || n < 0 {
			s.respond(tx, req, sip.StatusBadRequest, "Bad Request (Expires)")
			return
		}
		headerExpires = n
	}
	f := flowOf(req)
	token := ""
	for _, h := range req.GetHeaders("Contact") {
		c, ok := h.(*sip.ContactHeader)
		if !ok {
			s.respond(tx, req, sip.StatusBadRequest, "Bad Request (Contact)")
			return
		}
		if c.Address.Wildcard {
			if headerExpires != 0 {
				s.respond(tx, req, sip.StatusBadRequest, "Bad Request (Contact: * needs Expires: 0)")
				return
			}
			s.bindings.clear(user)
			continue
		}
		exp := headerExpires
		if v, ok := c.Params.Get("expires"); ok {
			n, err := strconv.Atoi(strings.TrimSpace(v))
			if err != nil || n < 0 {
				s.respond(tx, req, sip.StatusBadRequest, "Bad Request (expires)")
				return
			}
			exp = n
		}
		switch {
		case exp < 0:
			exp = defaultExpires
		case exp > maxExpires:
			exp = maxExpires
		case exp > 0 && exp < minExpires:
			exp = minExpires
		}
		if t := s.bindings.set(user, c, f, exp); token == "" {
			token = t
		}
	}
	s.flows.learn(req)

	ok := sip.NewResponseFromRequest(req, sip.StatusOK, "OK", nil)
	for _, bd := range s.bindings.active(user) {
		ok.AppendHeader(bd.contactHeader())
	}
	if token != "" && s.rtpRelay != nil {
		ok.AppendHeader(sip.NewHeader(relayTokenHeader, token))
	}
	s.log.Info("register", "user", user, "flow", f.Transport+" "+f.Addr, "bindings", len(s.bindings.active(user)))
	s.send(tx, ok)
}

// headerValue returns the first value of a header, or "".
func headerValue(m interface{ GetHeader(string) sip.Header }, name string) string {
	if h := m.GetHeader(name); h != nil {
		return h.Value()
	}
	return ""
}

// respond sends a response without body.
func (s *Server) respond(tx sip.ServerTransaction, req *sip.Request, code int, reason string) {
	s.send(tx, sip.NewResponseFromRequest(req, code, reason, nil))
}

func (s *Server) send(tx sip.ServerTransaction, res *sip.Response) {
	if err := tx.Respond(res); err != nil {
		s.log.Debug("respond failed", "error", err, "res", res.Short())
	}
}

// validRequest answers 400 to requests missing a mandatory header or whose
// CSeq method differs from the request method. ACKs are never answered.
func (s *Server) validRequest(req *sip.Request, tx sip.ServerTransaction) bool {
	reason := ""
	switch {
	case req.From() == nil:
		reason = "Bad Request (From)"
	case req.To() == nil:
		reason = "Bad Request (To)"
	case req.CallID() == nil:
		reason = "Bad Request (Call-ID)"
	case req.CSeq() == nil:
		reason = "Bad Request (CSeq)"
	case req.CSeq().MethodName != req.Method:
		reason = "Bad Request (CSeq method)"
	}
	if reason == "" {
		return true
	}
	if !req.IsAck() {
		s.respond(tx, req, sip.StatusBadRequest, reason)
	}
	return false
}

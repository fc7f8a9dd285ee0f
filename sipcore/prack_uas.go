package sipcore

// Reliable provisional responses we send (RFC 3262 3): when a caller's
// INVITE requires 100rel, our 180 carries "Require: 100rel" and an RSeq and
// is repeated (T1, doubling up to T2) until its PRACK arrives, the call is
// answered or ended, or 64*T1 passed (then the INVITE gets 504, RFC 3262
// 3). The 180 has no SDP, so a 2xx may follow before the PRACK.

import (
	"strconv"
	"strings"
	"time"

	"github.com/emiago/sipgo/sip"
)

// reliableUAS is the state of our reliable 180 (inside prackState's lock).
type reliableUAS struct {
	rseq  uint32
	acked chan struct{} // closed by the matching PRACK
}

// ringing sends 180 to a new incoming call: reliably when its INVITE
// requires 100rel, else as usual.
func (o *callee) ringing(req *sip.Request) {
	if !hasOptionTag(req, "Require", "100rel") {
		o.respond(180, "Ringing", nil)
		return
	}
	p := &o.prack
	p.mu.Lock()
	p.uas.rseq++
	rseq := p.uas.rseq
	acked := make(chan struct{})
	p.uas.acked = acked
	p.mu.Unlock()
	res := o.respond(180, "Ringing", nil,
		sip.NewHeader("Require", "100rel"), sip.NewHeader("RSeq", strconv.FormatUint(uint64(rseq), 10)))
	go o.repeatReliable(res, acked)
}

// repeatReliable repeats a reliable provisional until its PRACK, the end
// of ringing, or 64*T1 (the INVITE is then refused with 504).
func (o *callee) repeatReliable(res *sip.Response, acked chan struct{}) {
	interval := sip.T1
	deadline := time.After(64 * sip.T1)
	for {
		select {
		case <-acked:
			return
		case <-o.ua.quit:
			return
		case <-deadline:
			o.mu.Lock()
			pending := !o.answered && !o.ended
			if pending {
				o.answered = true
			}
			o.mu.Unlock()
			if pending {
				o.respond(504, "Server Time-out", nil)
				o.end("no PRACK for the reliable 180")
			}
			return
		case <-time.After(interval):
			o.mu.Lock()
			done := o.answered || o.ended
			o.mu.Unlock()
			if done {
				return
			}
			_ = o.ua.sendMessage(res)
			if interval *= 2; interval > sip.T2 {
				interval = sip.T2
			}
		}
	}
}

// readPrack answers a PRACK in the call's (early) dialog: 200 when its RAck
// names our pending reliable provisional, else 481 (RFC 3262 3).
func (c *Call) readPrack(req *sip.Request, tx *sip.ServerTx) {
	ua := c.ua
	rseq, cseq, method, ok := parseRAck(headerValue(req, "RAck"))
	c.mu.Lock()
	inviteCSeq := uint32(0)
	if c.callee != nil && c.callee.inviteReq != nil {
		inviteCSeq = c.callee.inviteReq.CSeq().SeqNo
	}
	c.mu.Unlock()
	p := &c.prack
	p.mu.Lock()
	acked := p.uas.acked
	match := ok && acked != nil && rseq == p.uas.rseq && cseq == inviteCSeq && strings.EqualFold(method, "INVITE")
	if match {
		p.uas.acked = nil
	}
	p.mu.Unlock()
	if !match {
		ua.reply(tx, req, 481, "Call/Transaction Does Not Exist")
		return
	}
	close(acked)
	ua.reply(tx, req, 200, "OK")
}

// parseRAck reads "RAck: rseq cseq method".
func parseRAck(v string) (rseq, cseq uint32, method string, ok bool) {
	f := strings.Fields(v)
	if len(f) != 3 {
		return 0, 0, "", false
	}
	r, err1 := strconv.ParseUint(f[0], 10, 32)
	s, err2 := strconv.ParseUint(f[1], 10, 32)
	if err1 != nil || err2 != nil {
		return 0, 0, "", false
	}
	return uint32(r), uint32(s), f[2], true
}

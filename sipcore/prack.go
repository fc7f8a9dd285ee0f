package sipcore

// Reliable provisional responses (RFC 3262): a 1xx to our INVITE that
// carries "Require: 100rel" and an RSeq is acknowledged with PRACK. We
// offer 100rel in Supported (optiontags.go); when a caller requires it,
// our 180 is reliable (prack_uas.go).

import (
	"context"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/emiago/sipgo/sip"
)

// prackState remembers the RSeq of the last reliable provisional we
// acknowledged, so retransmissions are not acknowledged again.
type prackState struct {
	mu       sync.Mutex
	seen     bool
	lastRSeq uint32
	uas      reliableUAS // our own reliable 180 (prack_uas.go)
}

// fresh records rseq and tells whether it is new (greater than the last).
func (p *prackState) fresh(rseq uint32) bool {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.seen && rseq <= p.lastRSeq {
		return false
	}
	p.seen, p.lastRSeq = true, rseq
	return true
}

// rseqOf returns the RSeq of a reliable provisional response (RFC 3262
// 7.1: 1 to 2^31-1), ok false when the response is not one.
func rseqOf(res *sip.Response) (uint32, bool) {
	if res.StatusCode <= 100 || res.StatusCode >= 200 || !hasOptionTag(res, "Require", "100rel") {
		return 0, false
	}
	n, err := strconv.ParseUint(strings.TrimSpace(headerValue(res, "RSeq")), 10, 32)
	if err != nil || n == 0 || n > 1<<31-1 {
		return 0, false
	}
	return uint32(n), true
}

// prackProvisional sends PRACK for a reliable provisional response to our
// INVITE, in the early dialog the response creates (its To tag, Contact
// and Record-Route). The PRACK runs in the background; a failure is
// logged, the INVITE goes on.
func (c *Call) prackProvisional(res *sip.Response) {
	rseq, ok := rseqOf(res)
	if !ok || res.CSeq() == nil || !c.prack.fresh(rseq) {
		return
	}
	c.mu.Lock()
	if ct := res.Contact(); ct != nil {
		c.remoteTarget = ct.Address
	}
	c.routeSet = c.routeSet[:0]
	rr := res.GetHeaders("Record-Route")
	for i := len(rr) - 1; i >= 0; i-- {
		if h, ok := rr[i].(*sip.RecordRouteHeader); ok {
			c.routeSet = append(c.routeSet, h.Address)
		}
	}
	c.mu.Unlock()
	req := c.newRequest(sip.PRACK, "", nil)
	req.AppendHeader(sip.NewHeader("RAck",
		strconv.FormatUint(uint64(rseq), 10)+" "+strconv.FormatUint(uint64(res.CSeq().SeqNo), 10)+" "+string(res.CSeq().MethodName)))
	go func() {
		ctx, cancel := context.WithTimeout(context.Background(), 32*time.Second)
		defer cancel()
		pr, err := c.ua.runTx(ctx, req, newAuthenticator(c.ua.cfg), txHooks{})
		switch {
		case err != nil:
			c.ua.log.Warn("PRACK failed", "call", c.callID, "err", err)
		case !pr.IsSuccess():
			c.ua.log.Warn("PRACK refused", "call", c.callID, "status", pr.StatusCode)
		}
	}()
}

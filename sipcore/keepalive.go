package sipcore

import (
	"context"
	"errors"
	"time"

	"github.com/emiago/sipgo/sip"
)

// keepaliveLoop sends RFC 5626 double-CRLF keepalives on an idle flow and
// closes a flow that stays silent: a server that answers pings must pong
// within DeadTimeout; one that never ponged is probed with OPTIONS.
func (ua *UA) keepaliveLoop() {
	if ua.cfg.KeepaliveInterval <= 0 {
		return
	}
	tick := time.NewTicker(ua.cfg.KeepaliveInterval)
	defer tick.Stop()
	for {
		select {
		case <-ua.quit:
			return
		case <-tick.C:
		}
		tr := ua.currentTransport()
		if tr == nil {
			continue
		}
		ua.mu.Lock()
		idle := time.Since(ua.lastRecv) >= ua.cfg.KeepaliveInterval
		ua.mu.Unlock()
		if !idle {
			continue
		}
		sent := time.Now()
		if err := tr.Send([]byte("\r\n\r\n")); err != nil {
			ua.flowDead(tr, "keepalive send failed: "+err.Error())
			continue
		}
		if ua.cfg.DeadTimeout <= 0 {
			continue
		}
		go ua.checkAlive(tr, sent)
	}
}

// checkAlive decides whether the flow answered since sent.
func (ua *UA) checkAlive(tr Transport, sent time.Time) {
	select {
	case <-ua.quit:
		return
	case <-time.After(ua.cfg.DeadTimeout):
	}
	ua.mu.Lock()
	heard := ua.lastRecv.After(sent)
	pongs := ua.pongSeen
	ua.mu.Unlock()
	if heard {
		return
	}
	if pongs {
		ua.flowDead(tr, "no keepalive answer")
		return
	}
	if err := ua.probe(ua.cfg.DeadTimeout); err != nil {
		ua.flowDead(tr, "server not answering: "+err.Error())
	}
}

// probe sends OPTIONS to the server; any response proves the flow alive.
func (ua *UA) probe(timeout time.Duration) error {
	h, port := splitHostPort(ua.cfg.Domain)
	req := sip.NewRequest(sip.OPTIONS, sip.Uri{Scheme: "sip", Host: h, Port: port})
	req.AppendHeader(ua.fromHeader(newTag()))
	req.AppendHeader(&sip.ToHeader{Address: sip.Uri{Scheme: "sip", Host: h, Port: port}, Params: sip.NewParams()})
	cid := sip.CallIDHeader(newCallID())
	req.AppendHeader(&cid)
	req.AppendHeader(&sip.CSeqHeader{SeqNo: 1, MethodName: sip.OPTIONS})
	ua.addOutboundRoute(req)
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	defer cancel()
	ct, err := ua.startTx(req)
	if err != nil {
		return err
	}
	res, err := ct.final(ctx, nil)
	if res != nil {
		return nil
	}
	if err == nil {
		err = errors.New("no response")
	}
	return err
}

// flowDead closes a transport found dead; the usual close path reports it.
func (ua *UA) flowDead(tr Transport, reason string) {
	ua.mu.Lock()
	current := ua.tr == tr
	gen := ua.trGen
	ua.mu.Unlock()
	if !current {
		return
	}
	ua.log.Info("flow dead", "reason", reason)
	(&flowReceiver{ua: ua, gen: gen}).Closed(errors.New(reason))
	_ = tr.Close()
}

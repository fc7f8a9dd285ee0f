package sipcore

import (
	"context"
	"errors"
	"time"

	"github.com/emiago/sipgo/sip"
)

// keepalive sends RFC 5626 double-CRLF keepalives on an idle flow and
// closes a flow that stays silent: a server that answers pings must pong
// within deadTimeout; one that never ponged is probed with OPTIONS. It
// runs until quit.
func (f *flow) keepalive() {
	if f.interval <= 0 {
		return
	}
	tick := time.NewTicker(f.interval)
	defer tick.Stop()
	for {
		select {
		case <-f.quit:
			return
		case <-tick.C:
		}
		tr := f.current()
		if tr == nil {
			continue
		}
		f.mu.Lock()
		idle := time.Since(f.lastRecv) >= f.interval
		f.mu.Unlock()
		if !idle {
			continue
		}
		sent := time.Now()
		if err := tr.Send([]byte("\r\n\r\n")); err != nil {
			f.dead(tr, "keepalive send failed: "+err.Error())
			continue
		}
		if f.deadTimeout <= 0 {
			continue
		}
		go f.checkAlive(tr, sent)
	}
}

// checkAlive decides whether the flow answered since sent.
func (f *flow) checkAlive(tr Transport, sent time.Time) {
	select {
	case <-f.quit:
		return
	case <-time.After(f.deadTimeout):
	}
	f.mu.Lock()
	heard := f.lastRecv.After(sent)
	pongs := f.pongSeen
	f.mu.Unlock()
	if heard {
		return
	}
	if pongs {
		f.dead(tr, "no keepalive answer")
		return
	}
	if err := f.probe(f.deadTimeout); err != nil {
		f.dead(tr, "server not answering: "+err.Error())
	}
}

// dead closes a transport found dead; the usual close path reports it
// (Events.Flow FlowLost with the reason).
func (f *flow) dead(tr Transport, reason string) {
	f.mu.Lock()
	current := f.tr == tr
	gen := f.gen
	f.mu.Unlock()
	if !current {
		return
	}
	f.log.Warn("flow dead", "reason", reason)
	f.closed(gen, errors.New(reason))
	_ = tr.Close()
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

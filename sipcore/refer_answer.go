package sipcore

// This file is the transferee's side of a transfer (RFC 3515): a REFER from
// the peer is accepted (202) or declined by the application, and the
// accepted one's implicit subscription gets NOTIFYs with message/sipfrag
// bodies telling how the new call goes.

import (
	"context"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/emiago/sipgo/sip"
)

// referNotifier sends the NOTIFYs of one accepted REFER in order, one at a
// time, from its own goroutine: nothing before the 202 went out, then
// "100 Trying", then what NotifyRefer queued, up to the final status.
type referNotifier struct {
	c *Call

	mu      sync.Mutex
	queue   []sipfrag
	started bool // the 202 went out
	running bool // the sender goroutine works on queue
	final   bool // a final status was queued: nothing more is
}

type sipfrag struct {
	code   int
	reason string
}

// readRefer hands a transfer request the dialog received to the
// application (Events.Refer): 202 Accepted and a first NOTIFY "100 Trying"
// when it takes it, 603 Decline when it does not (or there is no handler),
// 400 without Refer-To.
func (c *Call) readRefer(req *sip.Request, tx *sip.ServerTx) {
	ua := c.ua
	referTo := headerValue(req, "Refer-To")
	if referTo == "" {
		ua.reply(tx, req, 400, "Missing Refer-To")
		return
	}
	// the notifier exists before the application hears of the REFER, so
	// NotifyRefer called at once is queued behind the 202 and 100 Trying
	n := &referNotifier{c: c}
	ua.xfer.forgetEnded()
	ua.xfer.mu.Lock()
	ua.xfer.notifiers[c.callID] = n
	ua.xfer.mu.Unlock()
	if ua.ev.Refer != nil && ua.ev.Refer(c, referTo, headerValue(req, "Referred-By")) {
		ua.reply(tx, req, 202, "Accepted")
		n.mu.Lock()
		n.started = true
		n.queue = append([]sipfrag{{100, "Trying"}}, n.queue...)
		n.mu.Unlock()
		n.kick()
		return
	}
	ua.xfer.mu.Lock()
	if ua.xfer.notifiers[c.callID] == n {
		delete(ua.xfer.notifiers, c.callID)
	}
	ua.xfer.mu.Unlock()
	ua.reply(tx, req, 603, "Decline")
}

// NotifyRefer reports how the call a REFER asked for goes, to the peer who
// sent that REFER on this call: a NOTIFY with "SIP/2.0 <code> <reason>"
// (100 Trying went already; 180 Ringing, 200 OK, 486 Busy Here, ...). A
// code of 200 or more is the last one and ends the subscription. It only
// queues the NOTIFY (they go out in order); ErrCallState when this call has
// no accepted REFER, or its final status was reported already.
func (c *Call) NotifyRefer(code int, reason string) error {
	c.ua.xfer.mu.Lock()
	n := c.ua.xfer.notifiers[c.callID]
	c.ua.xfer.mu.Unlock()
	if n == nil || code < 100 || code > 699 {
		return ErrCallState
	}
	n.mu.Lock()
	if n.final {
		n.mu.Unlock()
		return ErrCallState
	}
	n.final = code >= 200
	n.queue = append(n.queue, sipfrag{code, sipfragReason(code, reason)})
	n.mu.Unlock()
	n.kick()
	return nil
}

// sipfragReason keeps a reason phrase printable and on one line.
func sipfragReason(code int, reason string) string {
	reason = strings.Map(func(r rune) rune {
		if r < 0x20 || r == 0x7f {
			return ' '
		}
		return r
	}, reason)
	if len(reason) > 200 {
		reason = reason[:200]
	}
	if reason = strings.TrimSpace(reason); reason == "" {
		reason = reasonPhrase(code)
	}
	return reason
}

// kick starts the sender when there is something to send and it may.
func (n *referNotifier) kick() {
	n.mu.Lock()
	if !n.started || n.running || len(n.queue) == 0 {
		n.mu.Unlock()
		return
	}
	n.running = true
	n.mu.Unlock()
	go n.run()
}

func (n *referNotifier) run() {
	for {
		n.mu.Lock()
		if len(n.queue) == 0 {
			n.running = false
			n.mu.Unlock()
			return
		}
		f := n.queue[0]
		n.queue = n.queue[1:]
		n.mu.Unlock()
		n.send(f)
		if f.code >= 200 {
			x := n.c.ua.xfer
			x.mu.Lock()
			if x.notifiers[n.c.callID] == n {
				delete(x.notifiers, n.c.callID)
			}
			x.mu.Unlock()
		}
	}
}

// send sends one NOTIFY and waits for its answer (bounded by the
// transaction's timers).
func (n *referNotifier) send(f sipfrag) {
	c := n.c
	if c.isEnded() {
		return
	}
	body := []byte("SIP/2.0 " + strconv.Itoa(f.code) + " " + f.reason + "\r\n")
	req := c.newRequest(sip.NOTIFY, "message/sipfrag;version=2.0", body)
	req.AppendHeader(sip.NewHeader("Event", "refer"))
	state := "active;expires=60"
	if f.code >= 200 {
		state = "terminated;reason=noresource"
	}
	req.AppendHeader(sip.NewHeader("Subscription-State", state))
	ctx, cancel := context.WithTimeout(context.Background(), 32*time.Second)
	defer cancel()
	// not sendInDialog: a 481 or 408 to a NOTIFY ends the subscription, not
	// the call (RFC 5057 5.1), e.g. when the transferor hung up already
	res, err := c.ua.runTx(ctx, req, newAuthenticator(c.ua.cfg), txHooks{})
	if res != nil && res.CSeq() != nil {
		c.mu.Lock()
		if res.CSeq().SeqNo > c.localCSeq {
			c.localCSeq = res.CSeq().SeqNo
		}
		c.mu.Unlock()
	}
	if err != nil {
		c.ua.log.Info("refer NOTIFY failed", "err", err)
	}
}

// ParseReferTo reads a Refer-To value ("<sip:bob@example.com?Replaces=...>")
// into the URI to call, without its header part, and the Replaces value it
// carries for the new INVITE ("" when none).
func ParseReferTo(referTo string) (target, replaces string, err error) {
	v := strings.TrimSpace(referTo)
	if i := strings.IndexByte(v, '<'); i >= 0 {
		j := strings.IndexByte(v[i:], '>')
		if j < 0 {
			return "", "", errBadReferTo
		}
		v = v[i+1 : i+j]
	} else if i := strings.IndexByte(v, ';'); i >= 0 {
		v = v[:i] // name-addr-less form: parameters belong to the header
	}
	if i := strings.IndexByte(v, '?'); i >= 0 {
		for _, kv := range strings.Split(v[i+1:], "&") {
			name, val, _ := strings.Cut(kv, "=")
			if strings.EqualFold(name, "Replaces") {
				if replaces, err = url.QueryUnescape(val); err != nil {
					return "", "", errBadReferTo
				}
			}
		}
		v = v[:i]
	}
	var u sip.Uri
	if err := sip.ParseUri(v, &u); err != nil || u.Host == "" {
		return "", "", errBadReferTo
	}
	if err := CheckText(replaces); err != nil {
		return "", "", errBadReferTo
	}
	return v, replaces, nil
}

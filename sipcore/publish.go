package sipcore

import (
	"context"
	"strconv"
	"sync"
	"time"

	"github.com/emiago/sipgo/sip"
)

// Publication is our event state at the server's event state compositor
// (PUBLISH, RFC 3903), e.g. presence as PIDF. It is refreshed before it
// expires until Remove or UA.Stop.
type Publication struct {
	ua      *UA
	event   string
	ctype   string
	callID  string
	expires int

	mu      sync.Mutex
	etag    string // SIP-ETag of the state at the server
	cseq    uint32
	body    []byte
	timer   *time.Timer
	removed bool
}

// publishTimeout bounds one PUBLISH transaction.
const publishTimeout = 32 * time.Second

// Publish publishes body (of contentType) for event at our own address of
// record and waits for the answer. A refusal is an *ErrRequestFailed (405,
// 489 or 501: the server has no event state compositor for event).
func (ua *UA) Publish(event, contentType string, body []byte, expires int) (*Publication, error) {
	if expires <= 0 {
		expires = 3600
	}
	p := &Publication{ua: ua, event: event, ctype: contentType, callID: newCallID(), expires: expires,
		body: append([]byte(nil), body...)}
	if err := p.send(p.body, true, expires); err != nil {
		return nil, err
	}
	return p, nil
}

// Event returns the event package.
func (p *Publication) Event() string { return p.event }

// Update replaces the published state with body (SIP-If-Match the current
// entity tag). If the server lost the state (412), it is published anew.
func (p *Publication) Update(body []byte) error {
	p.mu.Lock()
	if p.removed {
		p.mu.Unlock()
		return ErrCallState
	}
	p.body = append([]byte(nil), body...)
	b := p.body
	p.mu.Unlock()
	return p.send(b, true, p.expires)
}

// Remove withdraws the published state (Expires: 0) and stops refreshing.
func (p *Publication) Remove() error {
	p.mu.Lock()
	if p.removed {
		p.mu.Unlock()
		return nil
	}
	p.removed = true
	if p.timer != nil {
		p.timer.Stop()
	}
	hasTag := p.etag != ""
	p.mu.Unlock()
	if !hasTag {
		return nil
	}
	return p.send(nil, false, 0)
}

// send sends one PUBLISH: with a body (initial or modify) or without
// (refresh, remove); the current entity tag goes in SIP-If-Match. A 412
// drops the tag and publishes the body anew; a 423 retries once with the
// server's Min-Expires.
func (p *Publication) send(body []byte, withBody bool, expires int) error {
	retried412, retried423 := false, false
	for {
		res, err := p.sendOnce(body, withBody, expires)
		if err != nil {
			return err
		}
		switch {
		case res.IsSuccess():
			p.accepted(res, expires)
			return nil
		case res.StatusCode == 412 && !retried412 && expires > 0:
			retried412 = true
			p.mu.Lock()
			p.etag = ""
			body, withBody = p.body, true
			p.mu.Unlock()
			continue
		case res.StatusCode == 423 && !retried423:
			retried423 = true
			if n, err := strconv.Atoi(headerValue(res, "Min-Expires")); err == nil && n > expires {
				expires = n
				continue
			}
		}
		return &ErrRequestFailed{Code: res.StatusCode, Reason: res.Reason}
	}
}

func (p *Publication) sendOnce(body []byte, withBody bool, expires int) (*sip.Response, error) {
	ua := p.ua
	aor := ua.aor()
	req := sip.NewRequest(sip.PUBLISH, aor)
	req.AppendHeader(ua.fromHeader(newTag()))
	req.AppendHeader(&sip.ToHeader{Address: aor, Params: sip.NewParams()})
	cid := sip.CallIDHeader(p.callID)
	req.AppendHeader(&cid)
	p.mu.Lock()
	p.cseq++
	req.AppendHeader(&sip.CSeqHeader{SeqNo: p.cseq, MethodName: sip.PUBLISH})
	if p.etag != "" {
		req.AppendHeader(sip.NewHeader("SIP-If-Match", p.etag))
	}
	p.mu.Unlock()
	req.AppendHeader(sip.NewHeader("Event", p.event))
	exp := sip.ExpiresHeader(expires)
	req.AppendHeader(&exp)
	if withBody {
		ct := sip.ContentTypeHeader(p.ctype)
		req.AppendHeader(&ct)
		req.SetBody(body)
	}
	ua.addOutboundRoute(req)
	ctx, cancel := context.WithTimeout(context.Background(), publishTimeout)
	defer cancel()
	res, err := ua.do(ctx, req, nil)
	if err != nil {
		return nil, err
	}
	p.mu.Lock()
	if res.CSeq() != nil && res.CSeq().SeqNo > p.cseq {
		p.cseq = res.CSeq().SeqNo
	}
	p.mu.Unlock()
	return res, nil
}

// accepted keeps the new entity tag and schedules the refresh.
func (p *Publication) accepted(res *sip.Response, asked int) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if tag := headerValue(res, "SIP-ETag"); tag != "" {
		p.etag = tag
	}
	if asked == 0 || p.removed {
		return
	}
	granted := asked
	if n, err := strconv.Atoi(headerValue(res, "Expires")); err == nil && n > 0 {
		granted = n
	}
	if p.timer != nil {
		p.timer.Stop()
	}
	p.timer = time.AfterFunc(refreshDelay(granted), p.refresh)
}

// refresh extends the publication; a failed refresh publishes the body anew
// (the send loop already does so on 412).
func (p *Publication) refresh() {
	select {
	case <-p.ua.quit:
		return
	default:
	}
	p.mu.Lock()
	removed := p.removed
	p.mu.Unlock()
	if removed {
		return
	}
	if err := p.send(nil, false, p.expires); err != nil {
		p.ua.log.Warn("publication refresh failed", "event", p.event, "err", err)
		p.mu.Lock()
		p.etag = ""
		b := p.body
		p.mu.Unlock()
		if err := p.send(b, true, p.expires); err != nil {
			p.ua.log.Warn("publication lost", "event", p.event, "err", err)
		}
	}
}

// refreshDelay is when a state granted for seconds is refreshed: 3/4 of
// short lifetimes, 30 s before expiry for long ones.
func refreshDelay(seconds int) time.Duration {
	d := time.Duration(seconds) * time.Second
	if d > 2*time.Minute {
		return d - 30*time.Second
	}
	return d * 3 / 4
}

// UA returns the user agent the publication belongs to.
func (p *Publication) UA() *UA { return p.ua }

// AOR returns the account's address of record (sip:user@domain).
func (ua *UA) AOR() string {
	u := ua.aor()
	return u.String()
}

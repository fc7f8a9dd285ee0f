package sipcore

import (
	"context"
	"errors"
	"fmt"
	"sync"

	"github.com/emiago/sipgo/sip"
)

// ErrTimeout is reported when a request got no final response in time.
var ErrTimeout = errors.New("timeout")

// clientTx wraps sipgo's client transaction FSM: it registers the
// transaction for response matching and pumps responses into a buffered
// channel so the inbound loop never waits on the caller.
type clientTx struct {
	layer     *txLayer
	tx        *sip.ClientTx
	key       string
	req       *sip.Request
	responses chan *sip.Response
	done      chan struct{}

	mu    sync.Mutex
	cause error
}

// startTx completes req (Via, Max-Forwards, User-Agent, extra headers) and
// sends it in a new client transaction.
func (ua *UA) startTx(req *sip.Request) (*clientTx, error) {
	ua.prepareRequest(req)
	return ua.txs.newClient(req)
}

func (ct *clientTx) pump() {
	defer func() {
		ct.layer.dropClient(ct.key)
		close(ct.done)
	}()
	for {
		select {
		case r := <-ct.tx.Responses():
			select {
			case ct.responses <- r:
			default: // nobody is reading any more: never block the inbound path
				ct.layer.log.Debug("response dropped, transaction owner gone", "tx", ct.key)
			}
		case <-ct.tx.Done():
			return
		}
	}
}

// terminate ends the transaction with a cause reported to its waiter.
func (ct *clientTx) terminate(cause error) {
	ct.mu.Lock()
	if ct.cause == nil {
		ct.cause = cause
	}
	ct.mu.Unlock()
	ct.tx.Terminate()
}

// err says why the transaction ended without a final response.
func (ct *clientTx) err() error {
	ct.mu.Lock()
	cause := ct.cause
	ct.mu.Unlock()
	if cause != nil {
		return cause
	}
	if err := ct.tx.Err(); err != nil {
		if errors.Is(err, sip.ErrTransactionTimeout) {
			return ErrTimeout
		}
		return err
	}
	return errors.New("transaction ended without response")
}

// final waits for the final response, handing provisional ones to onProv.
func (ct *clientTx) final(ctx context.Context, onProv func(*sip.Response)) (*sip.Response, error) {
	for {
		select {
		case r := <-ct.responses:
			if r.IsProvisional() {
				if onProv != nil {
					onProv(r)
				}
				continue
			}
			return r, nil
		case <-ct.done:
			// drain a response that raced with termination
			select {
			case r := <-ct.responses:
				if !r.IsProvisional() {
					return r, nil
				}
			default:
			}
			return nil, ct.err()
		case <-ctx.Done():
			ct.terminate(ctx.Err())
			return nil, ctx.Err()
		}
	}
}

// do sends req and waits for its final response, answering 401/407
// challenges (a fresh CSeq and branch for each retry).
func (ua *UA) do(ctx context.Context, req *sip.Request, onProv func(*sip.Response)) (*sip.Response, error) {
	return ua.runTx(ctx, req, newAuthenticator(ua.cfg), txHooks{provisional: onProv})
}

// doAuth is do with an authenticator that outlives the request (see runTx).
func (ua *UA) doAuth(ctx context.Context, req *sip.Request, auth *authenticator, onProv func(*sip.Response)) (*sip.Response, error) {
	return ua.runTx(ctx, req, auth, txHooks{provisional: onProv})
}

// txHooks adapt runTx to one kind of request; every field may be nil.
type txHooks struct {
	// sent sees every transaction started: the first request and each retry.
	sent func(req *sip.Request, ct *clientTx)
	// provisional receives the 1xx responses.
	provisional func(*sip.Response)
	// retransmission receives retransmitted 2xx to an INVITE (to re-ACK).
	retransmission func(*sip.Response)
	// mayRetry tells whether a final response may still lead to a retry
	// (e.g. not once the call was cancelled); nil means yes.
	mayRetry func() bool
	// next builds the retry for a final response that is not a challenge
	// (a redirect), or returns nil to end with that response.
	next func(req *sip.Request, res *sip.Response) *sip.Request
}

// maxAuthRetries bounds the challenges answered for one request.
const maxAuthRetries = 3

// runTx sends req and waits for its final response: it answers 401/407
// challenges with auth (a fresh CSeq and branch each time) and retries as
// the hooks say. The authenticator may outlive the request: one that
// remembers a challenge sends credentials up front (next nonce count), and a
// refusal of those costs no attempt. A response is returned with an error
// only when a challenge could not be answered.
func (ua *UA) runTx(ctx context.Context, req *sip.Request, auth *authenticator, h txHooks) (*sip.Response, error) {
	auth.begin()
	preauthorized := auth.preauthorize(req)
	for auths := 0; ; {
		ct, err := ua.startTx(req)
		if err != nil {
			return nil, err
		}
		if h.retransmission != nil {
			ct.tx.OnRetransmission(h.retransmission)
		}
		if h.sent != nil {
			h.sent(req, ct)
		}
		res, err := ct.final(ctx, h.provisional)
		if err != nil {
			return nil, err
		}
		if h.mayRetry != nil && !h.mayRetry() {
			return res, nil
		}
		if res.StatusCode == 401 || res.StatusCode == 407 {
			if preauthorized {
				preauthorized = false
				auth.forget()
			}
			if auths >= maxAuthRetries {
				return res, nil
			}
			auths++
			next, ok, aerr := auth.authorize(req, res)
			if aerr != nil {
				return res, fmt.Errorf("authentication: %w", aerr)
			}
			if !ok {
				return res, nil
			}
			req = next
			continue
		}
		if h.next != nil {
			if next := h.next(req, res); next != nil {
				req = next
				continue
			}
		}
		return res, nil
	}
}

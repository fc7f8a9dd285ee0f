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
	ua        *UA
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
	key, err := sip.ClientTxKeyMake(req)
	if err != nil {
		return nil, err
	}
	ct := &clientTx{
		ua:        ua,
		key:       key,
		req:       req,
		tx:        sip.NewClientTx(key, req, ua.conn, ua.log),
		responses: make(chan *sip.Response, 32),
		done:      make(chan struct{}),
	}
	ua.mu.Lock()
	ua.clientTxs[key] = ct
	ua.mu.Unlock()
	if err := ct.tx.Init(); err != nil {
		ua.dropClientTx(key)
		return nil, err
	}
	go ct.pump()
	return ct, nil
}

func (ct *clientTx) pump() {
	defer func() {
		ct.ua.dropClientTx(ct.key)
		close(ct.done)
	}()
	for {
		select {
		case r := <-ct.tx.Responses():
			select {
			case ct.responses <- r:
			default: // nobody is reading any more: never block the inbound path
				ct.ua.log.Debug("response dropped, transaction owner gone", "tx", ct.key)
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

func (ua *UA) dropClientTx(key string) {
	ua.mu.Lock()
	delete(ua.clientTxs, key)
	ua.mu.Unlock()
}

// terminateTransactions ends every transaction, e.g. when the flow dies.
func (ua *UA) terminateTransactions(cause error) {
	ua.mu.Lock()
	cts := make([]*clientTx, 0, len(ua.clientTxs))
	for _, ct := range ua.clientTxs {
		cts = append(cts, ct)
	}
	sts := make([]*sip.ServerTx, 0, len(ua.serverTxs))
	for _, st := range ua.serverTxs {
		sts = append(sts, st)
	}
	ua.mu.Unlock()
	for _, ct := range cts {
		ct.terminate(cause)
	}
	for _, st := range sts {
		st.Terminate()
	}
}

// do sends req and waits for its final response, answering 401/407
// challenges (a fresh CSeq and branch for each retry).
func (ua *UA) do(ctx context.Context, req *sip.Request, onProv func(*sip.Response)) (*sip.Response, error) {
	return ua.doAuth(ctx, req, newAuthenticator(ua.cfg), onProv)
}

// doAuth is do with an authenticator that may outlive the request: one that
// remembers a challenge sends credentials up front (next nonce count), and a
// refusal of those costs no attempt.
func (ua *UA) doAuth(ctx context.Context, req *sip.Request, auth *authenticator, onProv func(*sip.Response)) (*sip.Response, error) {
	auth.begin()
	preauthorized := auth.preauthorize(req)
	for attempt := 0; ; attempt++ {
		ct, err := ua.startTx(req)
		if err != nil {
			return nil, err
		}
		res, err := ct.final(ctx, onProv)
		if err != nil {
			return nil, err
		}
		if (res.StatusCode == 401 || res.StatusCode == 407) && preauthorized {
			preauthorized = false
			auth.forget()
		}
		if (res.StatusCode == 401 || res.StatusCode == 407) && attempt < 3 {
			next, ok, aerr := auth.authorize(req, res)
			if aerr != nil {
				return res, fmt.Errorf("authentication: %w", aerr)
			}
			if ok {
				req = next
				continue
			}
		}
		return res, nil
	}
}

package sipcore

import (
	"fmt"
	"log/slog"
	"sync"

	"github.com/emiago/sipgo/sip"
)

// txLayer is the UA's transaction layer, over sipgo's transaction state
// machines: it holds the client transactions by key, the server
// transactions by key and the INVITE server transactions by Via branch (for
// CANCEL); it matches a received message to its transaction, creates server
// transactions and ends them all when the flow goes. A message for a
// transaction is handed over on that transaction's worker (work), never on
// the read loop. Its lock guards only its maps.
type txLayer struct {
	conn sip.Connection // writes through the UA's current flow
	log  *slog.Logger
	work *serialExecutor // responses and retransmissions, one worker per transaction

	mu      sync.Mutex
	clients map[string]*clientTx
	servers map[string]*sip.ServerTx
	invites map[string]*sip.ServerTx // INVITE server transactions by branch
}

func newTxLayer(conn sip.Connection, log *slog.Logger, onPanic func(v any)) *txLayer {
	return &txLayer{
		conn:    conn,
		log:     log,
		work:    newSerialExecutor(txQueueLimit, onPanic),
		clients: map[string]*clientTx{},
		servers: map[string]*sip.ServerTx{},
		invites: map[string]*sip.ServerTx{},
	}
}

// newClient sends a complete request in a new client transaction, which
// stays registered for response matching until it ends.
func (l *txLayer) newClient(req *sip.Request) (*clientTx, error) {
	key, err := sip.ClientTxKeyMake(req)
	if err != nil {
		return nil, err
	}
	ct := &clientTx{
		layer:     l,
		key:       key,
		req:       req,
		tx:        sip.NewClientTx(key, req, l.conn, l.log),
		responses: make(chan *sip.Response, 32),
		done:      make(chan struct{}),
	}
	l.mu.Lock()
	l.clients[key] = ct
	l.mu.Unlock()
	if err := ct.tx.Init(); err != nil {
		l.dropClient(key)
		return nil, err
	}
	go ct.pump()
	return ct, nil
}

func (l *txLayer) dropClient(key string) {
	l.mu.Lock()
	delete(l.clients, key)
	l.mu.Unlock()
}

// receiveResponse hands a response to its client transaction, on the
// transaction's worker: sipgo's ClientTx.Receive may wait (up to T2 for a
// retransmitted final response to INVITE), which must not hold up the read
// loop. Responses of one transaction keep their order. A response no live
// transaction matches goes to stray, on the same worker.
func (l *txLayer) receiveResponse(res *sip.Response, stray func(*sip.Response)) {
	key, err := sip.ClientTxKeyMake(res)
	if err != nil {
		return
	}
	ok := l.work.submit("client "+key, func() {
		l.mu.Lock()
		ct := l.clients[key]
		l.mu.Unlock()
		if ct != nil {
			ct.tx.Receive(res)
			return
		}
		stray(res)
	})
	if !ok {
		l.log.Warn("response queue of a transaction full, response dropped", "tx", key)
	}
}

// server returns the live server transaction with this key, or nil.
func (l *txLayer) server(key string) *sip.ServerTx {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.servers[key]
}

// receiveRetransmission hands a request to the server transaction it
// repeats, on that transaction's worker (the transaction answers it again).
// False when no transaction has this key: the request is new.
func (l *txLayer) receiveRetransmission(key string, req *sip.Request) bool {
	tx := l.server(key)
	if tx == nil {
		return false
	}
	if !l.work.submit("server "+key, func() { _ = tx.Receive(req) }) {
		l.log.Warn("retransmission dropped, transaction busy", "tx", key)
	}
	return true
}

// newServer creates the server transaction of a new request; it leaves the
// layer when it terminates.
func (l *txLayer) newServer(key string, req *sip.Request) (*sip.ServerTx, error) {
	tx := sip.NewServerTx(key, req, l.conn, l.log)
	if err := tx.Init(); err != nil {
		return nil, fmt.Errorf("server transaction: %w", err)
	}
	branch := viaBranch(req)
	l.mu.Lock()
	l.servers[key] = tx
	if req.IsInvite() && branch != "" {
		l.invites[branch] = tx
	}
	l.mu.Unlock()
	tx.OnTerminate(func(string, error) {
		l.mu.Lock()
		delete(l.servers, key)
		if l.invites[branch] == tx {
			delete(l.invites, branch)
		}
		l.mu.Unlock()
	})
	return tx, nil
}

// inviteFor returns the live INVITE server transaction a CANCEL with this
// Via branch cancels, or nil.
func (l *txLayer) inviteFor(branch string) *sip.ServerTx {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.invites[branch]
}

// anyServer tells whether match holds for a live server transaction (its
// key and the request that started it).
func (l *txLayer) anyServer(match func(key string, origin *sip.Request) bool) bool {
	l.mu.Lock()
	defer l.mu.Unlock()
	for k, tx := range l.servers {
		if match(k, tx.Origin()) {
			return true
		}
	}
	return false
}

// terminateAll ends every transaction, e.g. when the flow dies; a client
// transaction's waiter gets cause.
func (l *txLayer) terminateAll(cause error) {
	l.mu.Lock()
	cts := make([]*clientTx, 0, len(l.clients))
	for _, ct := range l.clients {
		cts = append(cts, ct)
	}
	sts := make([]*sip.ServerTx, 0, len(l.servers))
	for _, st := range l.servers {
		sts = append(sts, st)
	}
	l.mu.Unlock()
	for _, ct := range cts {
		ct.terminate(cause)
	}
	for _, st := range sts {
		st.Terminate()
	}
}

package sipcore

import "sync"

// transferTable keeps the state of call transfers (RFC 3515, 3891) apart
// from the calls: the REFERs we sent that wait for their NOTIFYs, the
// NOTIFY senders of REFERs we accepted, and the calls an INVITE with
// Replaces took over. Keyed by Call-ID; it has its own lock.
type transferTable struct {
	mu        sync.Mutex
	watches   map[string]*referWatch    // REFER sent: its progress NOTIFYs
	notifiers map[string]*referNotifier // REFER received: our NOTIFYs
	replaced  map[string]*Call          // new Call-ID -> the call it replaces
}

func newTransferTable() *transferTable {
	return &transferTable{watches: map[string]*referWatch{}, notifiers: map[string]*referNotifier{},
		replaced: map[string]*Call{}}
}

// maxReplaced bounds the remembered Replaces pairs.
const maxReplaced = 64

// forgetEnded drops the transfer state of calls that ended (a REFER whose
// NOTIFYs never came, an accepted one never reported to the end), so the
// table holds live calls only. Called when a new transfer starts.
func (x *transferTable) forgetEnded() {
	x.mu.Lock()
	defer x.mu.Unlock()
	for id, w := range x.watches {
		if w.c.isEnded() {
			delete(x.watches, id)
		}
	}
	for id, n := range x.notifiers {
		if n.c.isEnded() {
			delete(x.notifiers, id)
		}
	}
}

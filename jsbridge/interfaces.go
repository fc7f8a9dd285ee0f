//go:build js && wasm

package jsbridge

import (
	"github.com/opensoftphone/webphone/engine"
	"github.com/opensoftphone/webphone/sipcore"
)

// What jsbridge supplies to the engine, checked at compile time.
var (
	_ sipcore.Transport   = (*wsTransport)(nil)
	_ sipcore.Dialer      = NewWSDialer(WSDialerOptions{})
	_ engine.Media        = (*PeerMedia)(nil)
	_ engine.MediaFactory = (*MediaRegistry)(nil).Factory
	_ engine.Storage      = (*LocalStorage)(nil)
	_ engine.EmitFunc     = NewEmitter(DispatcherName)
)

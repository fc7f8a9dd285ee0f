//go:build js && wasm

package jsbridge

import (
	"context"
	"fmt"
	"strings"

	"github.com/opensoftphone/webphone/rtprelay"
)

// RelayProtocol is the WebSocket subprotocol of the RTP relay
// (docs/rtprelay.md).
const RelayProtocol = "webphone-rtp"

// relaySocket is an rtprelay.Socket over one browser WebSocket: text
// frames carry the relay's JSON control messages, binary frames packets,
// handed to the Client in order.
type relaySocket struct {
	sock *browserSocket
}

// DialRelay connects to the RTP relay at url, says hello with token and
// waits until admitted, all bounded by ctx. It must run on a goroutine.
func DialRelay(ctx context.Context, url, token string) (*rtprelay.Client, error) {
	lower := strings.ToLower(url)
	if !strings.HasPrefix(lower, "ws://") && !strings.HasPrefix(lower, "wss://") {
		return nil, fmt.Errorf("relay address must start with ws:// or wss://, got %q", url)
	}
	ctor, err := global("WebSocket")
	if err != nil {
		return nil, err
	}
	sock, err := openBrowserSocket(ctx, ctor, url, []string{RelayProtocol}, func(s *browserSocket, binary bool, data []byte) {
		s.push(socketEvent{binary: binary, data: data})
	})
	if err != nil {
		return nil, fmt.Errorf("cannot connect to %s: %w", url, err)
	}
	c := rtprelay.NewClient(relaySocket{sock}, token)
	go sock.deliver(c.Receive, c.Closed)
	if err := c.Ready(ctx); err != nil {
		_ = c.Close()
		return nil, fmt.Errorf("relay %s did not admit the page: %w", url, err)
	}
	return c, nil
}

// Send writes one frame (rtprelay.Socket).
func (r relaySocket) Send(binary bool, data []byte) error {
	if err := r.sock.send(binary, data); err != nil {
		return fmt.Errorf("relay %w", err)
	}
	return nil
}

// Close closes the WebSocket (rtprelay.Socket); the close event ends the
// client.
func (r relaySocket) Close() error { return r.sock.close() }

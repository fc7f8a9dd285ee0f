package nettransport

import (
	"context"
	"errors"
	"net"
	"strings"

	"github.com/opensoftphone/webphone/sipcore"
)

// UDP is a SIP-over-UDP flow to one server (outbound proxy / registrar).
type UDP struct {
	conn   *net.UDPConn
	server *net.UDPAddr
	closed chan struct{}
}

// DialUDP is a sipcore.Dialer for "udp:host:port" addresses. It binds an
// ephemeral port on the interface that reaches the server.
func DialUDP(ctx context.Context, address string, r sipcore.Receiver) (sipcore.Transport, error) {
	hostport := strings.TrimPrefix(strings.TrimPrefix(address, "udp:"), "sip:")
	server, err := net.ResolveUDPAddr("udp", hostport)
	if err != nil {
		return nil, err
	}
	local := &net.UDPAddr{IP: net.IPv4(127, 0, 0, 1)}
	if !server.IP.IsLoopback() {
		local = &net.UDPAddr{}
	}
	conn, err := net.ListenUDP("udp", local)
	if err != nil {
		return nil, err
	}
	u := &UDP{conn: conn, server: server, closed: make(chan struct{})}
	go u.readLoop(r)
	return u, nil
}

func (u *UDP) readLoop(r sipcore.Receiver) {
	buf := make([]byte, 65535)
	for {
		n, _, err := u.conn.ReadFromUDP(buf)
		if err != nil {
			select {
			case <-u.closed:
				r.Closed(errors.New("closed locally"))
			default:
				r.Closed(err)
			}
			return
		}
		r.Received(buf[:n])
	}
}

// Send writes one datagram to the server.
func (u *UDP) Send(data []byte) error {
	_, err := u.conn.WriteToUDP(data, u.server)
	return err
}

func (u *UDP) Protocol() string { return "UDP" }

// LocalHost is the bound ip:port, advertised in Via and Contact.
func (u *UDP) LocalHost() string { return u.conn.LocalAddr().String() }

// Close closes the socket.
func (u *UDP) Close() error {
	select {
	case <-u.closed:
		return nil
	default:
		close(u.closed)
	}
	return u.conn.Close()
}

// Dial chooses the transport from the address scheme (ws://, wss://, udp:).
func Dial(ctx context.Context, address string, r sipcore.Receiver) (sipcore.Transport, error) {
	a := strings.ToLower(address)
	if strings.HasPrefix(a, "ws://") || strings.HasPrefix(a, "wss://") {
		return DialWebSocket(ctx, address, r)
	}
	return DialUDP(ctx, address, r)
}

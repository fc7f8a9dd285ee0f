// Package rtprelay carries RTP and RTCP over a WebSocket between a page (which
// cannot open UDP sockets) and a relay that owns a UDP port pair per call.
//
// The client side (Client, Stream and the frame codec) is pure Go and builds
// for js/wasm: the page's WebSocket is a Socket, and a Stream's RTP() and
// RTCP() are net.PacketConns for mediacore. The server side (Server) is the
// relay: it admits connections (Admission), allocates ports from a PortPool,
// forwards both ways only to destinations a Policy allows, bounds streams,
// packet rates and frame sizes per connection, and frees everything when a
// stream is freed, goes idle or its connection ends.
//
// The server side (and the native DialWebSocket) builds only natively, so
// the wasm build of the client imports neither net/http nor gobwas/ws.
//
// The protocol is described in docs/rtprelay.md.
package rtprelay

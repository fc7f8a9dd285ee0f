// Package nettransport provides sipcore transports over the host's network
// for native Go programs and tests: SIP over WebSocket (RFC 7118, the "sip"
// subprotocol, one message per frame) and SIP over UDP. The browser build
// uses jsbridge's WebSocket transport instead.
package nettransport

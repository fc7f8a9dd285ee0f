// Package sipcore is a SIP user agent in pure Go: transactions, registration,
// dialogs ("lines"), in-dialog requests, MESSAGE, INFO DTMF and subscriptions.
//
// It never touches the network or JavaScript itself. It exchanges whole SIP
// messages with a Transport (one SIP message per WebSocket message, RFC 7118),
// so the same engine runs natively under `go test` and in the browser, where
// jsbridge supplies a Transport over the browser's WebSocket. Messages, the
// parser, headers and the transaction state machines come from
// github.com/emiago/sipgo/sip.
//
// SDP is carried as opaque bytes: the media layer decides its content.
package sipcore

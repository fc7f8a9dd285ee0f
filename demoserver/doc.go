// Package demoserver is the embedded development SIP server behind
// `webphone-demo`: one process that serves the www/ folder over HTTP, accepts
// SIP over WebSocket (RFC 7118) on the same port and SIP over UDP, and acts as
// a registrar (digest auth) and a record-routing stateful proxy between the
// registered users. It is built on sipgo's server side (transport and
// transaction layers) and is a development default, not a production server:
// bindings, nonces and flows live in memory only.
//
// Routing model:
//   - REGISTER is answered locally (401 challenge, 403 on a wrong password,
//     200 with every current Contact and its expires).
//   - Every binding and every Contact seen in proxied traffic is remembered
//     together with the flow (transport + remote address) it arrived on, so
//     WebSocket clients with RFC 7118 ".invalid" Contact hosts are reached
//     over the connection they used, never by resolving the Contact host.
//   - Out-of-dialog requests to user@domain are forked in parallel to every
//     binding of the user (first 2xx wins, the other branches are canceled,
//     otherwise the best final response is returned), with Record-Route (two
//     entries when the transports differ, RFC 5658) so in-dialog requests
//     come back through the proxy.
//   - INVITE, MESSAGE, SUBSCRIBE... from a flow on which the From user holds
//     a live registration are trusted (that is how browser tabs call: their
//     WebSocket was authenticated by REGISTER); other callers get a 407
//     digest challenge and must authenticate as the From user. OPTIONS to a
//     user is never challenged; OPTIONS to the server itself gets 200.
//   - In-dialog requests (Route headers pointing at this server, or a To tag)
//     are sent to the flow that owns the Request-URI.
//   - A small presence agent (presence.go) answers PUBLISH and the SUBSCRIBEs
//     for presence and dialog (busy lamps) of its users, with dialog state
//     taken from the calls it relays; Options.PlainProxy leaves it out.
//   - The RTP relay (rtprelay.go, docs/rtprelay.md) is served at /rtp: the
//     REGISTER 200 OK carries X-Webphone-Relay-Token, which admits the page,
//     and the page may send only to media addresses the SDP of its user's
//     relayed calls named (mediabook.go); Options.NoRelay leaves it out.
package demoserver

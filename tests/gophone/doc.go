// Package gophone is a native Go phone for end-to-end tests: a sipcore user
// agent (over UDP or WebSocket) with one mediacore Session per call, sending
// real RTP on 127.0.0.1. Its tests prove it against the real Kamailio and
// baresip: tones both ways, RFC 4733 digits both ways, re-INVITEs answered by
// the media session, and a hang-up from each side.
package gophone

// Package eventbody reads and writes the bodies of the SIP event packages the
// phone uses: PIDF presence documents (RFC 3863, with the RPID activities of
// RFC 4480), dialog-info for busy lamps (RFC 4235) and message-summary for
// voicemail (RFC 3842). It is pure Go on encoding/xml; any input, however
// malformed, gives a value or an error, never a panic. Documents are read
// into a small element tree over the encoding/xml tokenizer (xmltree.go),
// not with its reflection decoder, which costs the wasm build far more.
package eventbody

// MaxBody is the largest body the parsers read; a longer one is refused.
const MaxBody = 64 << 10

package engine

import "context"

// Media is one call's media, supplied by the platform (RTCPeerConnection in
// the browser, a mediacore session natively). The engine calls it from its
// own goroutines. Offer, Answer and SetRemoteAnswer may block (ICE
// gathering, a Promise): the engine waits at most Options.MediaTimeout and
// cancels ctx then, and goes on without the result even if the call does
// not return. Mute, SendDTMF and Close must return at once.
type Media interface {
	// Offer creates a local SDP offer. hold is "", "sendonly" or "inactive".
	Offer(ctx context.Context, hold string) ([]byte, error)
	// Answer answers a remote offer. hold as for Offer.
	Answer(ctx context.Context, remoteOffer []byte, hold string) ([]byte, error)
	// SetRemoteAnswer applies the peer's answer to our last offer.
	SetRemoteAnswer(ctx context.Context, sdp []byte) error
	// Mute silences a direction without renegotiation, with the Mizu
	// directions: 0 both, 1 what the user hears (speaker), 2 the microphone.
	Mute(direction int, on bool) error
	// SendDTMF sends digits as RFC 4733 telephone events.
	SendDTMF(digits string) error
	// Close releases the media.
	Close()
}

// MediaFactory creates the media of one call on the given line. params gives
// access to the media parameters (codec, prefcodec, ice, stunserveraddress,
// turnserveraddress, turnusername, turnpassword, icetimeout, ...).
type MediaFactory func(line int, params *Params) (Media, error)

package sipcore

import (
	"errors"
	"strings"
)

// MaxCallIDLen bounds a Call-ID the application chooses.
const MaxCallIDLen = 256

// ErrBadCallID is returned for a Call-ID that is empty, too long, has
// characters outside RFC 3261's word set, or is already in use.
var ErrBadCallID = errors.New("sipcore: unusable Call-ID")

// callIDChars are the characters of an RFC 3261 "word" we accept (the
// quote, backslash and angle brackets are left out), plus one "@".
const callIDChars = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-.!%*_+`'~():/[]?{}@"

// ValidCallID tells whether id can be used as a Call-ID (RFC 3261 25.1:
// word ["@" word]).
func ValidCallID(id string) bool {
	if id == "" || len(id) > MaxCallIDLen || strings.Count(id, "@") > 1 ||
		strings.HasPrefix(id, "@") || strings.HasSuffix(id, "@") {
		return false
	}
	for _, r := range id {
		if !strings.ContainsRune(callIDChars, r) {
			return false
		}
	}
	return true
}

// NewCallWithID is NewCall with a Call-ID chosen by the application
// (nextcallid); "" generates one. It fails with ErrBadCallID when the
// Call-ID is not valid or belongs to a live call.
func (ua *UA) NewCallWithID(target, callID string, hdrs ...Header) (*Call, error) {
	if callID == "" {
		return ua.NewCall(target, hdrs...)
	}
	if !ValidCallID(callID) || ua.callFor(callID) != nil {
		return nil, ErrBadCallID
	}
	return ua.newOutgoingCall(target, callID, hdrs)
}

// NewCallIDString returns a fresh random Call-ID.
func NewCallIDString() string { return newCallID() }

package sipcore

// Option tags (RFC 3261 19.2) we advertise.

// supportedTags is the Supported header of requests we send (100rel: we
// acknowledge reliable provisional responses with PRACK, prack.go).
const supportedTags = "outbound, replaces, timer, 100rel"

// supportedUASTags is the Supported header of our answers (OPTIONS, 2xx to
// INVITE): the tags a request may Require of us (sanity.go).
const supportedUASTags = "outbound, path, replaces, timer, 100rel"

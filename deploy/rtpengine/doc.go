// Package rtpengine holds the rtpengine configuration shipped for servers
// (rtpengine.conf): the settings the end-to-end tests run rtpengine with.
// Its test starts rtpengine with that file and has it turn a plain RTP offer
// into a WebRTC one with the flags the Kamailio configuration uses toward a
// browser. The guide is docs/servers/kamailio.md.
package rtpengine

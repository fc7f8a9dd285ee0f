// Package sipua holds the integration tests of sipcore against real SIP
// servers: the embedded demo server, Kamailio over WebSocket with digest
// authentication, and baresip as a far-end phone.
package sipua

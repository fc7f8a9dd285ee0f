// Package coturn holds the coturn TURN server configuration shipped for
// servers (turnserver.conf); its test runs coturn with that file and asks it
// for a TURN allocation with the configured credentials. The guide is
// docs/servers/coturn.md.
package coturn

package main

import (
	"errors"
	"fmt"
	"net"
	"strconv"
	"strings"
	"syscall"
)

// busyHint explains a listen error caused by a port in use and names the
// flag that chooses another one; "" for any other error.
func busyHint(err error, addr, udp string) string {
	if !errors.Is(err, syscall.EADDRINUSE) {
		return ""
	}
	if strings.Contains(err.Error(), "listen udp") {
		return fmt.Sprintf("the SIP/UDP port %s is in use (another SIP program, or another webphone-demo).\n"+
			"Choose another with -udp %s, or turn SIP over UDP off with -udp \"\" (browsers need only -addr).",
			udp, nextPort(udp, "127.0.0.1:5070"))
	}
	return fmt.Sprintf("the address %s is in use (another webphone-demo, or another web server).\n"+
		"Choose another with -addr %s.", addr, nextPort(addr, "127.0.0.1:8081"))
}

// nextPort is addr with the port one higher, or def when addr has none.
func nextPort(addr, def string) string {
	host, port, err := net.SplitHostPort(addr)
	n, perr := strconv.Atoi(port)
	if err != nil || perr != nil || n <= 0 || n >= 65535 {
		return def
	}
	return net.JoinHostPort(host, strconv.Itoa(n+1))
}

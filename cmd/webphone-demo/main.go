// Command webphone-demo runs the embedded development SIP server: it serves
// the www/ folder, accepts SIP over WebSocket on the same port and SIP over
// UDP, and registers/connects the demo accounts, so two browser tabs can call
// each other with no other software.
//
//	go run ./cmd/webphone-demo            # then open the printed URL twice
//	go run ./cmd/webphone-demo -addr 0.0.0.0:8080 -accounts users.txt
//	go run ./cmd/webphone-demo -addr 127.0.0.1:8081 -udp ""   # ports in use: others, no SIP/UDP
package main

import (
	"context"
	"flag"
	"fmt"
	"log/slog"
	"net/url"
	"os"
	"os/signal"
	"path/filepath"
	"sort"
	"syscall"

	"github.com/emiago/sipgo/sip"
	"github.com/opensoftphone/webphone/demoserver"
	"github.com/opensoftphone/webphone/rtprelay"
)

func main() {
	addr := flag.String("addr", "127.0.0.1:8080", "HTTP and SIP-over-WebSocket listen address")
	udp := flag.String("udp", "127.0.0.1:5060", "SIP/UDP listen address (empty disables)")
	www := flag.String("www", "./www", "static folder to serve")
	accountsFile := flag.String("accounts", "", "accounts file, one user:password per line (default: built-in demo accounts)")
	realm := flag.String("realm", "", "digest realm (default: the SIP domain)")
	domain := flag.String("domain", "", "SIP domain (default: the listen IP)")
	relayPorts := flag.String("rtp-ports", "40000-40999", "UDP port range of the built-in RTP relay (pairs: even RTP port, RTCP port+1)")
	relayPublic := flag.String("rtp-public", "", "IP the RTP relay announces in SDP (default: the IP of -addr, loopback by default)")
	noRelay := flag.Bool("no-relay", false, "leave out the RTP relay (ws://.../rtp)")
	verbose := flag.Bool("v", false, "verbose logging")
	trace := flag.Bool("trace", false, "log every SIP message sent and received")
	flag.Parse()

	level := slog.LevelInfo
	if *verbose {
		level = slog.LevelDebug
	}
	if *trace {
		level = slog.LevelDebug
		sip.SIPDebug = true
	}
	log := slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: level}))
	if *verbose || *trace {
		slog.SetDefault(log) // sipgo traces through slog.Default
	} else {
		// sipgo also logs connection details through slog.Default; keep
		// only its errors on the demo console.
		slog.SetDefault(slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelError})))
	}
	// Browser SDP offers (ICE candidates, fingerprints) exceed sipgo's default
	// 1300-byte UDP limit; there is no TCP here, so allow large datagrams
	// (IP fragmentation carries them on a LAN).
	sip.UDPMTUSize = 65000

	accounts := demoserver.DefaultAccounts()
	if *accountsFile != "" {
		var err error
		if accounts, err = demoserver.LoadAccounts(*accountsFile); err != nil {
			fmt.Fprintln(os.Stderr, "webphone-demo:", err)
			os.Exit(2)
		}
	}
	if st, err := os.Stat(*www); err != nil || !st.IsDir() {
		fmt.Fprintf(os.Stderr, "webphone-demo: warning: static folder %q not found; only SIP will be served\n", *www)
		*www = ""
	}

	ports, err := rtprelay.ParsePortRange(*relayPorts)
	if err != nil && !*noRelay {
		fmt.Fprintln(os.Stderr, "webphone-demo: -rtp-ports:", err)
		os.Exit(2)
	}
	srv, err := demoserver.New(demoserver.Options{
		Addr: *addr, UDPAddr: *udp, WWWDir: *www, Realm: *realm, Domain: *domain,
		Accounts: accounts, Logger: log,
		RelayPorts: ports, RelayPublicIP: *relayPublic, NoRelay: *noRelay,
	})
	if err != nil {
		fmt.Fprintln(os.Stderr, "webphone-demo:", err)
		os.Exit(2)
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := srv.Start(ctx); err != nil {
		fmt.Fprintln(os.Stderr, "webphone-demo:", err)
		if hint := busyHint(err, *addr, *udp); hint != "" {
			fmt.Fprintln(os.Stderr, "webphone-demo:", hint)
		}
		os.Exit(1)
	}

	printWelcome(srv, *www, accounts)

	<-ctx.Done()
	srv.Close()
}

// printWelcome prints what to open and the accounts to use.
func printWelcome(srv *demoserver.Server, www string, accounts map[string]string) {
	users := make([]string, 0, len(accounts))
	for u := range accounts {
		users = append(users, u)
	}
	sort.Strings(users)

	if st, err := os.Stat(filepath.Join(www, "softphone.html")); www != "" && err == nil && !st.IsDir() {
		pair := users[:min(2, len(users))]
		fmt.Printf("\nOpen %s for the demo accounts, the skins and the examples,\n", srv.HTTPURL())
		fmt.Printf("or these two pages (two tabs or two browsers), then call %s from the first:\n", pair[len(pair)-1])
		for _, u := range pair {
			q := url.Values{}
			q.Set("wp_profile", u)
			q.Set("wp_serveraddress", srv.Domain())
			q.Set("wp_webrtcserveraddress", srv.WSURL())
			q.Set("wp_username", u)
			q.Set("wp_password", accounts[u])
			fmt.Printf("  %ssoftphone.html?%s\n", srv.HTTPURL(), q.Encode())
		}
	} else {
		fmt.Printf("\nOpen %s in two browser tabs.\n", srv.HTTPURL())
	}
	fmt.Printf("\n  SIP over WebSocket: %s\n", srv.WSURL())
	if u := srv.UDPAddr(); u != "" {
		fmt.Printf("  SIP over UDP:       %s (desk phones, baresip)\n", u)
	}
	if u := srv.RelayURL(); u != "" {
		fmt.Printf("  RTP relay:          %s (RTP over WebSocket, docs/rtprelay.md)\n", u)
	}
	fmt.Printf("  SIP domain:         %s   realm: %s\n\nAccounts (user / password):\n", srv.Domain(), srv.Realm())
	for _, u := range users {
		fmt.Printf("  %-10s %s   (sip:%s@%s)\n", u, accounts[u], u, srv.Domain())
	}
	fmt.Println("\nPress Ctrl+C to stop.")
}

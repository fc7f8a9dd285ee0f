// Command webphone-rtprelay is the standalone RTP-over-WebSocket relay, to
// run beside any SIP server (docs/rtprelay.md): pages send their RTP and
// RTCP over ws://HOST:PORT/rtp and the relay forwards them over UDP from a
// port pair per call. It sees no SIP, so it admits pages by a shared secret
// and/or their Origin, and sends only into the -allow networks.
//
//	webphone-rtprelay -listen 0.0.0.0:8090 -public 203.0.113.5 -ports 40000-40999 \
//	    -secret S -origin https://pbx.example.com -allow 192.0.2.0/24
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/netip"
	"os"
	"os/signal"
	"strings"
	"syscall"
	"time"

	"github.com/opensoftphone/webphone/rtprelay"
)

// options are the command line.
type options struct {
	listen, public, ports, secret, origins, allow string
	streams, rate                                 int
	idle                                          time.Duration
	verbose                                       bool
}

func parseFlags(args []string, stderr io.Writer) (options, error) {
	var o options
	fs := flag.NewFlagSet("webphone-rtprelay", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.StringVar(&o.listen, "listen", "127.0.0.1:8090", "HTTP/WebSocket listen address (the relay is at /rtp)")
	fs.StringVar(&o.public, "public", "", "IP announced for SDP (default: the -listen IP; required when that is unspecified)")
	fs.StringVar(&o.ports, "ports", "40000-40999", "UDP port range (pairs: even RTP port, RTCP port+1)")
	fs.StringVar(&o.secret, "secret", "", "token pages must present in their hello")
	fs.StringVar(&o.origins, "origin", "", "comma-separated page origins admitted (e.g. https://pbx.example.com)")
	fs.StringVar(&o.allow, "allow", "", "comma-separated networks (CIDR) the relay may send to, e.g. the PBX and trunk media ranges (required)")
	fs.IntVar(&o.streams, "streams", 4, "streams per connection")
	fs.IntVar(&o.rate, "rate", 200, "packets per second per stream and direction")
	fs.DurationVar(&o.idle, "idle", 3*time.Minute, "free a stream after this long without packets (longer than calls ring)")
	fs.BoolVar(&o.verbose, "v", false, "verbose logging")
	return o, fs.Parse(args)
}

// config turns the options into the relay's configuration; it refuses an
// open relay (no secret and no origin, or no -allow).
func (o options) config(log *slog.Logger) (rtprelay.Config, error) {
	var cfg rtprelay.Config
	if o.secret == "" && o.origins == "" {
		return cfg, errors.New("set -secret and/or -origin: the relay admits nobody otherwise")
	}
	nets, err := rtprelay.ParseNetworks(o.allow)
	if err != nil {
		return cfg, fmt.Errorf("-allow: %w", err)
	}
	if len(nets) == 0 {
		return cfg, errors.New("set -allow: the networks the relay may send to")
	}
	ports, err := rtprelay.ParsePortRange(o.ports)
	if err != nil {
		return cfg, fmt.Errorf("-ports: %w", err)
	}
	public := o.public
	if public == "" {
		host, _, err := net.SplitHostPort(o.listen)
		if err != nil {
			return cfg, fmt.Errorf("-listen: %w", err)
		}
		public = host
	}
	ip, err := netip.ParseAddr(public)
	if err != nil || ip.IsUnspecified() {
		return cfg, fmt.Errorf("-public: %q is not an address peers can reach", public)
	}
	var origins []string
	for _, o := range strings.Split(o.origins, ",") {
		if o = strings.TrimSpace(o); o != "" {
			origins = append(origins, o)
		}
	}
	return rtprelay.Config{
		PublicIP:    ip.Unmap(),
		Ports:       ports,
		Admission:   rtprelay.SecretOrOrigin{Secret: o.secret, Origins: origins, Policy: nets},
		MaxStreams:  o.streams,
		MaxRate:     o.rate,
		IdleTimeout: o.idle,
		Logger:      log,
	}, nil
}

func main() {
	o, err := parseFlags(os.Args[1:], os.Stderr)
	if err != nil {
		os.Exit(2)
	}
	level := slog.LevelInfo
	if o.verbose {
		level = slog.LevelDebug
	}
	log := slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: level}))
	cfg, err := o.config(log)
	if err != nil {
		fmt.Fprintln(os.Stderr, "webphone-rtprelay:", err)
		os.Exit(2)
	}
	relay, err := rtprelay.NewServer(cfg)
	if err != nil {
		fmt.Fprintln(os.Stderr, "webphone-rtprelay:", err)
		os.Exit(2)
	}
	ln, err := net.Listen("tcp", o.listen)
	if err != nil {
		fmt.Fprintln(os.Stderr, "webphone-rtprelay:", err)
		os.Exit(1)
	}
	mux := http.NewServeMux()
	mux.Handle("/rtp", relay)
	hs := &http.Server{Handler: mux, ReadHeaderTimeout: 10 * time.Second}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	go func() {
		<-ctx.Done()
		_ = hs.Close()
		_ = relay.Close()
	}()
	log.Info("RTP relay listening", "url", "ws://"+ln.Addr().String()+"/rtp", "public", cfg.PublicIP, "ports", o.ports, "allow", o.allow)
	if err := hs.Serve(ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
		fmt.Fprintln(os.Stderr, "webphone-rtprelay:", err)
		os.Exit(1)
	}
}

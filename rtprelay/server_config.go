//go:build !js

package rtprelay

import (
	"errors"
	"log/slog"
	"net/netip"
	"time"
)

// Config configures a Server. Zero fields take the defaults noted.
type Config struct {
	// PublicIP is the address the allocations announce (what the SDP
	// carries). Required.
	PublicIP netip.Addr
	// BindIP is where the UDP ports are bound; zero = 127.0.0.1 when
	// PublicIP is a loopback address, else all interfaces.
	BindIP netip.Addr
	// Ports is the UDP port range (pairs: even RTP port, RTCP port+1).
	Ports PortRange
	// Admission admits connections. Required.
	Admission Admission
	// MaxStreams bounds the streams of one connection (4).
	MaxStreams int
	// MaxRate bounds the packets per second of one stream in each direction
	// (200); packets over it are dropped.
	MaxRate int
	// IdleTimeout frees a stream with no packet either way for this long (3
	// min: longer than a call rings, since no packet flows before the answer).
	IdleTimeout time.Duration
	// MaxJunk is how many bad frames a connection may send before it is
	// closed (50).
	MaxJunk int
	// HelloTimeout bounds the wait for the hello (10 s, real time).
	HelloTimeout time.Duration
	// WriteTimeout bounds a write to the WebSocket (5 s, real time); a page
	// that stops reading is disconnected.
	WriteTimeout time.Duration
	// SweepInterval is how often idle streams are looked for (1 s, real
	// time); Sweep does it on demand.
	SweepInterval time.Duration
	// Clock is the time of rate limits and idle timeouts (the system clock).
	Clock Clock
	// Logger receives the relay's log; nil discards it.
	Logger *slog.Logger
}

func (c *Config) normalize() error {
	if !c.PublicIP.IsValid() {
		return errors.New("rtprelay: Config.PublicIP is required")
	}
	if c.Admission == nil {
		return errors.New("rtprelay: Config.Admission is required")
	}
	if err := c.Ports.validate(); err != nil {
		return err
	}
	if !c.BindIP.IsValid() {
		if c.PublicIP.IsLoopback() {
			c.BindIP = netip.AddrFrom4([4]byte{127, 0, 0, 1})
		} else {
			c.BindIP = netip.IPv6Unspecified()
		}
	}
	setDefault(&c.MaxStreams, 4)
	setDefault(&c.MaxRate, 200)
	setDefault(&c.MaxJunk, 50)
	setDefault(&c.IdleTimeout, 3*time.Minute)
	setDefault(&c.HelloTimeout, 10*time.Second)
	setDefault(&c.WriteTimeout, 5*time.Second)
	setDefault(&c.SweepInterval, time.Second)
	if c.Clock == nil {
		c.Clock = systemClock{}
	}
	return nil
}

func setDefault[T int | time.Duration](v *T, d T) {
	if *v <= 0 {
		*v = d
	}
}

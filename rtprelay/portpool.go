//go:build !js

package rtprelay

import (
	"errors"
	"fmt"
	"net"
	"net/netip"
	"strconv"
	"strings"
	"sync"
)

// ErrNoPorts means every port pair of the range is in use.
var ErrNoPorts = errors.New("rtprelay: no free relay ports")

// PortRange is an inclusive UDP port range.
type PortRange struct{ Min, Max int }

// ParsePortRange parses "40000-40999".
func ParsePortRange(s string) (PortRange, error) {
	lo, hi, ok := strings.Cut(strings.TrimSpace(s), "-")
	a, err1 := strconv.Atoi(lo)
	b, err2 := strconv.Atoi(hi)
	if !ok || err1 != nil || err2 != nil {
		return PortRange{}, fmt.Errorf("rtprelay: port range %q is not MIN-MAX", s)
	}
	r := PortRange{a, b}
	return r, r.validate()
}

func (r PortRange) validate() error {
	if r.Min < 1024 || r.Max > 65535 || r.Max < r.Min+1 {
		return fmt.Errorf("rtprelay: port range %d-%d must lie in 1024-65535 and hold a pair", r.Min, r.Max)
	}
	return nil
}

// PortPool hands out port pairs from a range: an even RTP port and the RTCP
// port after it, both bound on one IP. A pair another program holds is
// skipped. Safe for concurrent use.
type PortPool struct {
	bind netip.Addr
	r    PortRange

	mu   sync.Mutex
	used map[int]bool
	next int
}

// NewPortPool makes a pool of pairs in r bound on bind.
func NewPortPool(bind netip.Addr, r PortRange) (*PortPool, error) {
	if err := r.validate(); err != nil {
		return nil, err
	}
	first := r.Min + r.Min%2
	return &PortPool{bind: bind, r: r, used: map[int]bool{}, next: first}, nil
}

// Pairs is how many pairs the range holds.
func (p *PortPool) Pairs() int {
	first := p.r.Min + p.r.Min%2
	if p.r.Max < first+1 {
		return 0
	}
	return (p.r.Max-first-1)/2 + 1
}

// InUse is how many pairs are allocated.
func (p *PortPool) InUse() int {
	p.mu.Lock()
	defer p.mu.Unlock()
	return len(p.used)
}

// Allocate binds the next free pair; ErrNoPorts when none is left.
func (p *PortPool) Allocate() (rtp, rtcp *net.UDPConn, port int, err error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	first := p.r.Min + p.r.Min%2
	for range p.Pairs() {
		port := p.next
		p.next += 2
		if p.next+1 > p.r.Max {
			p.next = first
		}
		if p.used[port] {
			continue
		}
		a, err := net.ListenUDP("udp", net.UDPAddrFromAddrPort(netip.AddrPortFrom(p.bind, uint16(port))))
		if err != nil {
			continue // held by someone else
		}
		b, err := net.ListenUDP("udp", net.UDPAddrFromAddrPort(netip.AddrPortFrom(p.bind, uint16(port+1))))
		if err != nil {
			a.Close()
			continue
		}
		p.used[port] = true
		return a, b, port, nil
	}
	return nil, nil, 0, ErrNoPorts
}

// Release returns a pair (its sockets already closed by the caller).
func (p *PortPool) Release(port int) {
	p.mu.Lock()
	delete(p.used, port)
	p.mu.Unlock()
}

//go:build !js

package rtprelay

import (
	"sync"
	"time"
)

// rateLimit is a token bucket of packets: rate per second, bursts up to one
// second's worth. Safe for concurrent use.
type rateLimit struct {
	mu     sync.Mutex
	rate   float64
	tokens float64
	last   time.Time
}

func newRateLimit(perSecond int, now time.Time) *rateLimit {
	return &rateLimit{rate: float64(perSecond), tokens: float64(perSecond), last: now}
}

// allow takes a token at now; false when the bucket is empty.
func (l *rateLimit) allow(now time.Time) bool {
	l.mu.Lock()
	defer l.mu.Unlock()
	if d := now.Sub(l.last); d > 0 {
		l.tokens = min(l.rate, l.tokens+d.Seconds()*l.rate)
		l.last = now
	}
	if l.tokens < 1 {
		return false
	}
	l.tokens--
	return true
}

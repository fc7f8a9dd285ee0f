//go:build !js

package rtprelay

import "time"

// Clock tells the relay the time for rate limits and idle timeouts; tests
// inject a manual one.
type Clock interface {
	Now() time.Time
}

// systemClock is the real clock.
type systemClock struct{}

func (systemClock) Now() time.Time { return time.Now() }

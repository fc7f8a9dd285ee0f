package engine

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
)

func TestRedialOnlyForNetworkAndServerFailures(t *testing.T) {
	for reason, want := range map[string]bool{
		"timeout": true, "transport closed: EOF": true, "408 Request Timeout": true,
		"503 Service Unavailable": true, "500 Server Internal Error": true, "504 Server Time-out": true,
		"486 Busy Here": false, "603 Decline": false, "404 Not Found": false, "cancelled": false,
		"remote hangup": false, "": false,
	} {
		assert.Equal(t, want, redialableFailure(reason), reason)
	}
}

func TestRedialOncePerNumberWithinTheWindow(t *testing.T) {
	var r redialer
	now := time.Unix(1000, 0)
	assert.True(t, r.claim("2000", now))
	assert.False(t, r.claim("2000", now.Add(time.Minute)), "a failed redial is not redialled")
	assert.True(t, r.claim("3000", now))
	assert.True(t, r.claim("2000", now.Add(redialWindow+time.Second)))
}

package sipcore

import (
	"strings"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestTraceCarriesTheParsedMessage(t *testing.T) {
	type traced struct {
		dir, first string
		msg        *TracedMessage
	}
	var mu sync.Mutex
	var got []traced
	ua, p := startTestUA(t, &peer{events: func(ev *Events) {
		ev.Trace = func(dir string, data []byte, msg *TracedMessage) {
			mu.Lock()
			got = append(got, traced{dir, strings.SplitN(string(data), "\r\n", 2)[0], msg})
			mu.Unlock()
		}
	}}, nil)
	p.inject("\x00garbage")
	p.inject(farRequest("OPTIONS", "tr-1", "t", "", 7, "X-Test: a\r\nX-Test: b\r\n", ""))
	p.expectResponse(200)
	waitInboundIdle(t, ua)

	mu.Lock()
	defer mu.Unlock()
	require.Len(t, got, 3)
	assert.Equal(t, "in", got[0].dir)
	assert.Nil(t, got[0].msg, "an unparsable frame is traced without a message")

	in := got[1]
	assert.Equal(t, "in", in.dir)
	require.NotNil(t, in.msg)
	assert.True(t, in.msg.IsRequest())
	assert.Equal(t, "OPTIONS", in.msg.Method())
	assert.Equal(t, "tr-1", in.msg.CallID())
	assert.Equal(t, []string{"a", "b"}, in.msg.HeaderValues("x-test"))
	assert.Empty(t, in.msg.HeaderValues("X-None"))

	out := got[2]
	assert.Equal(t, "out", out.dir)
	assert.Equal(t, "SIP/2.0 200 OK", out.first)
	require.NotNil(t, out.msg)
	assert.False(t, out.msg.IsRequest())
	assert.Equal(t, 200, out.msg.StatusCode())
	assert.Equal(t, "OPTIONS", out.msg.Method(), "a response's method is its CSeq method")
	assert.Equal(t, "tr-1", out.msg.CallID())
}

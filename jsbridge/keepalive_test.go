package jsbridge

import (
	"testing"

	"github.com/stretchr/testify/assert"
)

func TestClassifyFrame(t *testing.T) {
	assert.Equal(t, framePing, classifyFrame([]byte("\r\n\r\n")))
	assert.Equal(t, framePong, classifyFrame([]byte("\r\n")))
	assert.Equal(t, framePong, classifyFrame([]byte("")))
	assert.Equal(t, frameSIP, classifyFrame([]byte("SIP/2.0 200 OK\r\n\r\n")))
}

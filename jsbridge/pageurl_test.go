//go:build js && wasm

package jsbridge

import (
	"testing"

	"github.com/stretchr/testify/assert"
)

func TestPageURLReadsTheQuery(t *testing.T) {
	orig := PageURL()
	t.Cleanup(func() { jsRun(t, `history.replaceState(null, "", a0)`, orig) })

	jsRun(t, `history.replaceState(null, "", "?wp_username=alice&wp_password=a%20b&other=1")`)
	u := PageURL()
	assert.Contains(t, u, "?wp_username=alice&wp_password=a%20b&other=1")
	assert.Contains(t, u, "http://127.0.0.1:")
}

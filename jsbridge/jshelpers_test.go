//go:build js && wasm

package jsbridge

import (
	"testing"

	"github.com/hack-pad/safejs"
	"github.com/stretchr/testify/require"
)

// jsRun runs a JavaScript function body in the page and returns its result.
func jsRun(t *testing.T, body string, args ...any) safejs.Value {
	t.Helper()
	fnCtor, err := safejs.Global().Get("Function")
	require.NoError(t, err)
	params := make([]any, 0, len(args)+1)
	for i := range args {
		params = append(params, "a"+string(rune('0'+i)))
	}
	params = append(params, body)
	fn, err := fnCtor.New(params...)
	require.NoError(t, err)
	v, err := fn.Invoke(args...)
	require.NoError(t, err)
	return v
}

func jsString(t *testing.T, v safejs.Value) string {
	t.Helper()
	s, err := v.String()
	require.NoError(t, err)
	return s
}

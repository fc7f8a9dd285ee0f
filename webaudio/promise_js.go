//go:build js && wasm

package webaudio

import (
	"context"
	"errors"

	"github.com/hack-pad/safejs"
)

// await waits for a Promise from a goroutine (never the JavaScript thread:
// the Promise settles there).
func await(ctx context.Context, promise safejs.Value) (safejs.Value, error) {
	type result struct {
		v   safejs.Value
		err error
	}
	done := make(chan result, 1)
	var ok, fail safejs.Func
	ok, err := safejs.FuncOf(func(_ safejs.Value, args []safejs.Value) any {
		v := safejs.Undefined()
		if len(args) > 0 {
			v = args[0]
		}
		done <- result{v: v}
		return nil
	})
	if err != nil {
		return safejs.Undefined(), err
	}
	defer ok.Release()
	fail, err = safejs.FuncOf(func(_ safejs.Value, args []safejs.Value) any {
		msg := "rejected"
		if len(args) > 0 {
			if s, err := args[0].Call("toString"); err == nil {
				if str, err := s.String(); err == nil {
					msg = str
				}
			}
		}
		done <- result{err: errors.New(msg)}
		return nil
	})
	if err != nil {
		return safejs.Undefined(), err
	}
	defer fail.Release()
	if _, err := promise.Call("then", ok, fail); err != nil {
		return safejs.Undefined(), err
	}
	select {
	case r := <-done:
		return r.v, r.err
	case <-ctx.Done():
		return safejs.Undefined(), ctx.Err()
	}
}

//go:build js && wasm

package jsbridge

import (
	"context"
	"errors"

	"github.com/hack-pad/safejs"
)

// errNotPromise is returned by await for a value without a then method.
var errNotPromise = errors.New("jsbridge: value is not a Promise")

type settled struct {
	value safejs.Value
	err   error
}

// await waits for a JavaScript Promise from a goroutine. It must never be
// called on the JavaScript callback thread (an exported function or an
// event handler): the Promise settles on that same thread. The JS callbacks
// only store the outcome in a buffered channel and return at once.
func await(ctx context.Context, promise safejs.Value) (safejs.Value, error) {
	then, err := promise.Get("then")
	if err != nil || then.Type() != safejs.TypeFunction {
		return safejs.Undefined(), errNotPromise
	}
	done := make(chan settled, 1)
	var onOK, onErr safejs.Func
	release := func() {
		onOK.Release()
		onErr.Release()
	}
	onOK, err = safejs.FuncOf(func(_ safejs.Value, args []safejs.Value) any {
		v := safejs.Undefined()
		if len(args) > 0 {
			v = args[0]
		}
		done <- settled{value: v}
		release()
		return nil
	})
	if err != nil {
		return safejs.Undefined(), err
	}
	onErr, err = safejs.FuncOf(func(_ safejs.Value, args []safejs.Value) any {
		v := safejs.Undefined()
		if len(args) > 0 {
			v = args[0]
		}
		done <- settled{err: jsError(v)}
		release()
		return nil
	})
	if err != nil {
		onOK.Release()
		return safejs.Undefined(), err
	}
	if _, err := promise.Call("then", onOK, onErr); err != nil {
		release()
		return safejs.Undefined(), err
	}
	select {
	case s := <-done:
		return s.value, s.err
	case <-ctx.Done():
		// The callbacks stay registered until the Promise settles, then
		// release themselves; their send never blocks (buffered).
		return safejs.Undefined(), ctx.Err()
	}
}

// callAwait calls obj.method(args...) and awaits the Promise it returns.
func callAwait(ctx context.Context, obj safejs.Value, method string, args ...any) (safejs.Value, error) {
	p, err := obj.Call(method, args...)
	if err != nil {
		return safejs.Undefined(), err
	}
	return await(ctx, p)
}

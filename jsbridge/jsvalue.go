//go:build js && wasm

package jsbridge

import (
	"errors"
	"fmt"

	"github.com/hack-pad/safejs"
)

// global returns globalThis[name], or an error when it is missing.
func global(name string) (safejs.Value, error) {
	v, err := safejs.Global().Get(name)
	if err != nil {
		return safejs.Undefined(), err
	}
	if v.IsUndefined() || v.IsNull() {
		return safejs.Undefined(), fmt.Errorf("jsbridge: %s is not available in this browser", name)
	}
	return v, nil
}

// getString reads v[prop] as a string ("" when missing or not a string).
func getString(v safejs.Value, prop string) string {
	p, err := v.Get(prop)
	if err != nil || p.Type() != safejs.TypeString {
		return ""
	}
	s, _ := p.String()
	return s
}

// getInt reads v[prop] as an int (0 when missing or not a number).
func getInt(v safejs.Value, prop string) int {
	p, err := v.Get(prop)
	if err != nil || p.Type() != safejs.TypeNumber {
		return 0
	}
	n, _ := p.Int()
	return n
}

// getBool reads v[prop] as a boolean (false when missing).
func getBool(v safejs.Value, prop string) bool {
	p, err := v.Get(prop)
	if err != nil {
		return false
	}
	b, _ := p.Truthy()
	return b
}

// isNullish reports whether v is null or undefined.
func isNullish(v safejs.Value) bool { return v.IsNull() || v.IsUndefined() }

// jsError turns a JavaScript value thrown or rejected into a Go error
// ("NotAllowedError: Permission denied").
func jsError(v safejs.Value) error {
	if isNullish(v) {
		return errors.New("javascript error (no details)")
	}
	name, msg := getString(v, "name"), getString(v, "message")
	switch {
	case name != "" && msg != "":
		return errors.New(name + ": " + msg)
	case msg != "":
		return errors.New(msg)
	case name != "":
		return errors.New(name)
	}
	if s, err := v.Call("toString"); err == nil {
		if str, err := s.String(); err == nil {
			return errors.New(str)
		}
	}
	return errors.New("javascript error")
}

// bytesFromJS copies an ArrayBuffer, a typed array or a string into Go.
func bytesFromJS(v safejs.Value) ([]byte, error) {
	if v.Type() == safejs.TypeString {
		s, err := v.String()
		return []byte(s), err
	}
	u8ctor, err := global("Uint8Array")
	if err != nil {
		return nil, err
	}
	isU8, err := v.InstanceOf(u8ctor)
	if err != nil {
		return nil, err
	}
	if !isU8 {
		// ArrayBuffer (or a view on one): wrap it.
		if v, err = u8ctor.New(v); err != nil {
			return nil, fmt.Errorf("jsbridge: frame is neither text nor binary: %w", err)
		}
	}
	n, err := v.Length()
	if err != nil {
		return nil, err
	}
	buf := make([]byte, n)
	if _, err := safejs.CopyBytesToGo(buf, v); err != nil {
		return nil, err
	}
	return buf, nil
}

// bytesToJS returns a new Uint8Array holding b.
func bytesToJS(b []byte) (safejs.Value, error) {
	u8ctor, err := global("Uint8Array")
	if err != nil {
		return safejs.Undefined(), err
	}
	arr, err := u8ctor.New(len(b))
	if err != nil {
		return safejs.Undefined(), err
	}
	if _, err := safejs.CopyBytesToJS(arr, b); err != nil {
		return safejs.Undefined(), err
	}
	return arr, nil
}

// detachHandlers clears the named event handler properties of obj (onmessage,
// ontrack, ...) and releases the Go functions that were behind them.
func detachHandlers(obj safejs.Value, names []string, funcs []safejs.Func) {
	for _, name := range names {
		_ = obj.Set(name, nil)
	}
	for _, f := range funcs {
		f.Release()
	}
}

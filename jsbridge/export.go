//go:build js && wasm

package jsbridge

import (
	"fmt"

	"github.com/hack-pad/safejs"
)

// APIFunc is one exported function. It receives the JavaScript arguments
// and returns a plain value: string, bool, int, float64, nil (null),
// []any, map[string]any or a safejs.Value. It must not block.
type APIFunc func(args []safejs.Value) any

// Export sets globalThis[name] to an object whose members call funcs. A
// member never throws: a Go panic or an unconvertible result is returned to
// JavaScript as undefined (webphone_api.js then answers its documented
// failure value). release removes the object and frees the functions.
func Export(name string, funcs map[string]APIFunc) (release func(), err error) {
	obj, err := newObject()
	if err != nil {
		return nil, err
	}
	var jsFuncs []safejs.Func
	release = func() {
		_ = safejs.Global().Delete(name)
		for _, f := range jsFuncs {
			f.Release()
		}
	}
	for member, fn := range funcs {
		jf, err := safejs.FuncOf(wrapAPIFunc(fn))
		if err != nil {
			release()
			return nil, err
		}
		jsFuncs = append(jsFuncs, jf)
		if err := obj.Set(member, jf); err != nil {
			release()
			return nil, fmt.Errorf("jsbridge: export %s.%s: %w", name, member, err)
		}
	}
	if err := safejs.Global().Set(name, obj); err != nil {
		release()
		return nil, err
	}
	return release, nil
}

func wrapAPIFunc(fn APIFunc) func(safejs.Value, []safejs.Value) any {
	return func(_ safejs.Value, args []safejs.Value) (result any) {
		undefined := safejs.Unsafe(safejs.Undefined())
		defer func() {
			if recover() != nil {
				result = undefined
			}
		}()
		out := fn(args)
		if v, ok := out.(safejs.Value); ok {
			return safejs.Unsafe(v)
		}
		v, err := safejs.ValueOf(out)
		if err != nil {
			return undefined
		}
		return safejs.Unsafe(v)
	}
}

func newObject() (safejs.Value, error) {
	ctor, err := global("Object")
	if err != nil {
		return safejs.Undefined(), err
	}
	return ctor.New()
}

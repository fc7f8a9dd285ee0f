//go:build js && wasm

package jsbridge

import (
	"strconv"
	"strings"

	"github.com/hack-pad/safejs"
)

// Arg returns args[i], or undefined when absent.
func Arg(args []safejs.Value, i int) safejs.Value {
	if i < 0 || i >= len(args) {
		return safejs.Undefined()
	}
	return args[i]
}

// ArgString converts args[i] the way Mizu pages expect: strings as they
// are, numbers and booleans by their text, null and undefined as "".
func ArgString(args []safejs.Value, i int) string {
	v := Arg(args, i)
	switch v.Type() {
	case safejs.TypeString:
		s, _ := v.String()
		return s
	case safejs.TypeNumber:
		f, _ := v.Float()
		return strconv.FormatFloat(f, 'f', -1, 64)
	case safejs.TypeBoolean:
		b, _ := v.Bool()
		return strconv.FormatBool(b)
	case safejs.TypeUndefined, safejs.TypeNull:
		return ""
	}
	s, err := v.Call("toString")
	if err != nil {
		return ""
	}
	str, _ := s.String()
	return str
}

// ArgPresent reports whether args[i] was given and is neither null nor
// undefined.
func ArgPresent(args []safejs.Value, i int) bool { return !isNullish(Arg(args, i)) }

// ArgInt reads args[i] as an integer: a number, or a numeric string
// ("2", " -1 "); anything else gives def.
func ArgInt(args []safejs.Value, i int, def int) int {
	n, ok := ArgNumber(args, i)
	if !ok {
		return def
	}
	return n
}

// ArgNumber reads args[i] as an integer and reports whether it was one (a
// number, or a string holding only an integer).
func ArgNumber(args []safejs.Value, i int) (int, bool) {
	v := Arg(args, i)
	switch v.Type() {
	case safejs.TypeNumber:
		f, err := v.Float()
		if err != nil || f != f {
			return 0, false
		}
		return int(f), true
	case safejs.TypeString:
		s, _ := v.String()
		n, err := strconv.Atoi(strings.TrimSpace(s))
		return n, err == nil
	}
	return 0, false
}

// ArgBool reads args[i] as a boolean: true/false, "true"/"false",
// "1"/"0", numbers (non-zero is true); absent or anything else gives def.
func ArgBool(args []safejs.Value, i int, def bool) bool {
	v := Arg(args, i)
	switch v.Type() {
	case safejs.TypeBoolean:
		b, _ := v.Bool()
		return b
	case safejs.TypeNumber:
		f, _ := v.Float()
		return f != 0
	case safejs.TypeString:
		s, _ := v.String()
		switch strings.ToLower(strings.TrimSpace(s)) {
		case "true", "1", "yes", "on":
			return true
		case "false", "0", "no", "off":
			return false
		}
	}
	return def
}

// ArgIsBool reports whether args[i] is a JavaScript boolean.
func ArgIsBool(args []safejs.Value, i int) bool { return Arg(args, i).Type() == safejs.TypeBoolean }

// ArgObject reads args[i] as a plain object of strings, e.g. the
// webphone_api.parameters object (values converted as ArgString does;
// nested objects are skipped). Nil when it is not an object.
func ArgObject(args []safejs.Value, i int) map[string]string {
	v := Arg(args, i)
	if v.Type() != safejs.TypeObject {
		return nil
	}
	objCtor, err := global("Object")
	if err != nil {
		return nil
	}
	keys, err := objCtor.Call("keys", v)
	if err != nil {
		return nil
	}
	n, _ := keys.Length()
	out := make(map[string]string, n)
	for k := 0; k < n; k++ {
		kv, err := keys.Index(k)
		if err != nil {
			continue
		}
		key, _ := kv.String()
		val, err := v.Get(key)
		if err != nil || val.Type() == safejs.TypeObject || val.Type() == safejs.TypeFunction {
			continue
		}
		out[key] = ArgString([]safejs.Value{val}, 0)
	}
	return out
}

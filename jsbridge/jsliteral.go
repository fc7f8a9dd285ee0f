package jsbridge

import (
	"errors"
	"strconv"
	"strings"
)

// jsLiteralMaxDepth bounds the nesting of arrays and objects in a literal.
const jsLiteralMaxDepth = 16

// parseJSLiteral reads the lenient JavaScript literal Mizu configurations
// use for parameters such as "ice": JSON plus unquoted keys and single-quoted
// strings. Objects become map[string]any, arrays []any, strings string;
// numbers, true, false and null are read but kept as nil (no caller needs
// them). It replaces regexp and encoding/json, which cost the wasm build far
// more than this parameter is worth.
func parseJSLiteral(s string) (any, error) {
	p := &jsLiteralParser{s: s}
	v, err := p.value(0)
	if err != nil {
		return nil, err
	}
	p.space()
	if p.i < len(p.s) {
		return nil, p.fail("unexpected text after the value")
	}
	return v, nil
}

type jsLiteralParser struct {
	s string
	i int
}

func (p *jsLiteralParser) fail(msg string) error {
	return errors.New(msg + " at offset " + strconv.Itoa(p.i))
}

func (p *jsLiteralParser) space() {
	for p.i < len(p.s) && strings.IndexByte(" \t\r\n", p.s[p.i]) >= 0 {
		p.i++
	}
}

func (p *jsLiteralParser) value(depth int) (any, error) {
	if depth > jsLiteralMaxDepth {
		return nil, p.fail("nested too deep")
	}
	p.space()
	if p.i >= len(p.s) {
		return nil, p.fail("unexpected end")
	}
	switch c := p.s[p.i]; {
	case c == '{':
		return p.object(depth)
	case c == '[':
		return p.array(depth)
	case c == '"' || c == '\'':
		return p.str()
	case c == '-' || c == '+' || c == '.' || (c >= '0' && c <= '9'):
		p.word()
		return nil, nil
	case isIdentStart(c):
		switch w := p.word(); w {
		case "true", "false", "null", "undefined":
			return nil, nil
		default:
			return nil, p.fail("unknown word " + strconv.Quote(w))
		}
	default:
		return nil, p.fail("unexpected " + strconv.QuoteRune(rune(c)))
	}
}

func (p *jsLiteralParser) object(depth int) (any, error) {
	p.i++ // '{'
	m := map[string]any{}
	for {
		p.space()
		if p.i < len(p.s) && p.s[p.i] == '}' {
			p.i++
			return m, nil
		}
		var key string
		switch {
		case p.i >= len(p.s):
			return nil, p.fail("unexpected end in an object")
		case p.s[p.i] == '"' || p.s[p.i] == '\'':
			k, err := p.str()
			if err != nil {
				return nil, err
			}
			key = k
		case isIdentStart(p.s[p.i]):
			key = p.word()
		default:
			return nil, p.fail("expected a key")
		}
		p.space()
		if p.i >= len(p.s) || p.s[p.i] != ':' {
			return nil, p.fail("expected ':'")
		}
		p.i++
		v, err := p.value(depth + 1)
		if err != nil {
			return nil, err
		}
		m[key] = v
		if !p.separator('}') {
			return nil, p.fail("expected ',' or '}'")
		}
	}
}

func (p *jsLiteralParser) array(depth int) (any, error) {
	p.i++ // '['
	var a []any
	for {
		p.space()
		if p.i < len(p.s) && p.s[p.i] == ']' {
			p.i++
			return a, nil
		}
		v, err := p.value(depth + 1)
		if err != nil {
			return nil, err
		}
		a = append(a, v)
		if !p.separator(']') {
			return nil, p.fail("expected ',' or ']'")
		}
	}
}

// separator consumes a ',' (a trailing one before end is allowed, as in
// JavaScript) or peeks at end; it reports false for anything else.
func (p *jsLiteralParser) separator(end byte) bool {
	p.space()
	if p.i >= len(p.s) {
		return false
	}
	switch p.s[p.i] {
	case ',':
		p.i++
		return true
	case end:
		return true
	}
	return false
}

// str reads a single- or double-quoted string with the escapes \" \' \\ \/
// \b \f \n \r \t and \uXXXX.
func (p *jsLiteralParser) str() (string, error) {
	q := p.s[p.i]
	p.i++
	var b strings.Builder
	for p.i < len(p.s) {
		c := p.s[p.i]
		p.i++
		switch {
		case c == q:
			return b.String(), nil
		case c == '\\':
			if p.i >= len(p.s) {
				return "", p.fail("unterminated escape")
			}
			e := p.s[p.i]
			p.i++
			switch e {
			case 'b':
				b.WriteByte('\b')
			case 'f':
				b.WriteByte('\f')
			case 'n':
				b.WriteByte('\n')
			case 'r':
				b.WriteByte('\r')
			case 't':
				b.WriteByte('\t')
			case 'u':
				if p.i+4 > len(p.s) {
					return "", p.fail("short \\u escape")
				}
				r, err := strconv.ParseUint(p.s[p.i:p.i+4], 16, 16)
				if err != nil {
					return "", p.fail("bad \\u escape")
				}
				b.WriteRune(rune(r))
				p.i += 4
			default:
				b.WriteByte(e)
			}
		case c == '\n':
			return "", p.fail("newline in a string")
		default:
			b.WriteByte(c)
		}
	}
	return "", p.fail("unterminated string")
}

// word reads an identifier or a number.
func (p *jsLiteralParser) word() string {
	start := p.i
	for p.i < len(p.s) {
		c := p.s[p.i]
		if !isIdentStart(c) && !(c >= '0' && c <= '9') && c != '.' && c != '-' && c != '+' {
			break
		}
		p.i++
	}
	return p.s[start:p.i]
}

func isIdentStart(c byte) bool {
	return c == '_' || c == '$' || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z')
}

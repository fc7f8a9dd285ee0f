package jsbridge

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestParseJSLiteralForms(t *testing.T) {
	v, err := parseJSLiteral(` [ {"urls": ['stun:a:1', "turn:b:2"], 'username':"u\"1", credential: 'it\'s', port: 3478, tls: true, x: null,}, ] `)
	require.NoError(t, err)
	assert.Equal(t, []any{map[string]any{
		"urls":     []any{"stun:a:1", "turn:b:2"},
		"username": `u"1`, "credential": "it's",
		"port": nil, "tls": nil, "x": nil,
	}}, v)

	v, err = parseJSLiteral(`{url:"turn:h:3478?transport=tcp", s:"\u00e9\n\\"}`)
	require.NoError(t, err)
	assert.Equal(t, map[string]any{"url": "turn:h:3478?transport=tcp", "s": "é\n\\"}, v)
}

func TestParseJSLiteralRejectsMalformed(t *testing.T) {
	for _, s := range []string{
		"", "[", "[{url:", `[{url:"x"`, `[{url "x"}]`, `[{url:"x"} {url:"y"}]`, `"abc`, `'a\`, `{url:"a` + "\n" + `b"}`,
		`[1,,2]`, `[{1:2}]`, `{url:"x"} trailing`, `[foo]`, `{"a":"\u12"}`, `[}`, "[" + strings.Repeat("[", 40) + "]",
	} {
		_, err := parseJSLiteral(s)
		assert.Error(t, err, "%q", s)
	}
}

func TestICEServersURLsArrayAndSingleObject(t *testing.T) {
	got, err := ICEParams{ICE: `{urls:['stun:a:1','stun:b:2'], username:'u', credential:'p'}`}.ICEServers()
	require.NoError(t, err)
	assert.Equal(t, []ICEServer{{URLs: []string{"stun:a:1", "stun:b:2"}, Username: "u", Credential: "p"}}, got)

	_, err = ICEParams{ICE: `["stun:a:1"]`}.ICEServers()
	assert.Error(t, err, "a list entry that is not an object")
}

// FuzzParseJSLiteral: any page-supplied "ice" parameter is read without a
// panic, and what parses is a list or an object of the documented types.
func FuzzParseJSLiteral(f *testing.F) {
	for _, s := range []string{`[{url:"stun:a:1"}]`, `{urls:['a','b'],username:"u\u0041"}`, `[[[[1]]]]`, `{a:}`, `'\`} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		v, err := parseJSLiteral(s)
		if err != nil {
			return
		}
		var check func(v any, depth int)
		check = func(v any, depth int) {
			if depth > jsLiteralMaxDepth+1 {
				t.Fatalf("depth %d beyond the bound for %q", depth, s)
			}
			switch v := v.(type) {
			case nil, string:
			case []any:
				for _, e := range v {
					check(e, depth+1)
				}
			case map[string]any:
				for _, e := range v {
					check(e, depth+1)
				}
			default:
				t.Fatalf("unexpected %T for %q", v, s)
			}
		}
		check(v, 0)
		_, _ = ICEParams{ICE: s}.ICEServers()
	})
}

package sipcore

import (
	"strings"
	"testing"
	"time"

	"github.com/emiago/sipgo/sip"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// nextRaw returns the bytes of the next request of method the UA sends.
func (p *peer) nextRaw(method string) string {
	p.t.Helper()
	for {
		select {
		case data := <-p.current().sent:
			if isKeepalive(data) {
				continue
			}
			if strings.HasPrefix(string(data), method+" ") {
				return string(data)
			}
		case <-time.After(8 * time.Second):
			p.t.Fatalf("timed out waiting for %s", method)
			return ""
		}
	}
}

// headerNames lists the header names of a raw message, in order.
func headerNames(raw string) []string {
	head, _, _ := strings.Cut(raw, "\r\n\r\n")
	lines := strings.Split(head, "\r\n")[1:]
	var out []string
	for _, l := range lines {
		name, _, _ := strings.Cut(l, ":")
		out = append(out, strings.TrimSpace(name))
	}
	return out
}

// assertClean checks a raw request: it parses with sipgo, no header line
// was injected, and From/To/Contact keep the account's URIs.
func assertClean(t *testing.T, raw string) *sip.Request {
	t.Helper()
	for _, n := range headerNames(raw) {
		assert.NotEqual(t, "x-injected", strings.ToLower(n), "injected header on the wire:\n%s", raw)
		assert.NotContains(t, n, " ", "a header line without a name:\n%s", raw)
	}
	msg, err := sip.ParseMessage([]byte(raw))
	require.NoError(t, err, "unparsable:\n%s", raw)
	req, ok := msg.(*sip.Request)
	require.True(t, ok)
	assert.Nil(t, req.GetHeader("X-Injected"))
	return req
}

var hostileNames = []struct{ name, shown string }{
	{`a` + "\r\n" + `X-Injected: yes`, "a  X-Injected: yes"},
	{`Bob "the builder"`, `Bob "the builder"`},
	{`x"><y`, `x"><y`},
	{`back\slash`, `back\slash`},
	{`trailing\`, `trailing\`},
	{`"`, `"`},
	{`Zoë <img src=x onerror=alert(1)>`, `Zoë <img src=x onerror=alert(1)>`},
}

func TestDisplayNameIsEscapedInRegister(t *testing.T) {
	for _, tc := range hostileNames {
		t.Run(tc.name, func(t *testing.T) {
			ua, p := newTestUA(t, func(c *Config) { c.DisplayName = tc.name })
			go ua.Register()
			req := assertClean(t, p.nextRaw("REGISTER"))
			assert.Equal(t, "sip:1001@example.com", req.From().Address.String())
			assert.Equal(t, "sip:1001@example.com", req.To().Address.String())
			assert.Equal(t, tc.shown, UnescapeDisplayName(req.From().DisplayName))
			assert.Equal(t, tc.shown, UnescapeDisplayName(req.To().DisplayName))
			c := req.Contact()
			require.NotNil(t, c)
			assert.Empty(t, c.DisplayName, "Contact carries no display name")
			assert.Equal(t, "abc123.invalid", c.Address.Host)
			assert.Equal(t, "1001", c.Address.User)
			p.respond(req, 200, "OK", "srv", nil)
		})
	}
}

func TestDisplayNameIsEscapedInInviteAndMessage(t *testing.T) {
	for _, tc := range hostileNames {
		t.Run(tc.name, func(t *testing.T) {
			ua, p := newTestUA(t, func(c *Config) { c.DisplayName = tc.name })
			c, err := ua.Call("1002", []byte(sdpOffer))
			require.NoError(t, err)
			inv := assertClean(t, p.nextRaw("INVITE"))
			assert.Equal(t, "sip:1002@example.com", inv.To().Address.String())
			assert.Equal(t, tc.shown, UnescapeDisplayName(inv.From().DisplayName))
			assert.Empty(t, inv.Contact().DisplayName, "Contact carries no display name")
			p.respond(inv, 200, "OK", "b1", []byte(sdpAnswer))
			p.nextRaw("ACK")
			go c.Hangup()
			bye := assertClean(t, p.nextRaw("BYE"))
			assert.Equal(t, tc.shown, UnescapeDisplayName(bye.From().DisplayName))
			p.respond(bye, 200, "OK", "", nil)

			_, err = ua.SendMessage("1002", "", []byte("hi"))
			require.NoError(t, err)
			m := assertClean(t, p.nextRaw("MESSAGE"))
			assert.Equal(t, tc.shown, UnescapeDisplayName(m.From().DisplayName))
			p.respond(m, 200, "OK", "x", nil)
		})
	}
}

func TestUserNameIsPercentEscapedInURIs(t *testing.T) {
	ua, p := newTestUA(t, func(c *Config) { c.Username = `a>b"c@d` })
	go ua.Register()
	req := assertClean(t, p.nextRaw("REGISTER"))
	assert.Equal(t, "a%3Eb%22c%40d", req.From().Address.User)
	assert.Equal(t, "example.com", req.From().Address.Host)
	assert.Equal(t, "a%3Eb%22c%40d", req.Contact().Address.User)
	p.respond(req, 200, "OK", "srv", nil)
}

func TestInjectedExtraHeaderIsNeverSent(t *testing.T) {
	ua, p := newTestUA(t, func(c *Config) {
		c.ExtraHeaders = []Header{{Name: "X-A", Value: "1\r\nX-Injected: yes"}}
	})
	err := ua.Register()
	require.Error(t, err)
	assert.Contains(t, err.Error(), "line break")
	p.nothing(200 * time.Millisecond)

	// a bad header is refused at once and the good ones stay
	require.NoError(t, ua.SetExtraHeaders([]Header{{Name: "X-Good", Value: "1"}}))
	err = ua.SetExtraHeaders([]Header{{Name: "X-B", Value: "2\nX-Injected: yes"}})
	require.ErrorIs(t, err, ErrInvalidValue)
	err = ua.SetExtraHeaders([]Header{{Name: "X-Injected: yes\r\nX-C", Value: "3"}})
	require.ErrorIs(t, err, ErrInvalidValue)
	go ua.Register()
	req := assertClean(t, p.nextRaw("REGISTER"))
	assert.Equal(t, "1", headerValue(req, "X-Good"))
	p.respond(req, 200, "OK", "srv", nil)

	// headers given to one call or message are checked before sending too
	_, err = ua.SendMessage("1002", "", []byte("x"), Header{Name: "X-D", Value: "4\r\nX-Injected: yes"})
	require.NoError(t, err) // the outcome arrives as MessageResult
	res := <-p.ev.results
	assert.Contains(t, res, "line break")
	p.nothing(200 * time.Millisecond)
}

func TestInjectedOrOverlongTargetIsRefused(t *testing.T) {
	ua, p := newTestUA(t, nil)
	for _, target := range []string{
		"1002\r\nX-Injected: yes",
		"sip:1002@example.com\nX-Injected: yes",
		"1002\x00",
		strings.Repeat("7", 70000),
		"sip:" + strings.Repeat("7", MaxURILen) + "@example.com",
	} {
		_, err := ua.Call(target, []byte(sdpOffer))
		require.Error(t, err, "call %.40q", target)
		_, err = ua.SendMessage(target, "", []byte("x"))
		require.Error(t, err, "message %.40q", target)
	}
	_, err := ua.Call(strings.Repeat("7", 70000), nil)
	assert.Contains(t, err.Error(), "longer than")
	p.nothing(200 * time.Millisecond)
}

func TestOverlongMessageIsRefusedNotSent(t *testing.T) {
	ua, p := newTestUA(t, nil)
	_, err := ua.SendMessage("1002", "", []byte(strings.Repeat("x", MaxMessageLen)))
	require.NoError(t, err)
	assert.Contains(t, <-p.ev.results, "larger than")
	p.nothing(200 * time.Millisecond)
}

func TestPeerDisplayNameIsUnescapedAndEchoedSafely(t *testing.T) {
	_, p := newTestUA(t, nil)
	// quoted-string escapes reach the application resolved
	p.inject(strings.Replace(farRequest("MESSAGE", "m1", "mt", "", 1, "Content-Type: text/plain\r\n", "hi"),
		`"Bob"`, `"Bob \"B\" \\o/"`, 1))
	p.expectResponse(200)
	assert.Equal(t, `Bob "B" \o/`, (<-p.ev.msgs).FromName)

	// a token display name ending in a backslash is echoed as a valid
	// quoted-string in the response
	p.inject(strings.Replace(farRequest("OPTIONS", "o1", "ot", "", 1, "", ""),
		`From: "Bob" <`, `From: Bob\ <`, 1))
	res := p.expectResponse(200)
	assert.Equal(t, "sip:1002@example.com", res.From().Address.String())
}

func TestIncomingCallRemoteNameIsUnescaped(t *testing.T) {
	_, p := newTestUA(t, nil)
	p.inject(strings.Replace(farRequest("INVITE", "i1", "it", "", 1, "Content-Type: application/sdp\r\n", sdpOffer),
		`"Bob"`, `"<img src=x onerror=\"alert(1)\">"`, 1))
	c := <-p.ev.incoming
	assert.Equal(t, `<img src=x onerror="alert(1)">`, c.RemoteName())
}

func TestConfigValidate(t *testing.T) {
	good := NewConfig()
	good.Domain, good.Username, good.DisplayName = "example.com:5060", "1001", `Bob "B" \o/`
	require.NoError(t, good.Validate())
	for name, mutate := range map[string]func(*Config){
		"display name CRLF":  func(c *Config) { c.DisplayName = "a\r\nX-Injected: yes" },
		"display name NUL":   func(c *Config) { c.DisplayName = "a\x00" },
		"display name long":  func(c *Config) { c.DisplayName = strings.Repeat("a", MaxDisplayNameLen+1) },
		"display name UTF-8": func(c *Config) { c.DisplayName = "a\xff" },
		"user LF":            func(c *Config) { c.Username = "1001\nX: y" },
		"user quote":         func(c *Config) { c.Username = `10"01` },
		"user long":          func(c *Config) { c.Username = strings.Repeat("1", MaxUserLen+1) },
		"auth user CR":       func(c *Config) { c.AuthUsername = "a\rb" },
		"domain space":       func(c *Config) { c.Domain = "example.com X" },
		"domain with user":   func(c *Config) { c.Domain = "a@example.com" },
		"domain long":        func(c *Config) { c.Domain = strings.Repeat("a", MaxURILen+1) },
		"proxy CRLF":         func(c *Config) { c.OutboundProxy = "sip:p\r\nX: y" },
		"user agent LF":      func(c *Config) { c.UserAgent = "ua\nX: y" },
		"extra header name":  func(c *Config) { c.ExtraHeaders = []Header{{Name: "X A", Value: "1"}} },
		"extra header value": func(c *Config) { c.ExtraHeaders = []Header{{Name: "X-A", Value: "1\r\n"}} },
	} {
		c := good
		mutate(&c)
		err := c.Validate()
		assert.ErrorIs(t, err, ErrInvalidValue, name)
	}
}

func TestEscapeDisplayNameRoundTrip(t *testing.T) {
	for _, s := range []string{"", "Alice", `a"b`, `a\b`, `\`, `"\"`, "Zoë"} {
		esc := EscapeDisplayName(s)
		assert.True(t, validQuoted(esc), "%q -> %q", s, esc)
		assert.Equal(t, s, UnescapeDisplayName(esc))
		f := &sip.FromHeader{DisplayName: esc, Address: sip.Uri{Scheme: "sip", User: "a", Host: "b"}, Params: sip.NewParams()}
		var u sip.Uri
		var params sip.HeaderParams
		name, err := sip.ParseAddressValue(f.Value(), &u, &params)
		require.NoError(t, err, f.Value())
		assert.Equal(t, s, UnescapeDisplayName(name))
	}
	assert.Equal(t, "a  b", EscapeDisplayName("a\r\nb"))
}

// FuzzOutgoingHeadersStayHeaders: whatever display name, user name and
// extra header a caller gives, a request either is refused before sending
// or parses with sipgo with exactly the headers sipcore put in, the same
// addresses, and the display name intact (control characters aside).
func FuzzOutgoingHeadersStayHeaders(f *testing.F) {
	for _, s := range []string{"Alice", "a\r\nX-Injected: yes", `x"><y`, `\`, `"\"`, "a\x00b", "Zoë"} {
		f.Add(s, "1001", "v")
		f.Add("Bob", s, s)
	}
	f.Fuzz(func(t *testing.T, name, user, value string) {
		ua := &UA{cfg: Config{Domain: "example.com", Username: user, DisplayName: name, InstanceID: "urn:uuid:1"}, flow: &flow{}}
		req := sip.NewRequest(sip.REGISTER, sip.Uri{Scheme: "sip", Host: "example.com"})
		req.AppendHeader(ua.fromHeader("t1"))
		req.AppendHeader(&sip.ToHeader{DisplayName: ua.displayName(), Address: ua.aor(), Params: sip.NewParams()})
		cid := sip.CallIDHeader("c1")
		req.AppendHeader(&cid)
		req.AppendHeader(&sip.CSeqHeader{SeqNo: 1, MethodName: sip.REGISTER})
		req.AppendHeader(ua.contactHeader())
		req.AppendHeader(sip.NewHeader("X-Value", value))
		cl := sip.ContentLengthHeader(0)
		req.AppendHeader(&cl)
		if err := checkOutgoing(req); err != nil {
			return
		}
		raw := req.String()
		msg, err := sip.ParseMessage([]byte(raw))
		if err != nil {
			t.Fatalf("checked request does not parse: %v\n%q", err, raw)
		}
		got := msg.(*sip.Request)
		if n, want := len(got.Headers()), len(req.Headers()); n != want {
			t.Fatalf("%d headers on the wire, %d built:\n%q", n, want, raw)
		}
		if got.From().Address.Host != "example.com" || got.From().Address.User != EscapeUser(user) {
			t.Fatalf("From address changed: %q", got.From().Address.String())
		}
		// a tab is sent as a space (parsers fold whitespace in quoted strings)
		shown := strings.ReplaceAll(name, "\t", " ")
		if CheckText(name) == nil && UnescapeDisplayName(got.From().DisplayName) != strings.TrimSpace(shown) &&
			UnescapeDisplayName(got.From().DisplayName) != shown {
			t.Fatalf("display name %q came back as %q", name, UnescapeDisplayName(got.From().DisplayName))
		}
	})
}

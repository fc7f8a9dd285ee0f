package sipcore

import (
	"errors"
	"fmt"
	"strings"
	"unicode/utf8"

	"github.com/emiago/sipgo/sip"
)

// Limits on values that become part of a SIP message. They keep every
// message well under the 64 KiB a SIP server accepts in one piece
// (docs/sipcore.md, "What reaches the wire").
const (
	// MaxDisplayNameLen is the longest display name, in bytes.
	MaxDisplayNameLen = 256
	// MaxUserLen is the longest user name or digest user name, in bytes.
	MaxUserLen = 256
	// MaxURILen is the longest URI (a target, a domain, a proxy), in bytes.
	MaxURILen = 1024
	// MaxHeaderValueLen is the longest value of one extra header, in bytes.
	MaxHeaderValueLen = 4096
	// MaxMessageLen is the largest message the UA sends, in bytes.
	MaxMessageLen = 60000
)

// ErrInvalidValue wraps every refusal of a value that cannot become part of
// a SIP message.
var ErrInvalidValue = errors.New("invalid value")

// valueError is a refusal: its text is the reason alone, and it is
// ErrInvalidValue for errors.Is.
type valueError struct{ reason string }

func (e *valueError) Error() string        { return e.reason }
func (e *valueError) Is(target error) bool { return target == ErrInvalidValue }

func invalid(format string, args ...any) error {
	return &valueError{fmt.Sprintf(format, args...)}
}

// CheckText reports why s cannot be a header value or part of one: it is
// not UTF-8 (a WebSocket text frame would be refused), or it holds a line
// break or another control character (a line break would start a new
// header). A horizontal tab is allowed.
func CheckText(s string) error {
	if !utf8.ValidString(s) {
		return invalid("not valid UTF-8")
	}
	for _, r := range s {
		switch {
		case r == '\r' || r == '\n':
			return invalid("contains a line break")
		case r == '\t':
		case r < 0x20 || r == 0x7f:
			return invalid("contains the control character %U", r)
		}
	}
	return nil
}

// CheckDisplayName reports why name cannot be a display name. Quotes and
// backslashes are fine: they are escaped on the wire.
func CheckDisplayName(name string) error {
	if len(name) > MaxDisplayNameLen {
		return invalid("longer than %d bytes", MaxDisplayNameLen)
	}
	return CheckText(name)
}

// CheckUser reports why s cannot be a user name (the user part of the
// address of record, or the digest user name). Characters outside the
// RFC 3261 user set are %-escaped in URIs; white space, '<', '>' and '"'
// are refused because no server takes them as a user name.
func CheckUser(s string) error {
	if len(s) > MaxUserLen {
		return invalid("longer than %d bytes", MaxUserLen)
	}
	if err := CheckText(s); err != nil {
		return err
	}
	if strings.ContainsAny(s, " \t<>\"") {
		return invalid("contains white space, '<', '>' or '\"'")
	}
	return nil
}

// CheckURIText reports why s cannot be (part of) a URI: too long, a
// control character, white space, or one of < > " (which would end the
// URI inside a name-addr).
func CheckURIText(s string) error {
	if len(s) > MaxURILen {
		return invalid("longer than %d characters", MaxURILen)
	}
	if err := CheckText(s); err != nil {
		return err
	}
	if strings.ContainsAny(s, " \t<>\"") {
		return invalid("contains white space, '<', '>' or '\"'")
	}
	return nil
}

// CheckHeader reports why h cannot be added to a request: the name must
// be an RFC 3261 token, the value text of at most MaxHeaderValueLen bytes.
func CheckHeader(h Header) error {
	if !isToken(h.Name) {
		return invalid("header name %q is not a SIP token", truncate(h.Name, 40))
	}
	if len(h.Value) > MaxHeaderValueLen {
		return invalid("header %s: value longer than %d bytes", h.Name, MaxHeaderValueLen)
	}
	if err := CheckText(h.Value); err != nil {
		return fmt.Errorf("header %s: %w", h.Name, err)
	}
	return nil
}

// Validate reports the first value of cfg that cannot become part of a SIP
// message. UA.Start does not call it (the message check before sending is
// the last line); applications call it to refuse bad input early.
func (cfg Config) Validate() error {
	if err := CheckDisplayName(cfg.DisplayName); err != nil {
		return fmt.Errorf("display name: %w", err)
	}
	if err := CheckUser(cfg.Username); err != nil {
		return fmt.Errorf("user name: %w", err)
	}
	if err := CheckUser(cfg.AuthUsername); err != nil {
		return fmt.Errorf("auth user name: %w", err)
	}
	if err := CheckURIText(cfg.Domain); err != nil {
		return fmt.Errorf("domain: %w", err)
	}
	if cfg.Domain != "" {
		var u sip.Uri
		if err := sip.ParseUri("sip:"+cfg.Domain, &u); err != nil || u.Host == "" || u.User != "" {
			return invalid("domain %q is not a host[:port]", truncate(cfg.Domain, 80))
		}
	}
	if err := CheckURIText(cfg.OutboundProxy); err != nil {
		return fmt.Errorf("outbound proxy: %w", err)
	}
	if len(cfg.UserAgent) > MaxHeaderValueLen {
		return invalid("user agent longer than %d bytes", MaxHeaderValueLen)
	}
	if err := CheckText(cfg.UserAgent); err != nil {
		return fmt.Errorf("user agent: %w", err)
	}
	for _, h := range cfg.ExtraHeaders {
		if err := CheckHeader(h); err != nil {
			return err
		}
	}
	if err := CheckURIText(cfg.InstanceID); err != nil {
		return fmt.Errorf("instance id: %w", err)
	}
	return nil
}

// EscapeDisplayName turns a display name into the text between the quotes
// of an RFC 3261 quoted-string: '"' and '\' are escaped with '\'. sipgo
// writes DisplayName between quotes as it is, so every name sipcore sends
// goes through here. Control characters, which a quoted-string cannot
// carry, become spaces, and so does a tab (parsers fold it to a space).
func EscapeDisplayName(name string) string {
	if !strings.ContainsAny(name, "\"\\\t") && CheckText(name) == nil {
		return name
	}
	var b strings.Builder
	for _, r := range strings.ToValidUTF8(name, "\uFFFD") {
		switch {
		case r == '"' || r == '\\':
			b.WriteByte('\\')
			b.WriteRune(r)
		case r < 0x20 || r == 0x7f:
			b.WriteByte(' ')
		default:
			b.WriteRune(r)
		}
	}
	return b.String()
}

// UnescapeDisplayName is the inverse of EscapeDisplayName for a display
// name as sipgo parses it (the text between the quotes, escapes kept).
func UnescapeDisplayName(s string) string {
	if !strings.Contains(s, `\`) {
		return s
	}
	var b strings.Builder
	escaped := false
	for _, r := range s {
		if r == '\\' && !escaped {
			escaped = true
			continue
		}
		escaped = false
		b.WriteRune(r)
	}
	return b.String()
}

// validQuoted tells whether s can stand between the quotes of a
// quoted-string as it is: no bare '"', no trailing lone '\', no control
// character, no escaped line break.
func validQuoted(s string) bool {
	if CheckText(s) != nil {
		return false
	}
	escaped := false
	for _, r := range s {
		switch {
		case escaped:
			escaped = false
		case r == '\\':
			escaped = true
		case r == '"':
			return false
		}
	}
	return !escaped
}

// wireName makes any display name safe between quotes: a name already in
// quoted-string form (as parsed from a message) stays, anything else is
// escaped.
func wireName(s string) string {
	if validQuoted(s) {
		return s
	}
	return EscapeDisplayName(s)
}

// userChars are the characters RFC 3261 allows unescaped in a user part
// (unreserved and user-unreserved, without ';' and '?' which sipgo reads as
// the start of parameters).
const userChars = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_.!~*'()&=+$,/"

// EscapeUser %-escapes the characters of a user name that RFC 3261 does
// not allow in the user part of a URI (an existing %XX escape is kept). A
// leading '/' is escaped too: "sip://..." reads as a URI with an authority
// to sipgo's parser (and others), which would lose the user (fuzz finding).
func EscapeUser(s string) string {
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c == '/' && i == 0:
			b.WriteString("%2F")
		case strings.IndexByte(userChars, c) >= 0:
			b.WriteByte(c)
		case c == '%' && i+2 < len(s) && isHex(s[i+1]) && isHex(s[i+2]):
			b.WriteByte(c)
		default:
			fmt.Fprintf(&b, "%%%02X", c)
		}
	}
	return b.String()
}

func isHex(c byte) bool {
	return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F')
}

// isToken tells whether s is an RFC 3261 token (header names).
func isToken(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c >= 'a' && c <= 'z', c >= 'A' && c <= 'Z', c >= '0' && c <= '9':
		case strings.IndexByte("-.!%*_+`'~", c) >= 0:
		default:
			return false
		}
	}
	return true
}

func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n] + "..."
}

// checkOutgoing is the last check before a message is written: display
// names are brought into quoted-string form (escaped where they are not),
// and a message whose start line or any header holds a line break or a
// control character, whose header name is not a token, or that is larger
// than MaxMessageLen is refused. Nothing sipcore sends can carry an
// injected header, whatever its callers put in.
func checkOutgoing(msg sip.Message) error {
	size := len(msg.Body())
	if req, ok := msg.(*sip.Request); ok {
		if !isToken(string(req.Method)) {
			return invalid("method %q is not a token", truncate(string(req.Method), 40))
		}
		ru := req.Recipient.String()
		if err := CheckURIText(ru); err != nil {
			return fmt.Errorf("request URI: %w", err)
		}
		size += len(ru)
	}
	var hdrs []sip.Header
	switch m := msg.(type) {
	case *sip.Request:
		hdrs = m.Headers()
	case *sip.Response:
		hdrs = m.Headers()
	}
	for _, h := range hdrs {
		switch a := h.(type) {
		case *sip.FromHeader:
			a.DisplayName = wireName(a.DisplayName)
		case *sip.ToHeader:
			a.DisplayName = wireName(a.DisplayName)
		case *sip.ContactHeader:
			a.DisplayName = wireName(a.DisplayName)
		case *sip.ReferredByHeader:
			a.DisplayName = wireName(a.DisplayName)
		}
		name := h.Name()
		if !isToken(name) {
			return invalid("header name %q is not a SIP token", truncate(name, 40))
		}
		v := h.Value()
		if err := CheckText(v); err != nil {
			return fmt.Errorf("header %s: %w", name, err)
		}
		size += len(name) + len(v) + 4
		if size > MaxMessageLen {
			return invalid("message larger than %d bytes", MaxMessageLen)
		}
	}
	if size > MaxMessageLen {
		return invalid("message larger than %d bytes", MaxMessageLen)
	}
	return nil
}

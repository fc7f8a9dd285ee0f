package engine

import (
	"errors"
	"fmt"
	"strconv"
	"strings"

	"github.com/opensoftphone/webphone/sipcore"
)

// SplitPostDial splits a call() argument "123,456" into the number to dial
// and the DTMF digits to send once connected (everything after the first
// comma). Both parts are trimmed.
func SplitPostDial(s string) (number, dtmf string) {
	s = strings.TrimSpace(s)
	if i := strings.IndexByte(s, ','); i >= 0 {
		return strings.TrimSpace(s[:i]), strings.TrimSpace(s[i+1:])
	}
	return s, ""
}

// looksLikePhoneNumber applies the normalizenumber test (L3254): no letters
// or '@', 5 to 20 characters, at least 5 digits.
func looksLikePhoneNumber(s string) bool {
	if len(s) < 5 || len(s) > 20 || strings.ContainsAny(s, "@:") {
		return false
	}
	digits := 0
	for _, r := range s {
		switch {
		case r >= '0' && r <= '9':
			digits++
		case (r >= 'a' && r <= 'z') || (r >= 'A' && r <= 'Z'):
			return false
		}
	}
	return digits >= 5
}

// NormalizeNumber strips everything but digits, '*', '#' and a leading '+'
// from a string that looks like a phone number; other strings are returned
// unchanged.
func NormalizeNumber(s string) string {
	if !looksLikePhoneNumber(s) {
		return s
	}
	var b strings.Builder
	for i, r := range s {
		if (r >= '0' && r <= '9') || r == '*' || r == '#' || (r == '+' && b.Len() == 0 && strings.TrimSpace(s[:i]) == "") {
			b.WriteRune(r)
		}
	}
	return b.String()
}

// RewriteNumber applies numpxrewrite rules "prefix,rewriteTo,minLen,maxLen;..."
// (L3274): the first rule whose prefix matches and whose length bounds
// (0 or empty = no bound) hold replaces the prefix.
func RewriteNumber(number, rules string) string {
	for _, rule := range strings.Split(rules, ";") {
		f := strings.Split(rule, ",")
		if len(f) < 2 {
			continue
		}
		prefix := strings.TrimSpace(f[0])
		if prefix == "" || !strings.HasPrefix(number, prefix) {
			continue
		}
		if len(f) > 2 {
			if mn, err := strconv.Atoi(strings.TrimSpace(f[2])); err == nil && mn > 0 && len(number) < mn {
				continue
			}
		}
		if len(f) > 3 {
			if mx, err := strconv.Atoi(strings.TrimSpace(f[3])); err == nil && mx > 0 && len(number) > mx {
				continue
			}
		}
		return strings.TrimSpace(f[1]) + number[len(prefix):]
	}
	return number
}

// ErrInvalidTarget is returned for a call or chat destination that is empty
// or cannot become a SIP URI.
var ErrInvalidTarget = errors.New("Invalid phone number or SIP URI or username")

const badTargetChars = " \t\r\n<>\""

// isSIPURI reports whether s is already a SIP URI or user@host.
func isSIPURI(s string) bool {
	l := strings.ToLower(s)
	return strings.HasPrefix(l, "sip:") || strings.HasPrefix(l, "sips:") || strings.Contains(s, "@")
}

// DialTarget turns a dialled string into a SIP request URI. normalize is the
// normalizenumber value (-1 auto, 0 no, 1 yes), rules the numpxrewrite
// rules, techprefix a prefix for numbers, domain the SIP domain
// (serveraddress). Full SIP URIs and user@host pass unchanged except for the
// added "sip:" scheme.
func DialTarget(number string, normalize int, rules, techprefix, domain string) (string, error) {
	n := strings.TrimSpace(number)
	if n == "" {
		return "", ErrInvalidTarget
	}
	if err := checkTargetText(n); err != nil {
		return "", err
	}
	t, err := dialTarget(n, normalize, rules, techprefix, domain)
	if err != nil {
		return "", err
	}
	if err := sipcore.CheckURIText(t); err != nil { // after rewrite rules and prefix
		return "", fmt.Errorf("%w: %v", ErrInvalidTarget, err)
	}
	return t, nil
}

func dialTarget(n string, normalize int, rules, techprefix, domain string) (string, error) {
	if isSIPURI(n) {
		if strings.ContainsAny(n, badTargetChars) {
			return "", ErrInvalidTarget
		}
		l := strings.ToLower(n)
		if !strings.HasPrefix(l, "sip:") && !strings.HasPrefix(l, "sips:") {
			n = "sip:" + n
		}
		at := strings.IndexByte(n, '@')
		if at < 0 {
			// "sip:host" without user is a valid URI, but "sip:" alone is not
			if strings.TrimSpace(n[strings.IndexByte(n, ':')+1:]) == "" {
				return "", ErrInvalidTarget
			}
			return n, nil
		}
		if at == len(n)-1 || n[at-1] == ':' {
			return "", ErrInvalidTarget
		}
		return n, nil
	}
	if normalize != 0 {
		n = NormalizeNumber(n)
	}
	if rules != "" {
		n = RewriteNumber(n, rules)
	}
	n = techprefix + n
	if domain == "" || n == "" || strings.ContainsAny(n, badTargetChars) {
		return "", ErrInvalidTarget
	}
	return "sip:" + n + "@" + domain, nil
}

// UserOf returns the user part of a SIP URI or name-addr
// ("\"Bob\" <sip:bob@example.com>" gives "bob"); other strings are returned
// trimmed.
func UserOf(uri string) string {
	s := strings.TrimSpace(uri)
	if i := strings.IndexByte(s, '<'); i >= 0 {
		s = s[i+1:]
		if j := strings.IndexByte(s, '>'); j >= 0 {
			s = s[:j]
		}
	}
	l := strings.ToLower(s)
	if strings.HasPrefix(l, "sip:") {
		s = s[4:]
	} else if strings.HasPrefix(l, "sips:") {
		s = s[5:]
	} else if strings.HasPrefix(l, "tel:") {
		s = s[4:]
	}
	if i := strings.IndexAny(s, ";?"); i >= 0 {
		s = s[:i]
	}
	if i := strings.IndexByte(s, '@'); i >= 0 {
		return s[:i]
	}
	return s
}

// ValidDTMF reports whether every character of s is a DTMF digit
// (0-9 * # A-D) or a pause (space or comma), at most MaxDTMFLen of them.
func ValidDTMF(s string) bool {
	if s == "" || len(s) > MaxDTMFLen {
		return false
	}
	for _, r := range strings.ToUpper(s) {
		if !strings.ContainsRune("0123456789*#ABCD ,", r) {
			return false
		}
	}
	return true
}

package eventbody

import (
	"bufio"
	"bytes"
	"errors"
	"strconv"
	"strings"
)

// MessageSummary is a message-summary body (RFC 3842): whether messages
// wait, and the voice message counts.
type MessageSummary struct {
	Waiting   bool
	Account   string // Message-Account, when given
	New, Old  int    // voice messages
	HasCounts bool   // a Voice-Message line was present
}

// ParseMessageSummary reads an application/simple-message-summary body.
// Messages-Waiting is required; unknown lines are ignored.
func ParseMessageSummary(body []byte) (MessageSummary, error) {
	if len(body) > MaxBody {
		return MessageSummary{}, ErrTooLarge
	}
	var s MessageSummary
	seen := false
	sc := bufio.NewScanner(bytes.NewReader(body))
	for sc.Scan() {
		name, value, ok := strings.Cut(sc.Text(), ":")
		if !ok {
			continue
		}
		value = strings.TrimSpace(value)
		switch strings.ToLower(strings.TrimSpace(name)) {
		case "messages-waiting":
			switch strings.ToLower(value) {
			case "yes":
				s.Waiting, seen = true, true
			case "no":
				seen = true
			default:
				return MessageSummary{}, errors.New("eventbody: Messages-Waiting is neither yes nor no")
			}
		case "message-account":
			s.Account = value
		case "voice-message":
			n, o, ok := counts(value)
			if !ok {
				return MessageSummary{}, errors.New("eventbody: malformed Voice-Message line")
			}
			s.New, s.Old, s.HasCounts = n, o, true
		}
	}
	if err := sc.Err(); err != nil {
		return MessageSummary{}, err
	}
	if !seen {
		return MessageSummary{}, errors.New("eventbody: no Messages-Waiting line")
	}
	return s, nil
}

// counts reads "new/old" with an optional "(urgentnew/urgentold)".
func counts(v string) (int, int, bool) {
	if i := strings.IndexByte(v, '('); i >= 0 {
		v = v[:i]
	}
	a, b, ok := strings.Cut(strings.TrimSpace(v), "/")
	if !ok {
		return 0, 0, false
	}
	n, err1 := strconv.Atoi(strings.TrimSpace(a))
	o, err2 := strconv.Atoi(strings.TrimSpace(b))
	if err1 != nil || err2 != nil || n < 0 || o < 0 {
		return 0, 0, false
	}
	return n, o, true
}

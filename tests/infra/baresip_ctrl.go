package infra

import (
	"bufio"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"time"
)

// Event is one baresip event from ctrl_tcp, e.g. Type "CALL_ESTABLISHED".
type Event struct {
	Type       string // REGISTER_OK, CALL_INCOMING, CALL_ESTABLISHED, CALL_CLOSED, CALL_DTMF_START, ...
	Class      string // "register", "call", ...
	AccountAOR string
	Direction  string // "incoming" or "outgoing" for call events
	PeerURI    string
	CallID     string // baresip's call id ("id")
	Param      string // e.g. the DTMF digit or the close reason
	Raw        map[string]any
}

// baresipCtrl speaks ctrl_tcp: netstring-framed JSON commands, responses and
// events.
type baresipCtrl struct {
	conn net.Conn

	mu        sync.Mutex
	cond      *sync.Cond
	events    []Event
	taken     []bool
	responses map[string]map[string]any
	readErr   error
	token     int
	writeMu   sync.Mutex
	closeOnce sync.Once
}

func newBaresipCtrl(conn net.Conn) *baresipCtrl {
	c := &baresipCtrl{conn: conn, responses: map[string]map[string]any{}}
	c.cond = sync.NewCond(&c.mu)
	go c.readLoop()
	return c
}

func (c *baresipCtrl) close() { c.closeOnce.Do(func() { c.conn.Close() }) }

func (c *baresipCtrl) readLoop() {
	r := bufio.NewReader(c.conn)
	for {
		msg, err := readNetstring(r)
		if err != nil {
			c.mu.Lock()
			c.readErr = err
			c.cond.Broadcast()
			c.mu.Unlock()
			return
		}
		var m map[string]any
		if err := json.Unmarshal(msg, &m); err != nil {
			continue
		}
		c.mu.Lock()
		if ev, _ := m["event"].(bool); ev {
			c.events = append(c.events, eventFromJSON(m))
			c.taken = append(c.taken, false)
		} else if resp, _ := m["response"].(bool); resp {
			tok, _ := m["token"].(string)
			c.responses[tok] = m
		}
		c.cond.Broadcast()
		c.mu.Unlock()
	}
}

func eventFromJSON(m map[string]any) Event {
	s := func(k string) string { v, _ := m[k].(string); return v }
	return Event{Type: s("type"), Class: s("class"), AccountAOR: s("accountaor"), Direction: s("direction"),
		PeerURI: s("peeruri"), CallID: s("id"), Param: s("param"), Raw: m}
}

// readNetstring reads one "<len>:<data>," frame.
func readNetstring(r *bufio.Reader) ([]byte, error) {
	head, err := r.ReadString(':')
	if err != nil {
		return nil, err
	}
	n, err := strconv.Atoi(strings.TrimSpace(head[:len(head)-1]))
	if err != nil || n < 0 || n > 1<<20 {
		return nil, fmt.Errorf("bad netstring length %q", head)
	}
	buf := make([]byte, n+1)
	if _, err := io.ReadFull(r, buf); err != nil {
		return nil, err
	}
	if buf[n] != ',' {
		return nil, errors.New("netstring without trailing comma")
	}
	return buf[:n], nil
}

// command sends one command and waits up to 5 s for its response.
func (c *baresipCtrl) command(cmd, params string) (string, error) {
	c.mu.Lock()
	c.token++
	tok := strconv.Itoa(c.token)
	c.mu.Unlock()
	body, _ := json.Marshal(map[string]string{"command": cmd, "params": params, "token": tok})
	frame := fmt.Sprintf("%d:%s,", len(body), body)
	c.writeMu.Lock()
	_ = c.conn.SetWriteDeadline(time.Now().Add(5 * time.Second))
	_, err := c.conn.Write([]byte(frame))
	c.writeMu.Unlock()
	if err != nil {
		return "", err
	}
	deadline := time.Now().Add(5 * time.Second)
	timer := time.AfterFunc(5*time.Second, func() { c.mu.Lock(); c.cond.Broadcast(); c.mu.Unlock() })
	defer timer.Stop()
	c.mu.Lock()
	defer c.mu.Unlock()
	for {
		if m, ok := c.responses[tok]; ok {
			delete(c.responses, tok)
			data, _ := m["data"].(string)
			if ok, _ := m["ok"].(bool); !ok {
				return data, fmt.Errorf("baresip %s %q failed: %s", cmd, params, data)
			}
			return data, nil
		}
		if c.readErr != nil {
			return "", fmt.Errorf("baresip control channel: %w", c.readErr)
		}
		if time.Now().After(deadline) {
			return "", fmt.Errorf("baresip %s: no response in 5s", cmd)
		}
		c.cond.Wait()
	}
}

// waitEvent returns the oldest event not yet returned whose type matches one
// of the '|'-separated types.
func (c *baresipCtrl) waitEvent(types string, timeout time.Duration) (Event, error) {
	want := map[string]bool{}
	for _, ty := range strings.Split(types, "|") {
		want[strings.TrimSpace(ty)] = true
	}
	deadline := time.Now().Add(timeout)
	timer := time.AfterFunc(timeout, func() { c.mu.Lock(); c.cond.Broadcast(); c.mu.Unlock() })
	defer timer.Stop()
	c.mu.Lock()
	defer c.mu.Unlock()
	for {
		for i, ev := range c.events {
			if !c.taken[i] && want[ev.Type] {
				c.taken[i] = true
				return ev, nil
			}
		}
		if c.readErr != nil {
			return Event{}, fmt.Errorf("waiting for %s: control channel closed: %w", types, c.readErr)
		}
		if !time.Now().Before(deadline) {
			seen := make([]string, len(c.events))
			for i, ev := range c.events {
				seen[i] = ev.Type
			}
			return Event{}, fmt.Errorf("no %s event within %v (events so far: %v)", types, timeout, seen)
		}
		c.cond.Wait()
	}
}

func (c *baresipCtrl) allEvents() []Event {
	c.mu.Lock()
	defer c.mu.Unlock()
	return append([]Event(nil), c.events...)
}

// Command runs any baresip long command (as typed after "/" in its menu),
// e.g. Command("dial", "sip:bob@127.0.0.1:5060"), and returns its output.
func (b *Baresip) Command(cmd, params string) (string, error) { return b.ctrl.command(cmd, params) }

// Dial calls uri.
func (b *Baresip) Dial(uri string) error { _, err := b.ctrl.command("dial", uri); return err }

// Answer accepts the ringing incoming call.
func (b *Baresip) Answer() error { _, err := b.ctrl.command("accept", ""); return err }

// Hangup ends (or rejects, or cancels) the current call.
func (b *Baresip) Hangup() error { _, err := b.ctrl.command("hangup", ""); return err }

// SendDTMF sends digits (0-9, *, #, A-D) on the current call as RFC 4733
// telephone-events. They go in one sndcode command: baresip queues the
// digits and sends them one after the other, each with its own start and
// end, so nothing here needs to pace them.
func (b *Baresip) SendDTMF(digits string) error {
	for _, d := range digits {
		if !strings.ContainsRune("0123456789*#ABCDabcd", d) {
			return fmt.Errorf("infra: %q is not a DTMF digit", d)
		}
	}
	_, err := b.ctrl.command("sndcode", digits)
	return err
}

// WaitEvent waits for the oldest not yet returned event whose type is one of
// the '|'-separated types (e.g. "CALL_ESTABLISHED" or "CALL_CLOSED|CALL_FAILED").
func (b *Baresip) WaitEvent(types string, timeout time.Duration) (Event, error) {
	return b.ctrl.waitEvent(types, timeout)
}

// Events returns every event received so far.
func (b *Baresip) Events() []Event { return b.ctrl.allEvents() }

var baresipDTMFLogRe = regexp.MustCompile(`received DTMF: '(.)'`)

// ReceivedDTMF returns the digits baresip reported receiving, in order (from
// its CALL_DTMF_START events, or its log when it sent no such events).
func (b *Baresip) ReceivedDTMF() string {
	var sb strings.Builder
	for _, ev := range b.ctrl.allEvents() {
		if ev.Type == "CALL_DTMF_START" {
			sb.WriteString(ev.Param)
		}
	}
	if sb.Len() > 0 {
		return sb.String()
	}
	for _, m := range baresipDTMFLogRe.FindAllStringSubmatch(b.Log(), -1) {
		sb.WriteString(m[1])
	}
	return sb.String()
}

var (
	ansiRe              = regexp.MustCompile(`\x1b\[[0-9;]*m`)
	baresipRegFailLogRe = regexp.MustCompile(`(?m)^.*\b([3-6]\d\d) [A-Z][^\n]*$`)
)

// RegInfo returns baresip's "reginfo" output (registration status per
// account), without terminal colour codes.
func (b *Baresip) RegInfo() (string, error) {
	s, err := b.ctrl.command("reginfo", "")
	return ansiRe.ReplaceAllString(s, ""), err
}

// WaitRegistered waits until the account's registration succeeded (nil) or
// failed (an error quoting the failure status from baresip's log, e.g.
// "403 Forbidden").
func (b *Baresip) WaitRegistered(timeout time.Duration) error {
	deadline := time.Now().Add(timeout)
	last := ""
	for time.Now().Before(deadline) {
		info, err := b.RegInfo()
		if err != nil {
			return err
		}
		last = info
		switch {
		case strings.Contains(info, " OK "):
			return nil
		case strings.Contains(info, " ERR"):
			status := "unknown status"
			if m := baresipRegFailLogRe.FindAllStringSubmatch(ansiRe.ReplaceAllString(b.Log(), ""), -1); m != nil {
				status = strings.TrimSpace(m[len(m)-1][0])
			}
			return fmt.Errorf("registration refused: %s", status)
		}
		time.Sleep(100 * time.Millisecond)
	}
	return fmt.Errorf("registration status unknown after %v: %q", timeout, last)
}

package engine

import (
	"strconv"
	"strings"
)

// Call history entry types (listcallhistory).
const (
	HistoryOutgoing = 0
	HistoryIncoming = 1
	HistoryMissed   = 2
)

// maxCallHistory is how many calls the history keeps per account; the
// oldest go first.
const maxCallHistory = 500

// HistoryEntry is one finished call in the call history.
type HistoryEntry struct {
	Type       int    `json:"type"`
	Name       string `json:"name,omitempty"`
	Number     string `json:"number"`
	DateMs     int64  `json:"date"`     // when the call began, ms since 1970
	DurationMs int64  `json:"duration"` // connected time, ms
	Reason     string `json:"reason,omitempty"`
}

// String is the documented record:
// type \t name \t number \t date \t duration \t discreason
func (h HistoryEntry) String() string {
	return strings.Join([]string{
		strconv.Itoa(h.Type), recordField(h.Name), recordField(h.Number),
		strconv.FormatInt(h.DateMs, 10), strconv.FormatInt(h.DurationMs, 10), recordField(h.Reason),
	}, "\t")
}

// HistoryEntryOf makes the history entry of a finished call: an incoming
// call that never connected is a missed call.
func HistoryEntryOf(c CDR, connected bool) HistoryEntry {
	typ := HistoryOutgoing
	if c.Direction == 2 {
		typ = HistoryIncoming
		if !connected {
			typ = HistoryMissed
		}
	}
	return HistoryEntry{
		Type: typ, Name: c.PeerDisplay, Number: c.PeerName,
		DateMs: c.Start.UnixMilli(), DurationMs: c.DurationMs, Reason: c.Reason,
	}
}

func callHistoryKey(account string) string { return "callhistory." + account }

// addHistory records a finished call in the account's history (the
// newest maxCallHistory, within the storage bound). A call
// whose peer sent no display name is named after the contact with its
// number, if any.
func (u *userData) addHistory(account string, h HistoryEntry) {
	u.mu.Lock()
	defer u.mu.Unlock()
	if h.Name == "" {
		var contacts []Contact
		u.loadLocked(contactsKey(account), &contacts)
		if i := findContact(contacts, "", h.Number); i >= 0 {
			h.Name = contacts[i].Name
		}
	}
	var list []HistoryEntry
	u.loadLocked(callHistoryKey(account), &list)
	list = append(list, h)
	if len(list) > maxCallHistory {
		list = list[len(list)-maxCallHistory:]
	}
	// over the storage bound, the oldest calls go first
	for !u.saveLocked(account, callHistoryKey(account), list) && len(list) > 1 {
		list = list[len(list)/4+1:]
	}
}

// ListCallHistory returns the current account's call history, newest
// first, one record per call separated by "\r\n" (see
// HistoryEntry.String); false when it is empty (the page gets null).
func (e *Engine) ListCallHistory() (s string, ok bool) {
	defer e.recovered("listcallhistory")
	account := accountID(e.params)
	u := e.userData
	u.mu.Lock()
	var list []HistoryEntry
	u.loadLocked(callHistoryKey(account), &list)
	u.mu.Unlock()
	if len(list) == 0 {
		return "", false
	}
	recs := make([]string, 0, len(list))
	for i := len(list) - 1; i >= 0; i-- {
		recs = append(recs, list[i].String())
	}
	return strings.Join(recs, "\r\n"), true
}

package engine

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// newBookEngine is an engine (not started) for account user@example.com
// over st.
func newBookEngine(t *testing.T, st Storage, user string, cfg map[string]string) *Engine {
	t.Helper()
	e := New(Options{Storage: st, AutoStartDelay: -1})
	t.Cleanup(e.Close)
	all := map[string]string{"serveraddress": "example.com", "username": user, "autostart": "0"}
	for k, v := range cfg {
		all[k] = v
	}
	e.Init(all, "")
	return e
}

// The contact functions answer in the documented formats: records of
// name, numbers, favorite, email, address, notes, website, types separated
// by tabs, contacts by CRLF; null (false here) when nothing is found.
func TestContactsInTheDocumentedFormat(t *testing.T) {
	e := newBookEngine(t, NewMapStorage(), "1001", nil)

	_, ok := e.ListContacts(false)
	assert.False(t, ok, "no contacts: null")
	_, ok = e.GetContact("Kate", "")
	assert.False(t, ok, "not found: null")

	require.True(t, e.AddContact("Kate", "1111", "", "", "", "", "", ""))
	require.True(t, e.AddContact("John Smith", "2222|3333", "", "", "", "", "", ""))
	require.True(t, e.AddContact("James Oliver", "+40 741-234.567", "james@example.com", "Victoria street", "hi",
		"www.example.com", "phone|sip", "1"))
	require.True(t, e.AddContact("", "4444", "", "", "", "", "", "0"), "an empty name becomes the number")

	list, ok := e.ListContacts(false)
	require.True(t, ok)
	assert.Equal(t, strings.Join([]string{
		"Kate\t1111\t0\t\t\t\t\t",
		"John Smith\t2222|3333\t0\t\t\t\t\t",
		"James Oliver\t+40741234567\t1\tjames@example.com\tVictoria street\thi\twww.example.com\tphone|sip",
		"4444\t4444\t0\t\t\t\t\t",
	}, "\r\n"), list)

	got, ok := e.GetContact("john smith", "")
	require.True(t, ok, "names match case-insensitively")
	assert.Equal(t, "John Smith\t2222|3333\t0\t\t\t\t\t", got)
	got, ok = e.GetContact("", "3333")
	require.True(t, ok, "found by its second number")
	assert.Equal(t, "John Smith\t2222|3333\t0\t\t\t\t\t", got)
	got, ok = e.GetContact("Nobody", "+40 741 234 567")
	require.True(t, ok, "numbers match without separators")
	assert.True(t, strings.HasPrefix(got, "James Oliver\t"))

	// the same name again replaces the contact
	require.True(t, e.AddContact("Kate", "1112", "kate@example.com", "", "", "", "", "1"))
	got, _ = e.GetContact("Kate", "")
	assert.Equal(t, "Kate\t1112\t1\tkate@example.com\t\t\t\t", got)

	// delcontact: name or number
	assert.True(t, e.DelContact("kate", ""))
	assert.True(t, e.DelContact("", "2222"))
	assert.False(t, e.DelContact("Nobody", "999"), "nothing matched")
	list, _ = e.ListContacts(false)
	assert.Equal(t, 2, len(strings.Split(list, "\r\n")), list)

	assert.True(t, e.DelAllContacts())
	_, ok = e.ListContacts(false)
	assert.False(t, ok)
}

// Nothing a page passes breaks the record format or the store: tabs and
// line breaks become spaces, a contact needs a number, fields are bounded.
func TestContactInputCannotBreakTheRecords(t *testing.T) {
	e := newBookEngine(t, NewMapStorage(), "1001", nil)
	assert.False(t, e.AddContact("Nobody", "", "", "", "", "", "", ""), "no number")
	assert.False(t, e.AddContact("Nobody", " | ", "", "", "", "", "", ""), "only separators")
	assert.False(t, e.AddContact(strings.Repeat("x", 2000), "1", "", "", "", "", "", ""), "oversized")
	require.True(t, e.AddContact("Eve\tEvil\r\nX", "5\t5", "a\nb", "", "no\x00tes", "", "", "1"))
	list, ok := e.ListContacts(false)
	require.True(t, ok)
	assert.Equal(t, "Eve Evil  X\t55\t1\ta b\t\tnotes\t\t", list)
}

// Contacts persist in the Storage, per account: a new engine over the same
// storage (a page reload) sees them; another account does not.
func TestContactsPersistPerAccount(t *testing.T) {
	st := NewMapStorage()
	e := newBookEngine(t, st, "1001", nil)
	require.True(t, e.AddContact("Kate", "1111", "", "", "", "", "", ""))

	again := newBookEngine(t, st, "1001", nil)
	got, ok := again.GetContact("Kate", "")
	require.True(t, ok, "after a reload")
	assert.Equal(t, "Kate\t1111\t0\t\t\t\t\t", got)

	other := newBookEngine(t, st, "1002", nil)
	_, ok = other.ListContacts(false)
	assert.False(t, ok, "another account has its own list")

	// corrupt data in the store reads as an empty list, not a failure
	st.Set(contactsKey("1002@example.com"), "{not json")
	_, ok = other.ListContacts(false)
	assert.False(t, ok)
	assert.True(t, other.AddContact("Bob", "2", "", "", "", "", "", ""))
}

// defcontacts adds its contacts once: one the user deleted stays deleted
// until the parameter changes; all=true lists the voicemail number too.
func TestDefContactsAndVirtualContacts(t *testing.T) {
	st := NewMapStorage()
	cfg := map[string]string{"defcontacts": "John Doe,12121;Jill Doe,231231,jill@g.com", "voicemailnum": "*97"}
	e := newBookEngine(t, st, "1001", cfg)
	list, ok := e.ListContacts(false)
	require.True(t, ok)
	assert.Equal(t, "John Doe\t12121\t0\t\t\t\t\t\r\nJill Doe\t231231\t0\tjill@g.com\t\t\t\t", list)
	all, _ := e.ListContacts(true)
	assert.Equal(t, list+"\r\nVoicemail\t*97\t0\t\t\t\t\t", all)

	require.True(t, e.DelContact("John Doe", ""))
	again := newBookEngine(t, st, "1001", cfg)
	list, _ = again.ListContacts(false)
	assert.Equal(t, "Jill Doe\t231231\t0\tjill@g.com\t\t\t\t", list, "a deleted default stays deleted")

	cfg["defcontacts"] = "John Doe,12121;Ann,3"
	changed := newBookEngine(t, st, "1001", cfg)
	list, _ = changed.ListContacts(false)
	assert.Equal(t, 3, len(strings.Split(list, "\r\n")), "a new defcontacts value adds its contacts: %q", list)
}

// delsettings(2) forgets the contacts and the call history of every
// account; delsettings(1) keeps them.
func TestDelSettingsTwoForgetsContactsAndHistory(t *testing.T) {
	st := NewMapStorage()
	a := newBookEngine(t, st, "1001", nil)
	require.True(t, a.AddContact("Kate", "1111", "", "", "", "", "", ""))
	a.userData.addHistory("1001@example.com", HistoryEntry{Type: HistoryOutgoing, Number: "1002"})
	b := newBookEngine(t, st, "1002", nil)
	require.True(t, b.AddContact("Bob", "2", "", "", "", "", "", ""))

	require.True(t, a.DelSettings(1))
	_, ok := newBookEngine(t, st, "1001", nil).GetContact("Kate", "")
	assert.True(t, ok, "level 1 is the settings only")

	require.True(t, a.DelSettings(2))
	for _, user := range []string{"1001", "1002"} {
		e := newBookEngine(t, st, user, nil)
		_, ok := e.ListContacts(false)
		assert.False(t, ok, user+" contacts")
		_, ok = e.ListCallHistory()
		assert.False(t, ok, user+" history")
	}
}

// The stored list is bounded (browsers lose a localStorage write over the
// quota): addcontact answers false once the list would exceed it, and the
// contacts stored before stay.
func TestContactListStorageIsBounded(t *testing.T) {
	st := NewMapStorage()
	e := newBookEngine(t, st, "1001", nil)
	e.userData.maxBytes = 4096
	big := strings.Repeat("n", 1000)
	added := 0
	for i := 0; i < 10; i++ {
		if e.AddContact("c"+string(rune('a'+i)), "1", big, "", "", "", "", "") {
			added++
		}
	}
	assert.Equal(t, 3, added, "contacts of about 1 KB each under a 4 KB bound")
	v, _ := st.Get(contactsKey("1001@example.com"))
	assert.LessOrEqual(t, len(v), 4096)
	list, _ := e.ListContacts(false)
	assert.Equal(t, 3, len(strings.Split(list, "\r\n")))
}

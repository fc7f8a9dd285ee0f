package engine

import (
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// fakeAddressBook answers GetText with a fixed status and body.
type fakeAddressBook struct {
	mu     sync.Mutex
	status int
	body   string
	urls   []string
}

func (f *fakeAddressBook) Get(string, time.Duration, func(int, error)) {}

func (f *fakeAddressBook) GetText(u string, _ time.Duration, maxBytes int, done func(int, string, error)) {
	f.mu.Lock()
	f.urls = append(f.urls, u)
	status, body := f.status, f.body
	f.mu.Unlock()
	if len(body) > maxBytes {
		body = body[:maxBytes]
	}
	done(status, body, nil)
}

func (f *fakeAddressBook) requests() int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return len(f.urls)
}

func newAddressBookEngine(t *testing.T, st Storage, http HTTPRequester, cfg map[string]string) *Engine {
	t.Helper()
	e := New(Options{Storage: st, HTTP: http, AutoStartDelay: -1})
	t.Cleanup(e.Close)
	all := map[string]string{"serveraddress": "example.com", "username": "1001", "autostart": "0",
		"serveraddressbook_url": "https://example.com/book.txt"}
	for k, v := range cfg {
		all[k] = v
	}
	e.Init(all, "")
	return e
}

// synccontacts downloads the address book (tab/CRLF records in the
// listcontacts order) and merges it: same name replaced, new ones added,
// broken records skipped.
func TestSyncContactsMergesTheServerAddressBook(t *testing.T) {
	book := &fakeAddressBook{status: 200, body: "Kate\t1111|2222\t1\tkate@example.com\r\n" +
		"\t999\r\nNo number\t\r\nBob\t3333\t0\t\t\t\t\tsip\n"}
	e := newAddressBookEngine(t, NewMapStorage(), book, nil)
	require.True(t, e.AddContact("Kate", "1", "", "", "", "", "", ""))
	require.True(t, e.AddContact("Ann", "5", "", "", "", "", "", ""))

	require.True(t, e.SyncContacts())
	assert.Equal(t, []string{"https://example.com/book.txt"}, book.urls)
	list, _ := e.ListContacts(false)
	assert.Equal(t, strings.Join([]string{
		"Kate\t1111|2222\t1\tkate@example.com\t\t\t\t",
		"Ann\t5\t0\t\t\t\t\t",
		"Bob\t3333\t0\t\t\t\t\tsip",
	}, "\r\n"), list)
}

// A failed download changes nothing; without a usable URL or an HTTP
// platform synccontacts answers false.
func TestSyncContactsFailures(t *testing.T) {
	book := &fakeAddressBook{status: 404, body: "Kate\t1111"}
	e := newAddressBookEngine(t, NewMapStorage(), book, nil)
	require.True(t, e.SyncContacts())
	_, ok := e.ListContacts(false)
	assert.False(t, ok, "HTTP 404: no contacts")

	for _, bad := range []string{"", "ftp://example.com/x", "javascript:alert(1)", "https:///nohost"} {
		e := newAddressBookEngine(t, NewMapStorage(), book, map[string]string{"serveraddressbook_url": bad})
		assert.False(t, e.SyncContacts(), "url %q", bad)
	}
	noHTTP := newAddressBookEngine(t, NewMapStorage(), nil, nil)
	assert.False(t, noHTTP.SyncContacts())
}

// serveraddressbook_sync: 0 downloads once ever, 1 (default) until
// contacts were received, 2 at every start.
func TestAddressBookSyncModes(t *testing.T) {
	for _, c := range []struct {
		mode   string
		status int
		want   int // downloads over three starts
	}{
		{"0", 404, 1},
		{"1", 404, 3},
		{"1", 200, 1},
		{"", 200, 1},
		{"2", 200, 3},
	} {
		st := NewMapStorage()
		book := &fakeAddressBook{status: c.status, body: "Kate\t1111"}
		for i := 0; i < 3; i++ {
			e := newAddressBookEngine(t, st, book, map[string]string{"serveraddressbook_sync": c.mode})
			e.autoSyncAddressBook()
		}
		assert.Equal(t, c.want, book.requests(), "serveraddressbook_sync=%q, HTTP %d", c.mode, c.status)
	}
}

// Whatever a server address book holds, every contact read from it makes
// one record of the eight documented fields, without line breaks.
func FuzzParseAddressBook(f *testing.F) {
	f.Add("Kate\t1111|2222\t1\tkate@example.com\r\nBob\t3333\t0\t\t\t\t\tsip\n")
	f.Add("\t\t\t\r\r\n\n||\t|")
	f.Add("Eve\x00\t+1 (555) 12-34\t\xff\xfe\t" + strings.Repeat("x", 2000))
	f.Fuzz(func(t *testing.T, text string) {
		for _, c := range ParseAddressBook(text) {
			rec := c.String()
			if strings.ContainsAny(rec, "\r\n") {
				t.Fatalf("record with a line break: %q", rec)
			}
			if n := strings.Count(rec, "\t"); n != 7 {
				t.Fatalf("record with %d tabs, want 7: %q", n, rec)
			}
			if c.Name == "" || len(c.Numbers) == 0 {
				t.Fatalf("contact without a name or number: %+v", c)
			}
		}
	})
}

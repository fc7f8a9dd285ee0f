package engine

import (
	"errors"
	"net/url"
	"strings"
	"sync"
	"time"
)

// HTTPTextRequester is an HTTPRequester that also hands over the answer's
// body (fetch in the browser): GetText returns at once and calls done once
// with the status and at most maxBytes of the body, or an error; it gives
// up after timeout. The server address book (synccontacts) needs it.
type HTTPTextRequester interface {
	GetText(url string, timeout time.Duration, maxBytes int, done func(status int, body string, err error))
}

// Bounds of a server address book download.
const (
	addressBookTimeout  = 30 * time.Second
	addressBookMaxBytes = 1 << 20
	maxAddressBookURL   = 8192
)

// Storage keys of the address book sync, per account.
func addressBookTriedKey(account string) string  { return "contacts.synctried." + account }
func addressBookSyncedKey(account string) string { return "contacts.synced." + account }

// addressBookURL checks serveraddressbook_url: an http(s) URL with a host.
func addressBookURL(raw string) (string, error) {
	u := strings.TrimSpace(raw)
	if u == "" {
		return "", errors.New("serveraddressbook_url is not set")
	}
	if len(u) > maxAddressBookURL {
		return "", errors.New("serveraddressbook_url is too long")
	}
	p, err := url.Parse(u)
	if err != nil || (p.Scheme != "http" && p.Scheme != "https") || p.Host == "" {
		return "", errors.New("serveraddressbook_url is not an http(s) URL")
	}
	return u, nil
}

// ParseAddressBook reads a server address book: contacts separated by line
// breaks, fields by tabs, in the listcontacts order (name, numbers,
// favorite, email, address, notes, website, types). Records without a
// name and a number are skipped.
func ParseAddressBook(text string) []Contact {
	var out []Contact
	for _, rec := range strings.Split(strings.ReplaceAll(text, "\r\n", "\n"), "\n") {
		f := strings.Split(rec, "\t")
		for len(f) < 8 {
			f = append(f, "")
		}
		if strings.TrimSpace(f[0]) == "" {
			continue
		}
		c, err := NewContact(f[0], f[1], f[3], f[4], f[5], f[6], f[7], f[2], true)
		if err == nil {
			out = append(out, c)
		}
	}
	return out
}

// SyncContacts downloads the server address book (serveraddressbook_url)
// now and merges it into the current account's contacts: a contact of the
// same name is replaced, a new one added (synccontacts). It returns true
// when the download started; the outcome is logged.
func (e *Engine) SyncContacts() (ok bool) {
	defer e.recovered("synccontacts")
	return e.syncAddressBook()
}

// autoSyncAddressBook runs the sync the serveraddressbook_sync parameter
// asks for when the engine has started: 0 once ever, 1 (default) until
// contacts were received once, 2 at every start.
func (e *Engine) autoSyncAddressBook() {
	if strings.TrimSpace(e.params.Get("serveraddressbook_url")) == "" {
		return
	}
	account := accountID(e.params)
	mode := e.params.Int("serveraddressbook_sync", 1)
	u := e.userData
	u.mu.Lock()
	_, tried := u.st.Get(addressBookTriedKey(account))
	_, synced := u.st.Get(addressBookSyncedKey(account))
	u.mu.Unlock()
	if mode == 0 && tried || mode == 1 && synced {
		return
	}
	e.syncAddressBook()
}

func (e *Engine) syncAddressBook() bool {
	link, err := addressBookURL(e.params.Get("serveraddressbook_url"))
	if err != nil {
		e.logWarn("synccontacts: " + err.Error())
		return false
	}
	http, ok := e.opts.HTTP.(HTTPTextRequester)
	if !ok {
		e.logWarn("synccontacts: no HTTP downloads on this platform")
		return false
	}
	account, defs := accountID(e.params), e.params.Get("defcontacts")
	e.userData.mu.Lock()
	e.userData.st.Set(addressBookTriedKey(account), "1")
	e.userData.mu.Unlock()
	var once sync.Once
	finish := func(status int, body string, err error) {
		once.Do(func() {
			switch {
			case err != nil:
				e.logWarn("synccontacts: " + err.Error())
			case status != 200:
				e.logWarn("synccontacts: the server address book answered HTTP " + itoa(status))
			default:
				e.mergeAddressBook(account, defs, ParseAddressBook(body))
			}
		})
	}
	stop := e.opts.AfterFunc(addressBookTimeout, func() { finish(0, "", errors.New("no answer in 30 s")) })
	e.logEvent(LogDetail, "synccontacts: downloading "+link)
	http.GetText(link, addressBookTimeout, addressBookMaxBytes, func(status int, body string, err error) {
		stop()
		finish(status, body, err)
	})
	return true
}

// mergeAddressBook adds the downloaded contacts to the account's list.
func (e *Engine) mergeAddressBook(account, defs string, got []Contact) {
	u := e.userData
	u.mu.Lock()
	defer u.mu.Unlock()
	list := u.contactsLocked(account, defs)
	for _, c := range got {
		if i := indexOfName(list, c.Name); i >= 0 {
			list[i] = c
		} else if len(list) < maxContacts {
			list = append(list, c)
		}
	}
	if !u.saveLocked(account, contactsKey(account), list) {
		e.logWarn("synccontacts: the address book exceeds the contact list's storage bound; not stored")
		return
	}
	if len(got) > 0 {
		u.st.Set(addressBookSyncedKey(account), "1")
	}
	e.logEvent(LogImportant, "synccontacts: "+itoa(len(got))+" contacts from the server address book")
}

package engine

import (
	"encoding/json"
	"sort"
	"strings"
	"sync"
)

// userDataAccountsKey is the Storage key listing the accounts that have
// user data (contacts, call history), so delsettings(2) can forget them all.
const userDataAccountsKey = "userdata.accounts"

// userData is the per-account store of the user's own data: the contact
// list and the call history. It keeps JSON under keys that name the
// account (user@domain), in the engine's Storage (memory when there is
// none). It has its own lock, taken after every other engine lock.
type userData struct {
	mu       sync.Mutex
	st       Storage
	maxBytes int // bound of one stored value (maxStoredBytes)
}

func newUserData(st Storage) *userData {
	if st == nil {
		st = NewMapStorage()
	}
	return &userData{st: st, maxBytes: maxStoredBytes}
}

// accountID names the account whose data the API reads and writes: the
// user name and SIP domain, lower-cased.
func accountID(p *Params) string {
	user, _ := Credentials(p)
	return strings.ToLower(user + "@" + SIPDomain(p))
}

// loadLocked decodes the JSON under key into v; missing or unreadable
// data (an older format, a page that wrote the key) reads as empty.
func (u *userData) loadLocked(key string, v any) {
	s, ok := u.st.Get(key)
	if !ok || s == "" {
		return
	}
	if err := json.Unmarshal([]byte(s), v); err != nil {
		// keep what decoded; the rest is dropped at the next save
		return
	}
}

// maxStoredBytes bounds one stored value: browsers give an origin's
// localStorage a few MB in all, and a write over the quota is lost.
const maxStoredBytes = 2 << 20

// saveLocked stores v as JSON under key and records account as one that
// has data. It refuses (false) a value over u.maxBytes.
func (u *userData) saveLocked(account, key string, v any) bool {
	b, err := json.Marshal(v)
	if err != nil || len(b) > u.maxBytes {
		return false
	}
	u.st.Set(key, string(b))
	var accounts []string
	u.loadLocked(userDataAccountsKey, &accounts)
	for _, a := range accounts {
		if a == account {
			return true
		}
	}
	accounts = append(accounts, account)
	sort.Strings(accounts)
	if b, err := json.Marshal(accounts); err == nil {
		u.st.Set(userDataAccountsKey, string(b))
	}
	return true
}

// clearAll forgets the contacts and the call history of every account.
func (u *userData) clearAll() {
	u.mu.Lock()
	defer u.mu.Unlock()
	var accounts []string
	u.loadLocked(userDataAccountsKey, &accounts)
	for _, a := range accounts {
		u.st.Remove(contactsKey(a))
		u.st.Remove(contactsDefaultsKey(a))
		u.st.Remove(callHistoryKey(a))
		u.st.Remove(addressBookTriedKey(a))
		u.st.Remove(addressBookSyncedKey(a))
	}
	u.st.Remove(userDataAccountsKey)
}

// recordField makes s safe for one field of a tab-separated record
// (listcontacts, listcallhistory): tabs and line breaks become spaces.
func recordField(s string) string {
	return strings.Map(func(r rune) rune {
		switch r {
		case '\t', '\r', '\n':
			return ' '
		}
		if r < 0x20 || r == 0x7f {
			return -1
		}
		return r
	}, s)
}

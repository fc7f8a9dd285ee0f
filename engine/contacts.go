package engine

import (
	"errors"
	"strings"
	"unicode/utf8"
)

// Contact is one entry of the contact list (addcontact, listcontacts).
type Contact struct {
	Name     string   `json:"name"`
	Numbers  []string `json:"numbers"`
	Favorite bool     `json:"favorite,omitempty"`
	Email    string   `json:"email,omitempty"`
	Address  string   `json:"address,omitempty"`
	Notes    string   `json:"notes,omitempty"`
	Website  string   `json:"website,omitempty"`
	Types    []string `json:"types,omitempty"`
}

// Limits on what a page may store as contacts.
const (
	maxContacts          = 5000
	maxContactFieldBytes = 1024
)

// String is the documented record:
// name \t number1|number2 \t favorite \t email \t address \t notes \t website \t type1|type2
func (c Contact) String() string {
	fav := "0"
	if c.Favorite {
		fav = "1"
	}
	return strings.Join([]string{
		recordField(c.Name), recordField(strings.Join(c.Numbers, "|")), fav,
		recordField(c.Email), recordField(c.Address), recordField(c.Notes), recordField(c.Website),
		recordField(strings.Join(c.Types, "|")),
	}, "\t")
}

// NewContact builds a contact from the addcontact arguments: number and
// typ may be "|"-separated lists, favorite is "1" or "true" for yes; an
// empty name becomes the first number. With normalize, phone numbers lose
// their spaces, dashes, dots and brackets. It fails without a number or
// with a field over the size limit.
func NewContact(name, number, email, address, notes, website, typ, favorite string, normalize bool) (Contact, error) {
	c := Contact{
		Name:  cleanField(name),
		Email: cleanField(email), Address: cleanField(address), Notes: cleanField(notes), Website: cleanField(website),
		Numbers: splitList(number),
		Types:   splitList(typ),
	}
	for _, f := range []string{name, number, email, address, notes, website, typ} {
		if len(f) > maxContactFieldBytes {
			return Contact{}, errors.New("a contact field is longer than 1024 bytes")
		}
	}
	if normalize {
		for i, n := range c.Numbers {
			c.Numbers[i] = normalizeNumber(n)
		}
	}
	if len(c.Numbers) == 0 {
		return Contact{}, errors.New("a contact needs a number")
	}
	if c.Name == "" {
		c.Name = c.Numbers[0]
	}
	f := strings.ToLower(strings.TrimSpace(favorite))
	c.Favorite = f == "1" || f == "true"
	return c, nil
}

// cleanField trims s, drops invalid UTF-8 and makes it one record field.
func cleanField(s string) string {
	if !utf8.ValidString(s) {
		s = strings.ToValidUTF8(s, "")
	}
	return strings.TrimSpace(recordField(s))
}

// splitList splits a "|"-separated list, dropping empty items.
func splitList(s string) []string {
	var out []string
	for _, p := range strings.Split(s, "|") {
		if p = cleanField(p); p != "" {
			out = append(out, p)
		}
	}
	return out
}

// normalizeNumber removes the separators people type into phone numbers
// ("+1 (555) 123-45.67" → "+15551234567"); a SIP URI or a name is left as
// it is.
func normalizeNumber(n string) string {
	digits := 0
	for _, r := range n {
		switch {
		case r >= '0' && r <= '9':
			digits++
		case r == '+' || r == ' ' || r == '-' || r == '.' || r == '(' || r == ')' || r == '*' || r == '#':
		default:
			return n
		}
	}
	if digits == 0 {
		return n
	}
	return strings.Map(func(r rune) rune {
		switch r {
		case ' ', '-', '.', '(', ')':
			return -1
		}
		return r
	}, n)
}

// sameName compares contact names the way a user means them.
func sameName(a, b string) bool {
	return strings.EqualFold(strings.TrimSpace(a), strings.TrimSpace(b))
}

// hasNumber reports whether the contact has number (compared without
// separators).
func (c Contact) hasNumber(number string) bool {
	want := normalizeNumber(cleanField(number))
	if want == "" {
		return false
	}
	for _, n := range c.Numbers {
		if strings.EqualFold(normalizeNumber(n), want) {
			return true
		}
	}
	return false
}

func contactsKey(account string) string         { return "contacts." + account }
func contactsDefaultsKey(account string) string { return "contacts.defaults." + account }

// contacts returns the account's stored list, with the defcontacts
// parameter's contacts added once per value of it (a default contact the
// user deleted stays deleted until defcontacts changes). Called with u.mu
// held.
func (u *userData) contactsLocked(account, defcontacts string) []Contact {
	var list []Contact
	u.loadLocked(contactsKey(account), &list)
	defcontacts = strings.TrimSpace(defcontacts)
	if applied, _ := u.st.Get(contactsDefaultsKey(account)); applied == defcontacts {
		return list
	}
	for _, d := range ParseDefContacts(defcontacts) {
		if indexOfName(list, d.Name) < 0 && len(list) < maxContacts {
			list = append(list, d)
		}
	}
	u.saveLocked(account, contactsKey(account), list)
	u.st.Set(contactsDefaultsKey(account), defcontacts)
	return list
}

// ParseDefContacts reads the defcontacts parameter:
// "name,number,email,address,notes,website;..." (a number may be a
// "|"-separated list). Entries without a number are skipped.
func ParseDefContacts(s string) []Contact {
	var out []Contact
	for _, entry := range strings.Split(s, ";") {
		f := strings.Split(entry, ",")
		for len(f) < 6 {
			f = append(f, "")
		}
		c, err := NewContact(f[0], f[1], f[2], f[3], f[4], f[5], "", "0", true)
		if err == nil {
			out = append(out, c)
		}
	}
	return out
}

func indexOfName(list []Contact, name string) int {
	for i, c := range list {
		if sameName(c.Name, name) {
			return i
		}
	}
	return -1
}

// findContact returns the index of the contact named name, else of the
// first one with number; -1 when neither matches.
func findContact(list []Contact, name, number string) int {
	if name = cleanField(name); name != "" {
		if i := indexOfName(list, name); i >= 0 {
			return i
		}
	}
	for i, c := range list {
		if c.hasNumber(number) {
			return i
		}
	}
	return -1
}

// AddContact adds a contact to the current account's list (addcontact):
// a contact with the same name (case-insensitive) is replaced. It fails
// without a number, with an oversized field, or when the list is full
// (maxContacts, or 2 MiB stored).
func (e *Engine) AddContact(name, number, email, address, notes, website, typ, favorite string) (ok bool) {
	defer e.recovered("addcontact")
	c, err := NewContact(name, number, email, address, notes, website, typ, favorite, e.params.Get("normalize_contact") != "0")
	if err != nil {
		e.refuseInput("addcontact", err)
		return false
	}
	account, defs := accountID(e.params), e.params.Get("defcontacts")
	u := e.userData
	u.mu.Lock()
	defer u.mu.Unlock()
	list := u.contactsLocked(account, defs)
	if i := indexOfName(list, c.Name); i >= 0 {
		list[i] = c
	} else {
		if len(list) >= maxContacts {
			e.logWarn("addcontact refused: the contact list is full")
			return false
		}
		list = append(list, c)
	}
	if !u.saveLocked(account, contactsKey(account), list) {
		e.logWarn("addcontact refused: the contact list would exceed its storage bound")
		return false
	}
	return true
}

// ListContacts returns the current account's contacts, one record per
// contact separated by "\r\n" (see Contact.String), and false when there
// are none (the page gets null). With all, the voicemail number
// (voicemailnum) is listed too, as the contact "Voicemail".
func (e *Engine) ListContacts(all bool) (s string, ok bool) {
	defer e.recovered("listcontacts")
	account, defs := accountID(e.params), e.params.Get("defcontacts")
	u := e.userData
	u.mu.Lock()
	list := u.contactsLocked(account, defs)
	u.mu.Unlock()
	if all {
		if vm := cleanField(e.params.Get("voicemailnum")); vm != "" {
			list = append(list, Contact{Name: "Voicemail", Numbers: []string{vm}})
		}
	}
	if len(list) == 0 {
		return "", false
	}
	recs := make([]string, len(list))
	for i, c := range list {
		recs[i] = c.String()
	}
	return strings.Join(recs, "\r\n"), true
}

// GetContact returns the record of the contact named name, else of the
// first contact with number (getcontact); false when none matches (the
// page gets null).
func (e *Engine) GetContact(name, number string) (s string, ok bool) {
	defer e.recovered("getcontact")
	account, defs := accountID(e.params), e.params.Get("defcontacts")
	u := e.userData
	u.mu.Lock()
	defer u.mu.Unlock()
	list := u.contactsLocked(account, defs)
	if i := findContact(list, name, number); i >= 0 {
		return list[i].String(), true
	}
	return "", false
}

// DelContact deletes every contact whose name or one of whose numbers
// matches (delcontact, deletecontact); false when none did.
func (e *Engine) DelContact(name, number string) (ok bool) {
	defer e.recovered("delcontact")
	account, defs := accountID(e.params), e.params.Get("defcontacts")
	name = cleanField(name)
	u := e.userData
	u.mu.Lock()
	defer u.mu.Unlock()
	list := u.contactsLocked(account, defs)
	kept := list[:0]
	for _, c := range list {
		if (name != "" && sameName(c.Name, name)) || c.hasNumber(number) {
			continue
		}
		kept = append(kept, c)
	}
	if len(kept) == len(list) {
		return false
	}
	u.saveLocked(account, contactsKey(account), kept)
	return true
}

// DelAllContacts empties the current account's contact list
// (delallcontacts). The defcontacts in effect are not added again.
func (e *Engine) DelAllContacts() (ok bool) {
	defer e.recovered("delallcontacts")
	account, defs := accountID(e.params), e.params.Get("defcontacts")
	u := e.userData
	u.mu.Lock()
	defer u.mu.Unlock()
	u.contactsLocked(account, defs) // marks the defaults applied
	u.saveLocked(account, contactsKey(account), []Contact{})
	return true
}

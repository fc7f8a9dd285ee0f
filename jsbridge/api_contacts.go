//go:build js && wasm

package jsbridge

import (
	"github.com/hack-pad/safejs"
	"github.com/opensoftphone/webphone/engine"
)

// ContactsAPI returns the exported contact list and call history functions
// (added to EngineAPI's set by cmd/wasm): listcallhistory(),
// listcontacts(all), addcontact(fullname, number, email, address, notes,
// website, type, favorite), getcontact(name, number), delcontact(name,
// number), delallcontacts() and synccontacts() (the server address book).
// The lists and getcontact answer their documented string, or null when
// there is nothing.
func ContactsAPI(e *engine.Engine) map[string]APIFunc {
	orNull := func(s string, ok bool) any {
		if !ok {
			return nil
		}
		return s
	}
	return map[string]APIFunc{
		"listcallhistory": func([]safejs.Value) any { return orNull(e.ListCallHistory()) },
		"listcontacts":    func(a []safejs.Value) any { return orNull(e.ListContacts(ArgBool(a, 0, false))) },
		"addcontact": func(a []safejs.Value) any {
			return e.AddContact(ArgString(a, 0), ArgString(a, 1), ArgString(a, 2), ArgString(a, 3),
				ArgString(a, 4), ArgString(a, 5), ArgString(a, 6), ArgString(a, 7))
		},
		"getcontact":     func(a []safejs.Value) any { return orNull(e.GetContact(ArgString(a, 0), ArgString(a, 1))) },
		"delcontact":     func(a []safejs.Value) any { return e.DelContact(ArgString(a, 0), ArgString(a, 1)) },
		"delallcontacts": func([]safejs.Value) any { return e.DelAllContacts() },
		"synccontacts":   func([]safejs.Value) any { return e.SyncContacts() },
	}
}

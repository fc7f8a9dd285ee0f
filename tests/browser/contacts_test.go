package browser

import (
	"context"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// reload reloads the page (same URL, same browser profile: its
// localStorage stays) and waits until the engine is loaded again.
func (p *page) reload() {
	p.t.Helper()
	ctx, cancel := context.WithTimeout(p.ctx, 30*time.Second)
	defer cancel()
	if err := chromedp.Do(ctx, chromedp.Reload()); err != nil {
		p.t.Fatalf("%s: reload: %v", p.name, err)
	}
}

// apiString calls webphone_api.<call> and returns its string answer; ok is
// false when it answered null (or not a string).
func (p *page) apiString(call string) (s string, ok bool) {
	p.t.Helper()
	raw := p.api(call)
	if raw == "null" {
		return "", false
	}
	if err := json.Unmarshal([]byte(raw), &s); err != nil {
		return raw, false
	}
	return s, true
}

// Contacts added through the API survive a page reload (they are in the
// page's localStorage, per account), the server address book
// (serveraddressbook_url, testdata/addressbook.txt) is merged at start, and
// a finished call is in the call history of both sides in the documented
// format, also after the reload.
func TestContactsPersistAndHistoryListsAFinishedCall(t *testing.T) {
	srv := startDemo(t)
	paramsA := demoParams(srv, "1001")
	paramsA["serveraddressbook_url"] = srv.HTTPURL() + "addressbook.txt"
	a := openPage(t, "page 1001", srv.HTTPURL(), toneWAV(t, 440, 48000), paramsA)
	b := openPage(t, "page 1002", srv.HTTPURL(), toneWAV(t, 1000, 48000), demoParams(srv, "1002"))
	a.waitRegistered(20 * time.Second)
	b.waitRegistered(20 * time.Second)

	if s, ok := a.apiString(`listcallhistory()`); ok {
		t.Fatalf("listcallhistory() on a fresh page = %q, want null", s)
	}
	const sam = "Server Sam\t1003\t1\tsam@example.com\t\t\t\t"
	waitTrue(t, a, `webphone_api.getcontact("Server Sam", "") !== null`, 10*time.Second)
	if got := a.api(`addcontact("Bob", "1002", "bob@example.com", "", "", "", "sip", "1")`); got != "true" {
		t.Fatalf("addcontact = %s, want true", got)
	}
	if got := a.api(`addcontact("Kate", "1111|2222")`); got != "true" {
		t.Fatalf("addcontact(name, number) = %s, want true", got)
	}
	if got := a.api(`deletecontact("", "2222")`); got != "true" {
		t.Fatalf("deletecontact by number = %s, want true", got)
	}
	if got := a.api(`addcontact("Kate", "1111")`); got != "true" {
		t.Fatalf("addcontact again = %s, want true", got)
	}
	const bob = "Bob\t1002\t1\tbob@example.com\t\t\t\tsip"
	const wantList = sam + "\r\n" + bob + "\r\nKate\t1111\t0\t\t\t\t\t"
	if s, _ := a.apiString(`listcontacts()`); s != wantList {
		t.Fatalf("listcontacts() = %q, want %q", s, wantList)
	}

	// a call from 1001 to 1002, answered and hung up
	if got := a.api(`call("1002")`); got != "true" {
		t.Fatalf("call = %s", got)
	}
	b.waitCallState("ringing", 2, 20*time.Second)
	if got := b.api(`accept()`); got != "true" {
		t.Fatalf("accept() = %s", got)
	}
	a.waitCallState("connected", 1, 20*time.Second)
	if got := a.api(`hangup()`); got != "true" {
		t.Fatalf("hangup() = %s", got)
	}
	cdrA := a.waitEvent("onCdr", 10*time.Second, isCdr)
	b.waitEvent("onCdr", 10*time.Second, isCdr)

	checkHistory := func(p *page, typ, name, number string, cdr *event) {
		t.Helper()
		s, ok := p.apiString(`listcallhistory()`)
		if !ok {
			t.Fatalf("%s: listcallhistory() = null after a call", p.name)
		}
		f := strings.Split(s, "\t")
		if len(f) != 6 || f[0] != typ || f[1] != name || f[2] != number {
			t.Fatalf("%s: listcallhistory() = %q, want one record %s\\t%s\\t%s\\tdate\\tduration\\treason", p.name, s, typ, name, number)
		}
		if cdr != nil && (f[4] != cdr.arg(3) || f[5] != cdr.arg(6)) {
			t.Errorf("%s: history duration/reason = %s/%q, want the CDR's %s/%q", p.name, f[4], f[5], cdr.arg(3), cdr.arg(6))
		}
		if len(f[3]) < 13 {
			t.Errorf("%s: history date %q is not a ms timestamp", p.name, f[3])
		}
	}
	checkHistory(a, "0", "Bob", "1002", &cdrA)
	checkHistory(b, "1", "", "1001", nil)

	a.reload()
	a.waitRegistered(20 * time.Second)
	if s, _ := a.apiString(`getcontact("Bob", "")`); s != bob {
		t.Errorf("after reload getcontact(\"Bob\") = %q, want %q", s, bob)
	}
	if s, _ := a.apiString(`listcontacts()`); s != wantList {
		t.Errorf("after reload listcontacts() = %q, want %q", s, wantList)
	}
	checkHistory(a, "0", "Bob", "1002", &cdrA)

	// 1002's page has its own list: nothing of 1001's
	if s, ok := b.apiString(`listcontacts()`); ok {
		t.Errorf("1002's listcontacts() = %q, want null", s)
	}
	if got := a.api(`delallcontacts()`); got != "true" {
		t.Errorf("delallcontacts() = %s", got)
	}
	if s, ok := a.apiString(`getcontact("", "1002")`); ok {
		t.Errorf("getcontact after delallcontacts = %q, want null", s)
	}
}

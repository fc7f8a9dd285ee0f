package engine

import (
	"context"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/emiago/sipgo/sip"
	"github.com/opensoftphone/webphone/demoserver"
	"github.com/opensoftphone/webphone/sipcore"
	"github.com/opensoftphone/webphone/sipcore/nettransport"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// wireTap records every frame the phone writes to the server.
type wireTap struct {
	mu   sync.Mutex
	sent []string
}

type tappedTransport struct {
	sipcore.Transport
	tap *wireTap
}

func (t tappedTransport) Send(data []byte) error {
	t.tap.mu.Lock()
	t.tap.sent = append(t.tap.sent, string(data))
	t.tap.mu.Unlock()
	return t.Transport.Send(data)
}

func (w *wireTap) dial(ctx context.Context, addr string, r sipcore.Receiver) (sipcore.Transport, error) {
	tr, err := nettransport.Dial(ctx, addr, r)
	if err != nil {
		return nil, err
	}
	return tappedTransport{tr, w}, nil
}

// requests returns the SIP requests of method sent so far.
func (w *wireTap) requests(method string) []string {
	w.mu.Lock()
	defer w.mu.Unlock()
	var out []string
	for _, s := range w.sent {
		if strings.HasPrefix(s, method+" ") {
			out = append(out, s)
		}
	}
	return out
}

// assertNoInjection checks that nothing the phone sent carries an injected
// header line and that every message parses.
func (w *wireTap) assertNoInjection(t *testing.T) {
	t.Helper()
	w.mu.Lock()
	defer w.mu.Unlock()
	require.NotEmpty(t, w.sent)
	for _, s := range w.sent {
		if strings.Trim(s, "\r\n") == "" {
			continue
		}
		head, _, _ := strings.Cut(s, "\r\n\r\n")
		for _, l := range strings.Split(head, "\r\n")[1:] {
			assert.False(t, strings.HasPrefix(strings.ToLower(l), "x-injected"), "injected header:\n%s", s)
		}
		_, err := sip.ParseMessage([]byte(s))
		assert.NoError(t, err, "unparsable message on the wire:\n%s", s)
	}
}

// newTappedPhone is newPhone with a wire tap and its own storage.
func newTappedPhone(t *testing.T, ds *demoserver.Server, user string, st *MapStorage, extra map[string]string, pageURL string) (*phone, *wireTap) {
	t.Helper()
	tap := &wireTap{}
	p := &phone{user: user, rec: &recorder{}, media: &mediaBox{}}
	p.e = New(Options{Dialer: tap.dial, Media: p.media.factory, Storage: st,
		Emit: p.rec.emit, DTMFPause: 10 * time.Millisecond, AutoStartDelay: -1})
	t.Cleanup(p.e.Close)
	cfg := map[string]string{
		"webrtcserveraddress": ds.WSURL(),
		"serveraddress":       ds.Domain(),
		"username":            user,
		"password":            demoserver.DefaultAccounts()[user],
	}
	for k, v := range extra {
		cfg[k] = v
	}
	p.e.Init(cfg, pageURL)
	return p, tap
}

// refusal matches the display event that reports refused input.
func refusal(what string) func(event) bool {
	return func(e event) bool {
		return e.cb == "onEvent" && e.args[0] == "display" && strings.Contains(e.args[1].(string), "ERROR, "+what)
	}
}

func storedKeys(st *MapStorage) string {
	st.mu.Lock()
	defer st.mu.Unlock()
	var b strings.Builder
	for k, v := range st.m {
		b.WriteString(k + "=" + v + "\n")
	}
	return b.String()
}

var injectedDisplayNames = []string{
	"a\r\nX-Injected: yes",
	"aCRLFX-Injected: yes", // the Mizu CRLF encoding of parameter values
	"a\nX-Injected: yes",
	"a\x00b",
	strings.Repeat("n", sipcore.MaxDisplayNameLen+1),
}

func TestInjectedDisplayNameIsRefusedAndNeverStoredOrSent(t *testing.T) {
	ds := startDemo(t)
	st := NewMapStorage()
	a, tap := newTappedPhone(t, ds, "1001", st, nil,
		"http://page.example/p.html?wp_displayname=a%0D%0AX-Injected:%20yes")
	a.rec.waitFor(t, "URL value refused", refusal("parameter: displayname"))
	for _, name := range injectedDisplayNames {
		assert.False(t, a.e.SetParameter("displayname", name), "%q", name)
	}
	a.rec.waitFor(t, "readable reason", refusal("setparameter: displayname: contains a line break"))
	assert.Contains(t, a.e.GetLogs(), "setparameter refused: displayname")
	assert.Equal(t, "", a.e.GetParameter("displayname"))
	assert.NotContains(t, storedKeys(st), "displayname", "nothing persisted")

	require.True(t, a.e.Start())
	a.waitRegistered(t)
	tap.assertNoInjection(t)
}

func TestQuotedDisplayNameIsEscapedAndRegisters(t *testing.T) {
	ds := startDemo(t)
	for _, name := range []string{`x"><y`, `Bob "B" \o/`, `<img src=x onerror=alert(1)>`} {
		st := NewMapStorage()
		a, tap := newTappedPhone(t, ds, "1001", st, nil, "")
		require.True(t, a.e.SetParameter("displayname", name))
		require.True(t, a.e.Start())
		a.waitRegistered(t)
		tap.assertNoInjection(t)
		regs := tap.requests("REGISTER")
		require.NotEmpty(t, regs)
		msg, err := sip.ParseMessage([]byte(regs[0]))
		require.NoError(t, err)
		req := msg.(*sip.Request)
		assert.Equal(t, name, sipcore.UnescapeDisplayName(req.From().DisplayName))
		assert.Equal(t, "sip:1001@"+ds.Domain(), req.From().Address.String())
		assert.Equal(t, "1001", req.Contact().Address.User)

		// a second page of the same site reads the stored name and still works
		b, tapB := newTappedPhone(t, ds, "1001", st, nil, "")
		assert.Equal(t, name, b.e.GetParameter("displayname"))
		require.True(t, b.e.Start())
		b.waitRegistered(t)
		tapB.assertNoInjection(t)
		a.e.Close()
		b.e.Close()
	}
}

func TestSIPValuesWithLineBreaksAreRefused(t *testing.T) {
	st := NewMapStorage()
	e := New(Options{Storage: st, AutoStartDelay: -1, Emit: (&recorder{}).emit})
	t.Cleanup(e.Close)
	for name, value := range map[string]string{
		"username":            "1001\r\nX-Injected: yes",
		"sipusername":         "1001\nX-Injected: yes",
		"serveraddress":       "example.com\r\nX-Injected: yes",
		"webrtcserveraddress": "wss://a/ws,wss://b/ws\r\nX-Injected: yes",
		"proxyaddress":        "sip:proxy\r\nX-Injected: yes",
		"useragent":           "ua\r\nX-Injected: yes",
		"customsipheader":     "X-A: 1\x00",
		"callto":              "1002\r\nX-Injected: yes",
		"techprefix":          "9\r\nX-Injected: yes",
		"callforwardalways":   strings.Repeat("5", 70000),
	} {
		assert.False(t, e.SetParameter(name, value), name)
		assert.NotContains(t, storedKeys(st), name, "%s persisted", name)
	}
	assert.False(t, e.SetParameter("customsipheader", "Via: SIP/2.0/WS x"), "a header the UA writes itself")
	assert.False(t, e.SetParameter("username", strings.Repeat("1", sipcore.MaxUserLen+1)))
	assert.True(t, e.SetParameter("customsipheader", "X-A: 1;X-B: 2"), "the documented ';' list still works")
	assert.True(t, e.SetParameter("username", "1001"))
	assert.Equal(t, 0, len(e.params.TakeRefused()), "reported directly, not queued")
}

func TestStoredValueThatCannotWorkIsIgnored(t *testing.T) {
	// what an older version stored before values were checked
	st := NewMapStorage()
	st.Set(storeParamPrefix+"displayname", "a\r\nX-Injected: yes")
	st.Set(storeIndexKey, "displayname")
	p := NewParams(st)
	assert.Equal(t, "", p.Get("displayname"))
	cfg, err := BuildSIPConfig(withServer(p), "urn:uuid:x")
	require.NoError(t, err)
	assert.Equal(t, "", cfg.DisplayName)
}

func withServer(p *Params) *Params {
	p.SetParameter("serveraddress", "example.com")
	return p
}

func TestConfigObjectValueThatCannotWorkIsNotTaken(t *testing.T) {
	rec := &recorder{}
	e := New(Options{AutoStartDelay: -1, Emit: rec.emit})
	t.Cleanup(e.Close)
	e.Init(map[string]string{"serveraddress": "example.com", "displayname": "a\r\nX-Injected: yes",
		"ucfg_username": "x\ny"}, "")
	rec.waitFor(t, "refusal", refusal("parameter: displayname"))
	rec.waitFor(t, "refusal", refusal("parameter: username"))
	assert.Equal(t, "", e.GetParameter("displayname"))
	assert.Equal(t, "", e.GetParameter("username"))
}

func TestOverlongNumberIsRefusedAndRegistrationStays(t *testing.T) {
	ds := startDemo(t)
	a, tap := newTappedPhone(t, ds, "1001", NewMapStorage(), nil, "")
	require.True(t, a.e.Start())
	a.waitRegistered(t)
	long := strings.Repeat("7", 70000)
	assert.False(t, a.e.Call(long))
	assert.False(t, a.e.Call("1002\r\nX-Injected: yes"))
	assert.False(t, a.e.Call("sip:1002@"+ds.Domain()+"\nX-Injected: yes"))
	assert.Contains(t, a.e.GetLogs(), "longer than 256 characters")
	assert.NotContains(t, a.e.GetLogs(), strings.Repeat("7", 100), "a refused number is not copied whole into the log")
	a.rec.waitFor(t, "the page is told why the call was refused", func(ev event) bool {
		return ev.cb == "onEvent" && ev.args[0] == "display" &&
			ev.args[1] == ",Invalid phone number or SIP URI or username: longer than 256 characters"
	})
	assert.False(t, a.e.SendChat(long, "hi"))
	a.rec.waitFor(t, "chat refusal", refusal("sendchat: Invalid phone number or SIP URI or username: longer than 256"))
	assert.False(t, a.e.SendChat("1002\r\nX-Injected: yes", "hi"))
	assert.False(t, a.e.SendChat("1002", strings.Repeat("c", MaxChatLen+1)))
	a.rec.waitFor(t, "chat text refusal", refusal("sendchat: chat message longer than 8192 bytes"))
	assert.False(t, a.e.DTMF(strings.Repeat("1", MaxDTMFLen+1), -1))
	flush(a.e)
	assert.True(t, a.e.IsRegistered(), "the registration survives")
	assert.Empty(t, tap.requests("INVITE"))
	assert.Empty(t, tap.requests("MESSAGE"))
	tap.assertNoInjection(t)
}

func TestSetSIPHeaderRefusesInjection(t *testing.T) {
	ds := startDemo(t)
	b := newPhone(t, ds, "1002", map[string]string{"autoaccept": "true"})
	b.waitRegistered(t)
	a, tap := newTappedPhone(t, ds, "1001", NewMapStorage(), nil, "")
	require.True(t, a.e.Start())
	a.waitRegistered(t)
	for _, h := range []string{
		"X-A: 1\x00X-Injected: yes",
		"X-A: 1\x0bX-Injected: yes",
		"Content-Length: 0",
		"Call-ID: fixed",
		"X-A: " + strings.Repeat("v", MaxSIPHeaderInput),
	} {
		assert.False(t, a.e.SetSIPHeader(h), "%.30q", h)
	}
	a.rec.waitFor(t, "readable reason", refusal("setsipheader: header Content-Length is written by the phone itself"))
	require.True(t, a.e.SetSIPHeader("X-Good: 1"))
	require.True(t, a.e.Call("1002"))
	b.rec.waitFor(t, "b connected", callState("connected"))
	invites := tap.requests("INVITE")
	require.NotEmpty(t, invites)
	assert.Contains(t, invites[0], "X-Good: 1\r\n")
	tap.assertNoInjection(t)
}

func TestBuildSIPConfigRefusesWhatCannotWork(t *testing.T) {
	for name, set := range map[string][2]string{
		"domain with a user":  {"serveraddress", "a@example.com"},
		"domain with a space": {"serveraddress", "example.com x"},
	} {
		p := NewParams(nil)
		p.config["webrtcserveraddress"] = "wss://example.com/ws"
		p.config[set[0]] = set[1] // as an older version could have stored it
		_, err := BuildSIPConfig(p, "urn:uuid:x")
		assert.ErrorIs(t, err, sipcore.ErrInvalidValue, name)
	}
	p := withServer(NewParams(nil))
	_, err := BuildSIPConfig(p, "urn:uuid:x\r\nX-Injected: yes")
	assert.ErrorIs(t, err, sipcore.ErrInvalidValue, "instance id")
}

func TestStoredInstanceIDThatCannotWorkIsReplaced(t *testing.T) {
	st := NewMapStorage()
	st.Set(storeInstanceKey, "urn:uuid:x\r\nX-Injected: yes")
	e := New(Options{Storage: st, AutoStartDelay: -1, Emit: (&recorder{}).emit})
	t.Cleanup(e.Close)
	id := e.instanceID()
	assert.True(t, strings.HasPrefix(id, "urn:uuid:"))
	assert.NoError(t, sipcore.CheckURIText(id))
	stored, _ := st.Get(storeInstanceKey)
	assert.Equal(t, id, stored)
}

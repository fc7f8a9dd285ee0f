package engine

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestParamNamesAreCaseInsensitiveAndTrimmed(t *testing.T) {
	p := NewParams(nil)
	require.True(t, p.SetParameter("UserName ", "john"))
	assert.Equal(t, "john", p.Get("username"))
	assert.Equal(t, "john", p.Get(" USERNAME"))
	assert.False(t, p.SetParameter("  ", "x"), "empty name is refused")
}

func TestParamAliasesResolveToCurrentName(t *testing.T) {
	p := NewParams(nil)
	p.SetParameter("webrtcserver", "wss://a/ws")
	assert.Equal(t, "wss://a/ws", p.Get("webrtcserveraddress"))
	p.SetParameter("prefercodec", "PCMU")
	assert.Equal(t, "PCMU", p.Get("prefcodec"))
	p.SetParameter("numrewriterules", "74,004074,8,10")
	assert.Equal(t, "74,004074,8,10", p.Get("numpxrewrite"))
}

func TestParamNULLClearsEvenADefaultAndDEFRestoresIt(t *testing.T) {
	p := NewParams(NewMapStorage())
	assert.Equal(t, "90000", p.Get("ringtimeout"), "documented default")
	p.SetParameter("ringtimeout", "1000")
	assert.Equal(t, "1000", p.Get("ringtimeout"))
	p.SetParameter("ringtimeout", "NULL")
	assert.Equal(t, "", p.Get("ringtimeout"))
	assert.Equal(t, 90000, p.Int("ringtimeout", 90000), "typed getter falls back on empty")
	p.SetParameter("ringtimeout", "DEF")
	assert.Equal(t, "90000", p.Get("ringtimeout"))
}

func TestParamEmptyValueClears(t *testing.T) {
	p := NewParams(nil)
	p.SetParameter("displayname", "Bob")
	p.SetParameter("displayname", "")
	v, set := p.Lookup("displayname")
	assert.Equal(t, "", v)
	assert.True(t, set, "cleared explicitly, not unset")
	assert.False(t, p.IsSet("displayname"))
}

func TestParamsPersistAcrossSessions(t *testing.T) {
	st := NewMapStorage()
	p := NewParams(st)
	p.SetParameter("username", "alice")
	p2 := NewParams(st)
	assert.Equal(t, "alice", p2.Get("username"))
	p2.SetParameter("username", "DEF")
	assert.Equal(t, "", NewParams(st).Get("username"), "DEF removes the stored value")
}

func TestConfigOverridesStoredValueUnlessUcfg(t *testing.T) {
	st := NewMapStorage()
	NewParams(st).SetParameter("aec", "1")
	NewParams(st).SetParameter("agc", "1")

	p := NewParams(st)
	p.LoadConfig(map[string]string{"aec": "2", "ucfg_agc": "3", "ucfg_denoise": "0"})
	assert.Equal(t, "2", p.Get("aec"), "config beats the stored client value")
	assert.Equal(t, "1", p.Get("agc"), "ucfg_: the stored client value wins")
	assert.Equal(t, "0", p.Get("denoise"), "ucfg_ applies when nothing is stored")

	p.SetParameter("aec", "3")
	assert.Equal(t, "3", p.Get("aec"), "setparameter beats the config")
}

func TestConfigNULLRemovesStoredValue(t *testing.T) {
	st := NewMapStorage()
	NewParams(st).SetParameter("proxyaddress", "wrong.example.com")
	p := NewParams(st)
	p.LoadConfig(map[string]string{"proxyaddress": "NULL"})
	assert.Equal(t, "", p.Get("proxyaddress"))
	assert.Equal(t, "", NewParams(st).Get("proxyaddress"), "the stale stored value is gone")
}

func TestURLParametersAreDecodedPersistedAndBeatConfig(t *testing.T) {
	st := NewMapStorage()
	p := NewParams(st)
	p.LoadConfig(map[string]string{"username": "cfg", "serveraddress": "sip.example.com"})
	n := p.LoadURL("https://x.example/phone.html?wp_username=bob%40x&other=1&WP_callto=%2B36%201&wp_=z#frag")
	assert.Equal(t, 2, n)
	assert.Equal(t, "bob@x", p.Get("username"))
	assert.Equal(t, "+36 1", p.Get("callto"))
	assert.Equal(t, "", p.Get("other"), "keys without wp_ are ignored")
	assert.Equal(t, "bob@x", NewParams(st).Get("username"), "URL values persist")
}

func TestURLQueryMayBeEncodedAsAWhole(t *testing.T) {
	p := NewParams(nil)
	p.LoadURL("?wp_username%3Dann%26wp_password%3Dp%2526w")
	assert.Equal(t, "ann", p.Get("username"))
	assert.Equal(t, "p&w", p.Get("password"))
}

func TestLiteralCRLFBecomesLineBreak(t *testing.T) {
	p := NewParams(nil)
	p.SetParameter("customsipheader", "X-A: 1;2CRLFX-B: 3")
	assert.Equal(t, "X-A: 1;2\r\nX-B: 3", p.Get("customsipheader"))
}

func TestResetSettingsAndConfigVersionClearStoredValues(t *testing.T) {
	st := NewMapStorage()
	NewParams(st).SetParameter("username", "old")
	p := NewParams(st)
	p.LoadConfig(map[string]string{"configversion": "2"})
	assert.Equal(t, "", p.Get("username"), "a new configversion resets once")

	NewParams(st).SetParameter("username", "kept")
	p = NewParams(st)
	p.LoadConfig(map[string]string{"configversion": "2"})
	assert.Equal(t, "kept", p.Get("username"), "the same configversion does not reset again")

	p = NewParams(st)
	p.LoadConfig(map[string]string{"resetsettings": "true"})
	assert.Equal(t, "", p.Get("username"))
}

func TestTypedGetters(t *testing.T) {
	p := NewParams(nil)
	p.SetParameter("autoaccept", "true")
	p.SetParameter("register", "2")
	p.SetParameter("rejectonbusy", "0")
	p.SetParameter("icetimeout", "abc")
	assert.True(t, p.Bool("autoaccept", false))
	assert.False(t, p.Bool("rejectonbusy", true))
	assert.Equal(t, 2, p.Int("register", 1))
	assert.Equal(t, 1, p.Int("autoaccept", 0))
	assert.Equal(t, 2000, p.Int("icetimeout", 2000), "not a number gives the fallback")
	assert.True(t, p.Bool("unset", true))
}

func TestNamesListsEverySource(t *testing.T) {
	st := NewMapStorage()
	NewParams(st).SetParameter("stored", "1")
	p := NewParams(st)
	p.LoadConfig(map[string]string{"Cfg": "1", "ucfg_U": "1"})
	p.SetParameter("rt", "1")
	assert.Equal(t, []string{"cfg", "rt", "stored", "u"}, p.Names())
}

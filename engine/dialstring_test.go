package engine

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestSplitPostDial(t *testing.T) {
	for in, want := range map[string][2]string{
		"123":          {"123", ""},
		"123,456":      {"123", "456"},
		" 123 , 4 5,6": {"123", "4 5,6"},
		"sip:a@b,#1":   {"sip:a@b", "#1"},
		",9":           {"", "9"},
	} {
		n, d := SplitPostDial(in)
		assert.Equal(t, want, [2]string{n, d}, in)
	}
}

func TestNormalizeNumberOnlyTouchesPhoneNumbers(t *testing.T) {
	assert.Equal(t, "+3612345678", NormalizeNumber("+36 (1) 234-5678"))
	assert.Equal(t, "*4412345#", NormalizeNumber("*44-123-45#"))
	assert.Equal(t, "1234", NormalizeNumber("1234"), "fewer than 5 digits")
	assert.Equal(t, "john.smith", NormalizeNumber("john.smith"))
	assert.Equal(t, "12345@host", NormalizeNumber("12345@host"))
	assert.Equal(t, "ab 12345", NormalizeNumber("ab 12345"), "letters: not a phone number")
}

func TestRewriteNumberAppliesFirstMatchingRule(t *testing.T) {
	rules := "74,004074,8,10;+,001,7,14;"
	assert.Equal(t, "004074123456", RewriteNumber("74123456", rules))
	assert.Equal(t, "7412", RewriteNumber("7412", rules), "too short for the rule")
	assert.Equal(t, "0013612345", RewriteNumber("+3612345", rules))
	assert.Equal(t, "555", RewriteNumber("555", rules))
	assert.Equal(t, "x12", RewriteNumber("012", "0,x"), "bounds are optional")
}

func TestDialTarget(t *testing.T) {
	got, err := DialTarget("1002", -1, "", "", "example.com")
	require.NoError(t, err)
	assert.Equal(t, "sip:1002@example.com", got)

	got, err = DialTarget("+36 1 234 5678", -1, "+,00", "9", "example.com")
	require.NoError(t, err)
	assert.Equal(t, "sip:9003612345678@example.com", got, "normalize, rewrite, then techprefix")

	got, err = DialTarget("bob@other.org", -1, "", "9", "example.com")
	require.NoError(t, err)
	assert.Equal(t, "sip:bob@other.org", got, "URIs are not rewritten")

	got, err = DialTarget("sip:alice@10.0.0.1:5070", -1, "", "", "")
	require.NoError(t, err)
	assert.Equal(t, "sip:alice@10.0.0.1:5070", got, "a full URI works without a server")

	for _, bad := range []string{"", "  ", "a b", "sip:", "bob@", "sip:@host"} {
		_, err := DialTarget(bad, -1, "", "", "example.com")
		assert.ErrorIs(t, err, ErrInvalidTarget, bad)
	}
	_, err = DialTarget("1002", -1, "", "", "")
	assert.ErrorIs(t, err, ErrInvalidTarget, "a number needs a server")
}

func TestUserOf(t *testing.T) {
	assert.Equal(t, "bob", UserOf(`"Bob" <sip:bob@example.com;transport=ws>;tag=1`))
	assert.Equal(t, "1002", UserOf("sip:1002@10.0.0.1:5060"))
	assert.Equal(t, "alice", UserOf("alice@x"))
	assert.Equal(t, "+361", UserOf("tel:+361"))
	assert.Equal(t, "2222", UserOf("2222"))
}

func TestValidDTMF(t *testing.T) {
	assert.True(t, ValidDTMF("0123456789*#ABCDabcd ,"))
	assert.False(t, ValidDTMF(""))
	assert.False(t, ValidDTMF("12x"))
}

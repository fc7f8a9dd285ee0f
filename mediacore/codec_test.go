package mediacore

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestParseCodecPrefs(t *testing.T) {
	cases := []struct {
		codec, pref string
		want        []Codec
	}{
		{"", "", []Codec{PCMU, PCMA}},
		{"NULL", "DEF", []Codec{PCMU, PCMA}},
		{"", "pcma", []Codec{PCMA, PCMU}},
		{"Opus,G.729,PCMU", "", []Codec{PCMU}},
		{"PCMA, pcmu", "", []Codec{PCMA, PCMU}},
		{"PCMA,PCMU", "PCMU", []Codec{PCMU, PCMA}},
		{"g.711", "", []Codec{PCMU, PCMA}},
		{"G711,PCMA", "", []Codec{PCMU, PCMA}},
		{"pcmu", "pcma", []Codec{PCMU}}, // preferred codec not allowed: ignored
		{"", "opus", []Codec{PCMU, PCMA}},
		{"", "g.711", []Codec{PCMU, PCMA}},
	}
	for _, c := range cases {
		got, err := ParseCodecPrefs(c.codec, c.pref)
		require.NoError(t, err, "%q/%q", c.codec, c.pref)
		assert.Equal(t, c.want, got, "codec=%q prefcodec=%q", c.codec, c.pref)
	}
	_, err := ParseCodecPrefs("opus,g.729", "")
	assert.ErrorIs(t, err, ErrNoSupportedCodec)
}

func TestParseCodecPrefsDoesNotAliasDefaults(t *testing.T) {
	got, err := ParseCodecPrefs("", "pcma")
	require.NoError(t, err)
	got[0] = Codec{}
	assert.Equal(t, []Codec{PCMU, PCMA}, DefaultCodecs, "DefaultCodecs must not be modified")
}

func TestApplyCodecUse(t *testing.T) {
	base := []Codec{PCMU, PCMA}
	assert.Equal(t, []Codec{PCMA}, ApplyCodecUse(base, PCMU, 1))
	assert.Equal(t, []Codec{PCMA}, ApplyCodecUse(base, PCMU, 0))
	assert.Equal(t, []Codec{PCMA, PCMU}, ApplyCodecUse(base, PCMU, 2))
	assert.Equal(t, []Codec{PCMA, PCMU}, ApplyCodecUse(base, PCMA, 3))
	assert.Equal(t, base, ApplyCodecUse(base, PCMA, -1))
	assert.Equal(t, []Codec{PCMA}, ApplyCodecUse(nil, PCMA, 3))
}

func TestCodecByName(t *testing.T) {
	for name, want := range map[string]Codec{"PCMU": PCMU, "ulaw": PCMU, "G711a": PCMA, " pcma ": PCMA} {
		c, ok := CodecByName(name)
		assert.True(t, ok, name)
		assert.Equal(t, want, c, name)
	}
	_, ok := CodecByName("opus")
	assert.False(t, ok)
}

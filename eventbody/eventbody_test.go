package eventbody

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestPIDFRoundTrip(t *testing.T) {
	p, err := ParsePIDF(PIDF("sip:1001@example.com", true, "away", "Away & <out>"))
	require.NoError(t, err)
	assert.Equal(t, Presence{Entity: "sip:1001@example.com", Open: true, HasStatus: true,
		Activities: []string{"away"}, Note: "Away & <out>"}, p)

	p, err = ParsePIDF(PIDF("sip:1001@example.com", false, "", ""))
	require.NoError(t, err)
	assert.False(t, p.Open)
	assert.True(t, p.HasStatus)
	assert.Empty(t, p.Activities)
}

// A PIDF as Kamailio's presence_xml aggregates it (other prefixes, tuple and
// person from different publishers).
func TestPIDFOtherPrefixes(t *testing.T) {
	body := `<?xml version='1.0' encoding='UTF-8'?>
<p:presence xmlns:p='urn:ietf:params:xml:ns:pidf' xmlns:r='urn:ietf:params:xml:ns:pidf:rpid' xmlns:d='urn:ietf:params:xml:ns:pidf:data-model' entity='sip:bob@x'>
 <p:tuple id='a'><p:status><p:basic>open</p:basic></p:status></p:tuple>
 <d:person id='b'><r:activities><r:on-the-phone/></r:activities><d:note>On the phone</d:note></d:person>
</p:presence>`
	p, err := ParsePIDF([]byte(body))
	require.NoError(t, err)
	assert.True(t, p.Open)
	assert.Equal(t, []string{"on-the-phone"}, p.Activities)
	assert.Equal(t, "On the phone", p.Note)
}

func TestPIDFMalformed(t *testing.T) {
	for _, body := range []string{"", "<presence>", "<presence><tuple></presence>", "not xml", "<other/>",
		`<!DOCTYPE presence [<!ENTITY a "aaaa">]><presence>&a;</presence>`} {
		_, err := ParsePIDF([]byte(body))
		assert.Error(t, err, body)
	}
}

func TestDialogInfoBusiest(t *testing.T) {
	d, err := ParseDialogInfo(DialogInfoXML("sip:bob@x", 3, []Dialog{
		{ID: "1", CallID: "c1", Direction: "recipient", State: "early", Remote: "sip:carol@x", RemoteName: "Carol"},
		{ID: "2", CallID: "c2", State: "terminated"},
	}))
	require.NoError(t, err)
	assert.True(t, d.Full)
	assert.Equal(t, 3, d.Version)
	b, ok := d.Busiest()
	require.True(t, ok)
	assert.Equal(t, Dialog{ID: "1", CallID: "c1", Direction: "recipient", State: "early", Remote: "sip:carol@x", RemoteName: "Carol"}, b)

	empty, err := ParseDialogInfo(DialogInfoXML("sip:bob@x", 4, nil))
	require.NoError(t, err)
	_, ok = empty.Busiest()
	assert.False(t, ok)
}

func TestDialogInfoMalformed(t *testing.T) {
	for _, body := range []string{"", "<dialog-info", "<presence/>", "<dialog-info><dialog></dialog-info>"} {
		_, err := ParseDialogInfo([]byte(body))
		assert.Error(t, err, body)
	}
}

func TestMessageSummary(t *testing.T) {
	s, err := ParseMessageSummary([]byte("Messages-Waiting: yes\r\nMessage-Account: sip:*97@x\r\nVoice-Message: 2/8 (0/2)\r\n"))
	require.NoError(t, err)
	assert.Equal(t, MessageSummary{Waiting: true, Account: "sip:*97@x", New: 2, Old: 8, HasCounts: true}, s)

	s, err = ParseMessageSummary([]byte("messages-waiting: no\n"))
	require.NoError(t, err)
	assert.False(t, s.Waiting)
	assert.False(t, s.HasCounts)

	for _, body := range []string{"", "Voice-Message: 1/2", "Messages-Waiting: maybe", "Messages-Waiting: yes\nVoice-Message: x/2",
		"Messages-Waiting: yes\nVoice-Message: -1/2"} {
		_, err := ParseMessageSummary([]byte(body))
		assert.Error(t, err, body)
	}
}

func TestIsComposing(t *testing.T) {
	on, err := ParseIsComposing(IsComposing(true, 60))
	require.NoError(t, err)
	assert.True(t, on)
	on, err = ParseIsComposing(IsComposing(false, 0))
	require.NoError(t, err)
	assert.False(t, on)
	_, err = ParseIsComposing([]byte("<isComposing><state>active"))
	assert.Error(t, err)
}

func FuzzParsers(f *testing.F) {
	f.Add(PIDF("sip:a@b", true, "away", "x"))
	f.Add(DialogInfoXML("sip:a@b", 1, []Dialog{{ID: "1", State: "confirmed", Remote: "sip:c@d"}}))
	f.Add([]byte("Messages-Waiting: yes\nVoice-Message: 1/2 (0/0)\n"))
	f.Add([]byte("<presence><tuple><status><basic>open"))
	f.Fuzz(func(t *testing.T, body []byte) {
		_, _ = ParsePIDF(body)
		if d, err := ParseDialogInfo(body); err == nil {
			d.Busiest()
		}
		_, _ = ParseMessageSummary(body)
		_, _ = ParseIsComposing(body)
	})
}

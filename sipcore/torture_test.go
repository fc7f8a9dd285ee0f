package sipcore

import (
	"bytes"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/emiago/sipgo/sip"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// tortureOutcome is what the UA must do with one RFC 4475 message.
type tortureOutcome struct {
	code    int  // the response it sends; 0: none (a response, or unreadable)
	rings   bool // Events.Incoming runs (the test then rejects the call)
	message bool // Events.Message runs
	why     string
}

// tortureCases covers every file of sipgo's copy of the RFC 4475 corpus
// (sip/testdata/torture/{valid,invalid}); a file missing here fails.
var tortureCases = map[string]tortureOutcome{
	// valid messages
	"valid/dblreq":     {code: 405, why: "REGISTER to a UA; the INVITE after Content-Length 0 is ignored"},
	"valid/esc01":      {code: 180, rings: true, why: "escaped characters are a valid INVITE"},
	"valid/esc02":      {code: 405, why: "RE%47IST%45R is an unknown method, not REGISTER"},
	"valid/escnull":    {code: 405, why: "REGISTER to a UA"},
	"valid/intmeth":    {code: 405, why: "an unknown method with odd characters (sipgo upper-cases the request line's method)"},
	"valid/longreq":    {code: 180, rings: true, why: "long values are a valid INVITE"},
	"valid/lwsdisp":    {code: 200},
	"valid/mpart01":    {code: 200, message: true, why: "MESSAGE with a multipart body carrying binary bytes"},
	"valid/noreason":   {why: "a response nobody waits for"},
	"valid/semiuri":    {code: 200},
	"valid/transports": {code: 200},
	"valid/unreason":   {why: "a response nobody waits for"},
	"valid/wsinv":      {code: 400, why: "sipgo keeps the spaces of `tag = x`, so it sees no tags, and without an RFC 3261 branch a transaction needs the From tag"},

	// invalid messages (and valid ones a UA must refuse)
	"invalid/badaspec":   {code: 400, why: "spaces inside <> of To"},
	"invalid/badbranch":  {code: 200, why: "a bare magic cookie branch is still a branch"},
	"invalid/baddate":    {code: 180, rings: true, why: "a bad Date is not used by a UA"},
	"invalid/baddn":      {code: 400, why: "unquoted display name with a comma"},
	"invalid/badinv01":   {code: 400, why: "a Via of empty parameters"},
	"invalid/badvers":    {code: 505, why: "SIP/7.0"},
	"invalid/bcast":      {why: "a response nobody waits for"},
	"invalid/bext01":     {code: 420, why: "Require of unknown extensions"},
	"invalid/bigcode":    {why: "an unreadable response"},
	"invalid/clerr":      {code: 400, why: "Content-Length larger than the body"},
	"invalid/cparam01":   {code: 405},
	"invalid/cparam02":   {code: 405},
	"invalid/escruri":    {code: 180, rings: true, why: "headers in the Request-URI are ignored"},
	"invalid/insuf":      {code: 400, why: "To, From, Call-ID missing"},
	"invalid/inv2543":    {code: 400, why: "no From tag and no RFC 3261 branch: sipgo cannot key a transaction, RFC 2543 peers are not supported"},
	"invalid/invut":      {code: 415, why: "an INVITE whose body is not SDP never rings"},
	"invalid/ltgtruri":   {why: "<> around the Request-URI: sipgo refuses the start line"},
	"invalid/lwsruri":    {why: "space in the Request-URI: sipgo refuses the start line"},
	"invalid/lwsstart":   {why: "extra spaces in the start line: sipgo refuses it"},
	"invalid/mcl01":      {code: 400, why: "several Content-Length"},
	"invalid/mismatch01": {code: 400, why: "CSeq method differs from the request method"},
	"invalid/mismatch02": {code: 400, why: "CSeq method differs from the request method"},
	"invalid/multi01":    {code: 400, why: "several Call-ID, CSeq, From, To"},
	"invalid/ncl":        {code: 400, why: "negative Content-Length"},
	"invalid/novelsc":    {why: "soap.beep:// Request-URI: sipgo refuses the start line, there is nowhere to answer"},
	"invalid/quotbal":    {why: "unbalanced quotes in To, before any Via: there is nowhere to answer"},
	"invalid/regaut01":   {code: 405},
	"invalid/regbadct":   {code: 405},
	"invalid/regescrt":   {code: 405},
	"invalid/scalar02":   {code: 400, why: "CSeq beyond 2**32"},
	"invalid/scalarlg":   {why: "an unreadable response"},
	"invalid/sdp01":      {code: 406, why: "the caller accepts no SDP answer"},
	"invalid/test":       {why: "no SIP version, no Via: there is nowhere to answer"},
	"invalid/trws":       {why: "trailing whitespace after SIP/2.0: sipgo refuses the start line"},
	"invalid/unkscm":     {code: 416, why: "unknown Request-URI scheme"},
	"invalid/unksm2":     {code: 405, why: "REGISTER to a UA; odd schemes in To/From/Contact are not our business"},
	"invalid/zeromf":     {code: 200, why: "Max-Forwards 0 matters to proxies, not to the UAS"},
}

// tortureDir finds the corpus in sipgo's module directory (as go.mod pins
// it), downloading the module when the cache lacks it.
func tortureDir(t *testing.T) string {
	t.Helper()
	goBin, err := exec.LookPath("go")
	require.NoError(t, err, "the go command is needed to find sipgo's module directory")
	out, err := exec.Command(goBin, "mod", "download", "-json", "github.com/emiago/sipgo").Output()
	require.NoError(t, err, "go mod download github.com/emiago/sipgo")
	var mod struct{ Dir, Error string }
	require.NoError(t, json.Unmarshal(out, &mod))
	require.Empty(t, mod.Error)
	dir := filepath.Join(mod.Dir, "sip", "testdata", "torture")
	_, err = os.Stat(dir)
	require.NoError(t, err, "sipgo's RFC 4475 corpus")
	return dir
}

func TestRFC4475TortureMessages(t *testing.T) {
	dir := tortureDir(t)
	var names []string
	for _, sub := range []string{"valid", "invalid"} {
		files, err := filepath.Glob(filepath.Join(dir, sub, "*.dat"))
		require.NoError(t, err)
		for _, f := range files {
			names = append(names, sub+"/"+strings.TrimSuffix(filepath.Base(f), ".dat"))
		}
	}
	sort.Strings(names)
	require.Len(t, names, len(tortureCases), "every corpus file has an expected outcome, and only those")
	for _, name := range names {
		want, ok := tortureCases[name]
		require.True(t, ok, "no expected outcome for %s", name)
		t.Run(name, func(t *testing.T) {
			data, err := os.ReadFile(filepath.Join(dir, name+".dat"))
			require.NoError(t, err)
			_, p := newTestUA(t, nil)
			p.current().r.Received(data) // as bytes: some carry binary
			if want.code == 0 {
				// only responses and unreadable frames go unanswered; the
				// receive loop handles them before it reads the probe, so
				// the probe's answer comes first unless something is wrong
				if m, _ := parseMessage(data); m != nil {
					req, isReq := m.(*sip.Request)
					require.False(t, isReq && req.Via() != nil, "%s is a request with a Via: it is answered", name)
				}
				p.probe(t) // nothing but the probe's 200 comes back
				p.noIncoming(t)
				return
			}
			msg := p.next()
			res, isRes := msg.(*sip.Response)
			require.True(t, isRes, "%s (%s): the UA sent a request:\n%s", name, want.why, msg)
			require.Equal(t, want.code, res.StatusCode, "%s (%s): got %s", name, want.why, res.StartLine())
			if want.rings {
				c := <-p.ev.incoming // Incoming runs before the 180
				assert.Equal(t, res.CallID().Value(), c.CallID())
				require.NoError(t, c.Reject(486))
				p.expectResponse(486)
			} else {
				p.noIncoming(t)
			}
			if want.message {
				m := <-p.ev.msgs
				assert.NotEmpty(t, m.Body)
			}
			p.probe(t)
		})
	}
}

// mpart01Invite turns RFC 4475's mpart01 (a MESSAGE whose multipart/mixed
// body has a text part and a binary S/MIME part) into an INVITE, adding an
// SDP part after the binary one when sdp is not empty.
func mpart01Invite(t *testing.T, sdp string) []byte {
	t.Helper()
	data, err := os.ReadFile(filepath.Join(tortureDir(t), "valid", "mpart01.dat"))
	require.NoError(t, err)
	head, body, ok := bytes.Cut(data, []byte("\r\n\r\n"))
	require.True(t, ok)
	const closing = "\r\n--7a9cbec02ceef655--"
	end := bytes.LastIndex(body, []byte(closing))
	require.Positive(t, end)
	if sdp != "" {
		part := "\r\n--7a9cbec02ceef655\r\nContent-Type: application/sdp\r\n\r\n" + sdp
		body = append(append(append([]byte(nil), body[:end]...), part...), body[end:]...)
	}
	h := strings.Replace(string(head), "MESSAGE sip:", "INVITE sip:", 1)
	h = strings.Replace(h, "CSeq: 1 MESSAGE", "CSeq: 1 INVITE", 1)
	h = strings.Replace(h, "Content-Length: 553", "Content-Length: "+itoa(len(body)), 1)
	return append([]byte(h+"\r\n\r\n"), body...)
}

func TestMultipartInviteFromRFC4475GivesTheSDPPart(t *testing.T) {
	_, p := newTestUA(t, nil)
	p.current().r.Received(mpart01Invite(t, sdpOffer))
	c := <-p.ev.incoming
	assert.Equal(t, sdpOffer, string(c.RemoteSDP()), "Incoming sees only the SDP part")
	p.expectResponse(180)
	assert.Contains(t, string(c.LastInvite(true)), "multipart/mixed", "the raw INVITE is kept whole")
	require.NoError(t, c.Accept([]byte(sdpAnswer)))
	p.expectResponse(200)
	p.probe(t)
}

func TestMultipartInviteWithoutSDPPartGets415(t *testing.T) {
	_, p := newTestUA(t, nil)
	p.current().r.Received(mpart01Invite(t, ""))
	res := p.expectResponse(415)
	assert.Equal(t, "application/sdp", headerValue(res, "Accept"))
	p.noIncoming(t)
	p.probe(t)
}

package engine

import (
	"errors"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// fakeHTTP is an HTTPRequester that keeps the requests; the test answers
// them.
type fakeHTTP struct {
	mu   sync.Mutex
	urls []string
	done []func(int, error)
}

func (f *fakeHTTP) Get(u string, timeout time.Duration, done func(int, error)) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.urls = append(f.urls, u)
	f.done = append(f.done, done)
}

func (f *fakeHTTP) requests() []string {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]string(nil), f.urls...)
}

func (f *fakeHTTP) answer(i, status int, err error) {
	f.mu.Lock()
	done := f.done[i]
	f.mu.Unlock()
	done(status, err)
}

const smsTemplate = "*https://sms.example/api?function=sms&authkey=K1&anum=MYNUMBER&bnun=TARGETMOBILE&txt=TEXT"

func newSMSPhone(t *testing.T, http HTTPRequester, clk *fakeClock) (*Engine, *recorder) {
	t.Helper()
	rec := &recorder{}
	opts := Options{AutoStartDelay: -1, Emit: rec.emit, HTTP: http}
	if clk != nil {
		opts.Now, opts.AfterFunc = clk.Now, clk.AfterFunc
	}
	e := New(opts)
	t.Cleanup(e.Close)
	e.SetParameter("username", "1001")
	e.SetParameter("sms", smsTemplate)
	return e, rec
}

// With the sms parameter set, sendsms requests that URL with the keywords
// replaced by the query-escaped values (no SIP at all), and a 2xx answer is
// reported as sent.
func TestSendSMSByHTTPAPI(t *testing.T) {
	fh := &fakeHTTP{}
	e, rec := newSMSPhone(t, fh, nil)

	require.True(t, e.SendSMS("+36 30 1234", "hi there", ""))
	require.Equal(t, []string{"https://sms.example/api?function=sms&authkey=K1&anum=1001&bnun=%2B36+30+1234&txt=hi+there"},
		fh.requests())
	rec.waitFor(t, "sending report", notification("CHATREPORT,-1,+36 30 1234,1,"))
	fh.answer(0, 200, nil)
	rec.waitFor(t, "sent report", notification("CHATREPORT,-1,+36 30 1234,2,"))

	// from, when given, is MYNUMBER
	require.True(t, e.SendSMS("555", "x", " 777 "))
	assert.Contains(t, fh.requests()[1], "&anum=777&bnun=555&txt=x")
}

// Nothing the page supplies breaks out of its query field: no extra
// parameter, no fragment, no line break, no keyword substituted twice.
func TestSendSMSByHTTPAPIEscapesValues(t *testing.T) {
	fh := &fakeHTTP{}
	e, _ := newSMSPhone(t, fh, nil)
	text := "a&txt=x#frag\r\nX-Evil: 1 TARGETMOBILE %zz ü"
	number := "5&bnun=6"
	from := "MYNUMBER&anum=1?"
	require.True(t, e.SendSMS(number, text, from))
	reqs := fh.requests()
	require.Len(t, reqs, 1)
	u := reqs[0]
	assert.NotContains(t, u, "#")
	assert.False(t, strings.ContainsAny(u, "\r\n "), u)
	p, err := url.Parse(u)
	require.NoError(t, err)
	assert.Equal(t, "sms.example", p.Host)
	assert.Empty(t, p.Fragment)
	q := p.Query()
	assert.Equal(t, []string{text}, q["txt"])
	assert.Equal(t, []string{number}, q["bnun"])
	assert.Equal(t, []string{from}, q["anum"])
	assert.Equal(t, []string{"K1"}, q["authkey"])
	assert.Len(t, q, 5, "no parameter added: %v", q)
}

// A refused request or a transport error is reported as failed with the
// reason; an answer that never comes fails after 30 s on the engine's
// clock, and a late answer then changes nothing.
func TestSendSMSByHTTPAPIFailures(t *testing.T) {
	clk := newFakeClock()
	fh := &fakeHTTP{}
	e, rec := newSMSPhone(t, fh, clk)

	require.True(t, e.SendSMS("1", "a", ""))
	fh.answer(0, 500, nil)
	rec.waitFor(t, "HTTP failure", notification("CHATREPORT,-1,1,3,HTTP 500"))

	require.True(t, e.SendSMS("2", "b", ""))
	fh.answer(1, 0, errors.New("TypeError: Failed to fetch\nsecond line"))
	rec.waitFor(t, "fetch failure", notification("CHATREPORT,-1,2,3,TypeError: Failed to fetch second line"))

	require.True(t, e.SendSMS("3", "c", ""))
	rec.waitFor(t, "sending report", notification("CHATREPORT,-1,3,1,"))
	clk.Advance(29 * time.Second)
	assert.Empty(t, rec.find(notification("CHATREPORT,-1,3,3,")))
	clk.Advance(time.Second)
	rec.waitFor(t, "timeout", notification("CHATREPORT,-1,3,3,sms API: no answer in 30 s"))
	fh.answer(2, 200, nil)
	// the engine's notifications are delivered in order: one after the
	// late answer shows whether that answer was reported
	require.True(t, e.SendSMS("4", "d", ""))
	rec.waitFor(t, "next sending report", notification("CHATREPORT,-1,4,1,"))
	assert.Empty(t, rec.find(notification("CHATREPORT,-1,3,2,")), "late answer reported")
	assert.Len(t, rec.find(notification("CHATREPORT,-1,3,3,")), 1)
}

// An unusable sms URL, text or number, or no requester: false, and no
// request is made.
func TestSendSMSByHTTPAPIRefusals(t *testing.T) {
	fh := &fakeHTTP{}
	e, _ := newSMSPhone(t, fh, nil)
	assert.False(t, e.SendSMS("", "x", ""))
	assert.False(t, e.SendSMS("1\r\n2", "x", ""))
	assert.False(t, e.SendSMS("1", "bad \x00", ""))
	assert.False(t, e.SendSMS("1", strings.Repeat("ü", MaxSMSURLLen/6+10), ""), "URL over the limit")
	for _, bad := range []string{"*javascript:alert(TEXT)", "ftp://h/TEXT", "*https:///TEXT", "not a url TEXT"} {
		e.SetParameter("sms", bad)
		assert.False(t, e.SendSMS("1", "x", ""), bad)
	}
	e.SetParameter("sms", smsTemplate)
	e.SetParameter("textmessaging", "0")
	assert.False(t, e.SendSMS("1", "x", ""))
	assert.Empty(t, fh.requests())

	none, _ := newSMSPhone(t, nil, nil)
	assert.False(t, none.SendSMS("1", "x", ""))
}

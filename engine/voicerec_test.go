package engine

import (
	"errors"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/opensoftphone/webphone/demoserver"
	"github.com/opensoftphone/webphone/sipcore/nettransport"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// fakeRecorder records the engine's requests; uploads fail when failWith
// is set.
type fakeRecorder struct {
	mu       sync.Mutex
	started  []int
	uploads  []RecordingUpload
	failWith error
}

func (r *fakeRecorder) StartRecording(line int) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.started = append(r.started, line)
	return nil
}

func (r *fakeRecorder) StopRecording(line int, up RecordingUpload, done func(string, error)) {
	r.mu.Lock()
	r.uploads = append(r.uploads, up)
	err := r.failWith
	r.mu.Unlock()
	go done(up.FileName+".webm", err)
}

func (r *fakeRecorder) snapshot() ([]int, []RecordingUpload) {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]int(nil), r.started...), append([]RecordingUpload(nil), r.uploads...)
}

func newRecPhone(t *testing.T, ds *demoserver.Server, user string, clk *fakeClock, rec CallRecorder) *phone {
	t.Helper()
	p := &phone{user: user, rec: &recorder{}, media: &mediaBox{}}
	opts := Options{Dialer: nettransport.Dial, Media: p.media.factory, Storage: NewMapStorage(),
		Emit: p.rec.emit, AutoStartDelay: -1, Recorder: rec}
	if clk != nil {
		opts.Now, opts.AfterFunc = clk.Now, clk.AfterFunc
	}
	p.e = New(opts)
	t.Cleanup(p.e.Close)
	p.e.Init(map[string]string{
		"webrtcserveraddress": ds.WSURL(), "serveraddress": ds.Domain(), "username": user,
		"password": demoserver.DefaultAccounts()[user],
	}, "")
	p.e.AutoStart()
	p.waitRegistered(t)
	return p
}

func TestVoiceRecordRecordsTheConnectedCallAndUploadsIt(t *testing.T) {
	ds := startDemo(t)
	clk := newFakeClock()
	rec := &fakeRecorder{}
	a := newRecPhone(t, ds, "1001", clk, rec)
	b := newPhone(t, ds, "1002", nil)
	b.waitRegistered(t)

	assert.False(t, a.e.VoiceRecord(true, "ftp://example.com/x"), "ftp cannot be used from a page")
	assert.False(t, a.e.VoiceRecord(true, ""), "no upload URL yet")
	require.True(t, a.e.VoiceRecord(true, "http://127.0.0.1:9/up?name=CALLER-CALLED-DATETIME-COUNTER"))
	assert.Equal(t, "http://127.0.0.1:9/up?name=CALLER-CALLED-DATETIME-COUNTER", a.e.GetParameter("voicerecupload"))

	require.True(t, a.e.Call("1002"))
	b.rec.waitFor(t, "b ringing", callState("ringing"))
	started, _ := rec.snapshot()
	assert.Empty(t, started, "nothing is recorded before the answer")
	require.True(t, b.e.Accept())
	a.rec.waitFor(t, "VREC begin", notification("VREC,1,1"))
	started, _ = rec.snapshot()
	assert.Equal(t, []int{1}, started)

	require.True(t, b.e.Hangup(-1))
	a.rec.waitFor(t, "VREC upload begin", notification("VREC,1,2,3,http://127.0.0.1:9/up?name=1001-1002-20260101_120000-1"))
	ok := a.rec.waitFor(t, "VREC upload OK", notification("VREC,-1,3,3,"))
	assert.Equal(t, "VREC,-1,3,3,http://127.0.0.1:9/up?name=1001-1002-20260101_120000-1,callrecord_20260101_120000_1001_1002_1.webm", ok.args[1])
	_, ups := rec.snapshot()
	require.Len(t, ups, 1)
	assert.Equal(t, "callrecord_20260101_120000_1001_1002_1", ups[0].FileName)
	assert.Equal(t, map[string]string{"X-type": "fileupload", "X-filename": "callrecord_20260101_120000_1001_1002_1",
		"X-user": "1001", "X-caller": "1001", "X-called": "1002", "X-callid": ups[0].Headers["X-callid"],
		"X-server": ds.Domain()}, ups[0].Headers)
	assert.NotEmpty(t, ups[0].Headers["X-callid"])

	// voicerecord(false) in the middle of a call uploads at once; a failed
	// upload says why
	rec.mu.Lock()
	rec.failWith = errors.New("HTTP 500")
	rec.mu.Unlock()
	waitUntil(t, "lines free", func() bool { return !a.e.IsInCall() && !b.e.IsInCall() })
	flush(a.e)
	a.rec.reset()
	clk.Advance(time.Hour) // DATETIME follows the engine's clock
	require.True(t, b.e.Call("1001"))
	a.rec.waitFor(t, "a ringing", callState("ringing"))
	require.True(t, a.e.Accept())
	waitUntil(t, "second recording", func() bool { s, _ := rec.snapshot(); return len(s) == 2 })
	require.True(t, a.e.VoiceRecord(false, ""), a.e.GetLogs())
	fail := a.rec.waitFor(t, "VREC upload failed", notification("VREC,-1,4,3,"))
	assert.Equal(t, "VREC,-1,4,3,http://127.0.0.1:9/up?name=1002-1001-20260101_130000-2,HTTP 500", fail.args[1],
		"incoming: the caller is the peer; COUNTER counts")
	require.True(t, a.e.Hangup(-1))
	flush(a.e)
	_, ups = rec.snapshot()
	assert.Len(t, ups, 2, "a recording stopped by voicerecord(false) is not uploaded again at hangup")

	// after voicerecord(false) the next call is not recorded, although
	// voicerecupload is still set
	waitUntil(t, "lines free", func() bool { return !a.e.IsInCall() && !b.e.IsInCall() })
	flush(a.e)
	flush(b.e)
	a.rec.reset()
	b.rec.reset()
	require.True(t, a.e.Call("1002"))
	b.rec.waitFor(t, "b ringing", callState("ringing"))
	require.True(t, b.e.Accept())
	a.rec.waitFor(t, "a connected", callState("connected"))
	require.True(t, a.e.Hangup(-1))
	cdrOf(t, a)
	started, _ = rec.snapshot()
	assert.Len(t, started, 2, "voicerecord(false) stops recording the next calls")
}

func TestVoicerecuploadParameterAloneRecords(t *testing.T) {
	ds := startDemo(t)
	rec := &fakeRecorder{}
	a := newRecPhone(t, ds, "1001", nil, rec)
	b := newPhone(t, ds, "1002", nil)
	b.waitRegistered(t)
	require.True(t, a.e.SetParameter("voicerecupload", "https://127.0.0.1:9/up"))
	require.True(t, a.e.Call("1002"))
	b.rec.waitFor(t, "b ringing", callState("ringing"))
	require.True(t, b.e.Accept())
	a.rec.waitFor(t, "VREC begin", notification("VREC,1,1"))
}

func TestVoiceRecordNeedsARecorder(t *testing.T) {
	e := New(Options{AutoStartDelay: -1})
	defer e.Close()
	assert.False(t, e.VoiceRecord(true, "http://127.0.0.1:9/up"))
}

func TestRecordingNamesAndHeadersCannotBeInjected(t *testing.T) {
	assert.Equal(t, "a_b_c_.._x", safeFileName("a/b c?../x"))
	assert.Equal(t, "evilX-Injected: 1", headerSafe("evil\r\nX-Injected: 1"))
	assert.True(t, strings.HasPrefix(headerSafe("Zoë"), "Zo"))
	assert.False(t, uploadURLAllowed("javascript:alert(1)"))
	assert.False(t, uploadURLAllowed("http:///nohost"))
	assert.True(t, uploadURLAllowed("https://example.com/up"))
}

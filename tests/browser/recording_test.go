package browser

import (
	"encoding/base64"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/opensoftphone/webphone/mediacore"
)

// upload is one recording received by uploadServer.
type upload struct {
	query    string
	filename string // the "filename" form field
	partName string // the file part's file name
	headers  http.Header
	data     []byte
}

// uploadServer is the test's HTTP endpoint for voicerecord uploads (on
// 127.0.0.1, stopped by the test), answering the browser's CORS preflight.
type uploadServer struct {
	srv *httptest.Server
	mu  sync.Mutex
	got []upload
}

func startUploadServer(t *testing.T) *uploadServer {
	t.Helper()
	u := &uploadServer{}
	u.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Access-Control-Allow-Origin", "*")
		if r.Method == http.MethodOptions {
			w.Header().Set("Access-Control-Allow-Methods", "POST, PUT")
			w.Header().Set("Access-Control-Allow-Headers", "*")
			w.WriteHeader(http.StatusNoContent)
			return
		}
		if r.Method != http.MethodPost || r.ParseMultipartForm(32<<20) != nil {
			http.Error(w, "want a multipart POST", http.StatusBadRequest)
			return
		}
		f, fh, err := r.FormFile("file")
		if err != nil {
			http.Error(w, "no file field", http.StatusBadRequest)
			return
		}
		data, _ := io.ReadAll(f)
		f.Close()
		u.mu.Lock()
		u.got = append(u.got, upload{query: r.URL.RawQuery, filename: r.FormValue("filename"), partName: fh.Filename,
			headers: r.Header.Clone(), data: data})
		u.mu.Unlock()
		w.WriteHeader(http.StatusOK)
	}))
	t.Cleanup(u.srv.Close)
	return u
}

func (u *uploadServer) uploads() []upload {
	u.mu.Lock()
	defer u.mu.Unlock()
	return append([]upload(nil), u.got...)
}

// decode8k decodes a recording in the page into 8 kHz samples.
func (p *page) decode8k(data []byte) []int16 {
	p.t.Helper()
	var s []int16
	p.eval(fmt.Sprintf(`T.decode8k(%q)`, base64.StdEncoding.EncodeToString(data)), &s)
	return s
}

// voicerecord through Kamailio + rtpengine with baresip: the page records
// the call (its microphone's 1000 Hz and baresip's 440 Hz mixed), uploads
// the file at the hangup to the test's HTTP endpoint with the documented
// keywords, form fields and headers, reports it with VREC, and the decoded
// file holds both tones.
func TestKamailioVoiceRecordUploadsBothSides(t *testing.T) {
	rig := startKamailioRig(t, true)
	up := startUploadServer(t)
	const pageTone, baresipTone = 1000.0, 440.0
	p := openPage(t, "page alice", rig.base, toneWAV(t, pageTone, 48000), rig.pageParams("alice", kamailioUsers["alice"]))
	p.waitRegistered(20 * time.Second)
	target := up.srv.URL + "/rec?name=CALLER-CALLED-DATE"
	if got := p.api(fmt.Sprintf(`voicerecord(true, %q)`, target)); got != "true" {
		t.Fatalf("voicerecord(true, %q) = %s, want true", target, got)
	}
	if got := p.api(`call("bob")`); got != "true" {
		t.Fatalf(`call("bob") = %s, want true`, got)
	}
	conn := p.waitCallState("connected", 1, 20*time.Second)
	p.waitEvent("VREC record begin", 10*time.Second, func(e event) bool {
		return e.Cb == "onEvent" && e.arg(1) == "VREC,"+conn.arg(4)+",1"
	})
	p.waitHears(conn.arg(4), baresipTone, 20*time.Second)
	waitBaresipHears(t, rig.b, pageTone, 20*time.Second)
	// a few seconds of both tones in the recording: baresip has received
	// 3 s of the call
	baresipLevel(t, rig.b, pageTone, 0, 3*time.Second)
	if got := p.api(`hangup()`); got != "true" {
		t.Fatalf("hangup() = %s, want true", got)
	}
	done := p.waitEvent("VREC upload OK or failed", 30*time.Second, func(e event) bool {
		return e.Cb == "onEvent" && (strings.HasPrefix(e.arg(1), "VREC,-1,3,") || strings.HasPrefix(e.arg(1), "VREC,-1,4,"))
	})
	if !strings.HasPrefix(done.arg(1), "VREC,-1,3,3,") {
		t.Fatalf("the upload failed: %v", done)
	}
	ups := up.uploads()
	if len(ups) != 1 {
		t.Fatalf("the endpoint got %d uploads, want 1", len(ups))
	}
	u := ups[0]
	date := time.Now().Format("20060102")
	if u.query != "name=alice-bob-"+date {
		t.Errorf("upload query %q, want the keywords filled in: name=alice-bob-%s", u.query, date)
	}
	nameRe := regexp.MustCompile(`^callrecord_\d{8}_\d{6}_alice_bob_1\.(webm|ogg|m4a)$`)
	if !nameRe.MatchString(u.filename) || u.partName != u.filename {
		t.Errorf("upload file name %q (form field) / %q (file part), want %s", u.filename, u.partName, nameRe)
	}
	for h, want := range map[string]string{"X-Type": "fileupload", "X-Filename": u.filename, "X-User": "alice",
		"X-Caller": "alice", "X-Called": "bob", "X-Callid": conn.arg(5), "X-Server": rig.k.Domain} {
		if got := u.headers.Get(h); got != want {
			t.Errorf("upload header %s = %q, want %q", h, got, want)
		}
	}
	if !strings.HasSuffix(done.arg(1), ","+u.filename) {
		t.Errorf("VREC upload OK %q does not name the file %q", done.arg(1), u.filename)
	}

	pcm := p.decode8k(u.data)
	t.Logf("recording: %d bytes, %.1f s decoded", len(u.data), float64(len(pcm))/8000)
	if len(pcm) < 8000 {
		t.Fatalf("the recording decodes to %d samples, want more than a second", len(pcm))
	}
	ref := mediacore.ToneAmplitude(pcm, 700)
	for _, f := range []float64{pageTone, baresipTone} {
		a := mediacore.ToneAmplitude(pcm, f)
		t.Logf("%.0f Hz at amplitude %.4f (700 Hz reference %.4f)", f, a, ref)
		if a < 0.01 || a < 10*ref {
			t.Errorf("the recording does not hold the %.0f Hz tone: amplitude %.4f (700 Hz %.4f)", f, a, ref)
		}
	}
}

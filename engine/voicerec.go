package engine

import (
	"net/url"
	"strconv"
	"strings"
	"sync"
	"time"
)

// CallRecorder records calls in the page (both directions mixed) and
// uploads the recordings; the platform supplies it (MediaRecorder in the
// browser). Its methods return at once.
type CallRecorder interface {
	// StartRecording starts recording the call on line.
	StartRecording(line int) error
	// StopRecording ends the recording of line and uploads it as up says;
	// done is called once with the uploaded file's name, or an error.
	StopRecording(line int, up RecordingUpload, done func(fileName string, err error))
}

// RecordingUpload is where and how a recording is uploaded: an HTTP POST
// of a multipart form with the file in field "file" and its name in
// "filename", and the Mizu X- headers.
type RecordingUpload struct {
	URL string
	// FileName is the name without extension; the platform adds the one
	// of the format it records in.
	FileName string
	Headers  map[string]string
}

// voiceRecState is what voicerecord and voicerecupload asked for, and the
// lines being recorded.
type voiceRecState struct {
	mu        sync.Mutex
	set       bool           // voicerecord was called: on decides, not the voicerecupload parameter
	on        bool           // the last voicerecord's start
	recording map[*line]bool // lines whose recording runs
	counter   int            // COUNTER keyword
}

// VREC stages and types (the VREC notification).
const (
	vrecBegin        = 1
	vrecUploadBegin  = 2
	vrecUploadOK     = 3
	vrecUploadFailed = 4
	vrecTypeHTTP     = 3
)

// VoiceRecord switches call recording on or off (voicerecord(start, url)):
// url, an http(s) upload target with the voicerecupload keywords, replaces
// the voicerecupload parameter when given. Connected calls start recording
// at once; stopping uploads what was recorded. It returns false when
// there is no recorder, or no usable upload URL to start with.
func (e *Engine) VoiceRecord(start bool, uploadURL string) (ok bool) {
	defer e.recovered("voicerecord")
	if e.opts.Recorder == nil {
		e.logWarn("voicerecord: this platform cannot record")
		return false
	}
	uploadURL = strings.TrimSpace(uploadURL)
	if uploadURL != "" {
		if !uploadURLAllowed(uploadURL) {
			e.logWarn("voicerecord: only http(s) upload URLs are supported: " + uploadURL)
			return false
		}
		e.params.SetParameter("voicerecupload", uploadURL)
	}
	if start && !uploadURLAllowed(e.params.Get("voicerecupload")) {
		e.logWarn("voicerecord: no http(s) upload URL (voicerecupload)")
		return false
	}
	e.voicerec.mu.Lock()
	e.voicerec.set, e.voicerec.on = true, start
	e.voicerec.mu.Unlock()
	for _, l := range e.lines.live() {
		e.lines.mu.Lock()
		connected := l.state == lineConnected
		e.lines.mu.Unlock()
		switch {
		case start && connected:
			e.startRecording(l)
		case !start:
			e.stopRecording(l)
		}
	}
	return true
}

// uploadURLAllowed reports whether u is an http(s) URL.
func uploadURLAllowed(u string) bool {
	p, err := url.Parse(strings.TrimSpace(u))
	return err == nil && (p.Scheme == "http" || p.Scheme == "https") && p.Host != ""
}

// recordingWanted reports whether calls are to be recorded: as the last
// voicerecord said, else when the voicerecupload parameter is set.
func (e *Engine) recordingWanted() bool {
	e.voicerec.mu.Lock()
	set, on := e.voicerec.set, e.voicerec.on
	e.voicerec.mu.Unlock()
	if set {
		return on
	}
	return uploadURLAllowed(e.params.Get("voicerecupload"))
}

// startRecording starts recording a connected line once.
func (e *Engine) startRecording(l *line) {
	if e.opts.Recorder == nil {
		return
	}
	e.voicerec.mu.Lock()
	if e.voicerec.recording[l] {
		e.voicerec.mu.Unlock()
		return
	}
	if e.voicerec.recording == nil {
		e.voicerec.recording = map[*line]bool{}
	}
	e.voicerec.recording[l] = true
	e.voicerec.mu.Unlock()
	if err := e.opts.Recorder.StartRecording(l.n); err != nil {
		e.voicerec.mu.Lock()
		delete(e.voicerec.recording, l)
		e.voicerec.mu.Unlock()
		e.logWarn("voice recording on line " + strconv.Itoa(l.n) + ": " + err.Error())
		return
	}
	e.notify("VREC," + strconv.Itoa(l.n) + "," + strconv.Itoa(vrecBegin))
}

// stopRecording ends a line's recording, if it runs, and uploads it with
// VREC notifications for the upload's begin and outcome.
func (e *Engine) stopRecording(l *line) {
	e.voicerec.mu.Lock()
	if !e.voicerec.recording[l] {
		e.voicerec.mu.Unlock()
		return
	}
	delete(e.voicerec.recording, l)
	e.voicerec.counter++
	counter := e.voicerec.counter
	e.voicerec.mu.Unlock()

	up := e.recordingUpload(l, counter)
	n := strconv.Itoa(l.n)
	e.notify("VREC," + n + "," + strconv.Itoa(vrecUploadBegin) + "," + strconv.Itoa(vrecTypeHTTP) + "," + up.URL)
	e.opts.Recorder.StopRecording(l.n, up, func(fileName string, err error) {
		if err != nil {
			e.logWarn("voice recording upload: " + err.Error())
			e.notify("VREC,-1," + strconv.Itoa(vrecUploadFailed) + "," + strconv.Itoa(vrecTypeHTTP) + "," + up.URL + "," + oneLine(err.Error()))
			return
		}
		e.notify("VREC,-1," + strconv.Itoa(vrecUploadOK) + "," + strconv.Itoa(vrecTypeHTTP) + "," + up.URL + "," + fileName)
	})
}

// oneLine keeps a reason on one notification line.
func oneLine(s string) string {
	return strings.NewReplacer("\r", " ", "\n", " ").Replace(s)
}

// recordingUpload fills in the voicerecupload keywords (DATETIME, DATE,
// TIME, CALLID, USER, CALLER, CALLED, SERVER, COUNTER) for a line.
func (e *Engine) recordingUpload(l *line, counter int) RecordingUpload {
	user, _ := Credentials(e.params)
	server := SIPDomain(e.params)
	e.lines.mu.Lock()
	peer, callID, dir := l.peer, l.callID, l.dir
	e.lines.mu.Unlock()
	caller, called := user, peer
	if dir == 2 {
		caller, called = peer, user
	}
	now := e.now()
	kw := recordingKeywords(now, callID, user, caller, called, server, counter)
	raw := strings.TrimSpace(e.params.Get("voicerecupload"))
	// the URL gets its keywords URL-escaped; the file name is made of
	// safe characters only
	urlRepl := make([]string, 0, 2*len(kw))
	nameRepl := make([]string, 0, 2*len(kw))
	for _, k := range kw {
		urlRepl = append(urlRepl, k[0], url.QueryEscape(k[1]))
		nameRepl = append(nameRepl, k[0], safeFileName(k[1]))
	}
	name := strings.NewReplacer(nameRepl...).Replace("callrecord_DATETIME_CALLER_CALLED_COUNTER")
	return RecordingUpload{
		URL:      strings.NewReplacer(urlRepl...).Replace(raw),
		FileName: name,
		Headers: map[string]string{
			"X-type":     "fileupload",
			"X-filename": name,
			"X-user":     headerSafe(user),
			"X-caller":   headerSafe(caller),
			"X-called":   headerSafe(called),
			"X-callid":   headerSafe(callID),
			"X-server":   headerSafe(server),
		},
	}
}

// recordingKeywords are the keyword/value pairs, longest keyword first
// (DATETIME before DATE and TIME).
func recordingKeywords(now time.Time, callID, user, caller, called, server string, counter int) [][2]string {
	return [][2]string{
		{"DATETIME", now.Format("20060102_150405")},
		{"DATE", now.Format("20060102")},
		{"TIME", now.Format("150405")},
		{"CALLID", callID},
		{"USER", user},
		{"CALLER", caller},
		{"CALLED", called},
		{"SERVER", server},
		{"COUNTER", strconv.Itoa(counter)},
	}
}

// safeFileName keeps letters, digits, '.', '-' and '_' (others become '_').
func safeFileName(s string) string {
	return strings.Map(func(r rune) rune {
		switch {
		case r >= 'a' && r <= 'z', r >= 'A' && r <= 'Z', r >= '0' && r <= '9', r == '.', r == '-', r == '_':
			return r
		}
		return '_'
	}, s)
}

// headerSafe keeps printable ASCII, so a peer's name cannot break an HTTP
// header.
func headerSafe(s string) string {
	return strings.Map(func(r rune) rune {
		if r < 0x20 || r > 0x7e {
			return -1
		}
		return r
	}, s)
}

//go:build js && wasm

package jsbridge

import (
	"context"
	"errors"
	"strconv"
	"sync"
	"time"

	"github.com/hack-pad/safejs"
	"github.com/opensoftphone/webphone/engine"
)

// Bounds of a recording's end: the MediaRecorder's last data, and the
// upload.
const (
	recorderStopTimeout = 5 * time.Second
	uploadTimeout       = 60 * time.Second
)

// recordingFormats are the MediaRecorder formats tried in order, with the
// file extension of each.
var recordingFormats = []struct{ mime, ext string }{
	{"audio/webm;codecs=opus", ".webm"},
	{"audio/ogg;codecs=opus", ".ogg"},
	{"audio/webm", ".webm"},
	{"audio/mp4", ".m4a"},
}

// PageRecorder is engine.CallRecorder in the page: the call's sent and
// received audio tracks are mixed in PageAudio's context into a
// MediaStreamAudioDestinationNode that a MediaRecorder records (Opus in
// WebM where the browser has it); at the end the file is POSTed as a
// multipart form (field "file", plus "filename") with the Mizu X- headers.
//
// Calls of the PCM engine are recorded in Go instead (both directions mixed
// at 8 kHz, webaudio.Media.StartRecording) and uploaded as WAV.
type PageRecorder struct {
	Media *MediaRegistry
	Audio *PageAudio
	// PCM, when set, is asked first for the call's PCM media.
	PCM *PCMEngine

	mu   sync.Mutex
	recs map[int]*callRecording
}

var _ engine.CallRecorder = (*PageRecorder)(nil)

// callRecording is one running recording.
type callRecording struct {
	rec     safejs.Value // MediaRecorder
	chunks  safejs.Value // JS array of Blobs
	sources []safejs.Value
	dest    safejs.Value
	mime    string
	ext     string
	funcs   []safejs.Func
	pcm     *pcmCallMedia // a PCM call recorded in Go (no MediaRecorder)
}

// StartRecording mixes and records the call on line.
func (r *PageRecorder) StartRecording(line int) error {
	if r.PCM != nil {
		if m, ok := r.PCM.callMedia(line); ok {
			m.StartRecording()
			r.keep(line, &callRecording{pcm: m, mime: "audio/wav", ext: ".wav"})
			return nil
		}
	}
	pc, ok := r.Media.PeerConnection(line)
	if !ok || isNullish(pc) {
		return errors.New("the call has no media")
	}
	tracks := append(audioTracks(pc, "getSenders"), audioTracks(pc, "getReceivers")...)
	if len(tracks) == 0 {
		return errors.New("the call has no audio track")
	}
	actx, err := r.Audio.context()
	if err != nil {
		return err
	}
	dest, err := actx.Call("createMediaStreamDestination")
	if err != nil {
		return err
	}
	msCtor, err := global("MediaStream")
	if err != nil {
		return err
	}
	cr := &callRecording{dest: dest}
	for _, tr := range tracks {
		ms, err := msCtor.New([]any{tr})
		if err != nil {
			continue
		}
		src, err := actx.Call("createMediaStreamSource", ms)
		if err != nil {
			continue
		}
		if _, err := src.Call("connect", dest); err == nil {
			cr.sources = append(cr.sources, src)
		}
	}
	mrCtor, err := global("MediaRecorder")
	if err != nil || mrCtor.Type() != safejs.TypeFunction {
		return errors.New("this browser has no MediaRecorder")
	}
	opts := map[string]any{}
	cr.ext = ".webm"
	if isSupported, err := mrCtor.Get("isTypeSupported"); err == nil && isSupported.Type() == safejs.TypeFunction {
		for _, f := range recordingFormats {
			if ok, err := mrCtor.Call("isTypeSupported", f.mime); err == nil {
				if b, _ := ok.Bool(); b {
					opts["mimeType"], cr.mime, cr.ext = f.mime, f.mime, f.ext
					break
				}
			}
		}
	}
	stream, _ := dest.Get("stream")
	rec, err := mrCtor.New(stream, opts)
	if err != nil {
		cr.disconnect()
		return err
	}
	arrCtor, _ := global("Array")
	chunks, _ := arrCtor.New()
	onData, err := safejs.FuncOf(func(_ safejs.Value, args []safejs.Value) any {
		if len(args) > 0 {
			if data, err := args[0].Get("data"); err == nil && !isNullish(data) {
				_, _ = chunks.Call("push", data)
			}
		}
		return nil
	})
	if err != nil {
		cr.disconnect()
		return err
	}
	cr.rec, cr.chunks, cr.funcs = rec, chunks, []safejs.Func{onData}
	_ = rec.Set("ondataavailable", onData)
	if _, err := rec.Call("start", 1000); err != nil {
		cr.release()
		return err
	}
	r.keep(line, cr)
	if len(audioTracks(pc, "getSenders")) == 0 {
		// The microphone may still be opening (the offer did not wait for
		// it): record it from when it is there.
		settled := r.Media.MicrophoneSettled(line)
		go func() {
			<-settled // bounded: PeerMedia gives up after micOpenTimeout
			r.mu.Lock()
			defer r.mu.Unlock()
			if r.recs[line] != cr {
				return // stopped meanwhile
			}
			for _, tr := range audioTracks(pc, "getSenders") {
				ms, err := msCtor.New([]any{tr})
				if err != nil {
					continue
				}
				if src, err := actx.Call("createMediaStreamSource", ms); err == nil {
					if _, err := src.Call("connect", dest); err == nil {
						cr.sources = append(cr.sources, src)
					}
				}
			}
		}()
	}
	return nil
}

// keep remembers the running recording of line, releasing an older one.
func (r *PageRecorder) keep(line int, cr *callRecording) {
	r.mu.Lock()
	if r.recs == nil {
		r.recs = map[int]*callRecording{}
	}
	old := r.recs[line]
	r.recs[line] = cr
	r.mu.Unlock()
	if old != nil {
		old.release()
	}
}

// audioTracks returns the audio tracks of pc's senders or receivers.
func audioTracks(pc safejs.Value, method string) []safejs.Value {
	list, err := pc.Call(method)
	if err != nil {
		return nil
	}
	n, _ := list.Length()
	var out []safejs.Value
	for i := 0; i < n; i++ {
		x, err := list.Index(i)
		if err != nil {
			continue
		}
		tr, err := x.Get("track")
		if err != nil || isNullish(tr) || getString(tr, "kind") != "audio" {
			continue
		}
		out = append(out, tr)
	}
	return out
}

// StopRecording stops line's recording and uploads it in the background.
func (r *PageRecorder) StopRecording(line int, up engine.RecordingUpload, done func(string, error)) {
	r.mu.Lock()
	cr := r.recs[line]
	delete(r.recs, line)
	r.mu.Unlock()
	if cr == nil {
		go done("", errors.New("line "+strconv.Itoa(line)+" was not being recorded"))
		return
	}
	if cr.pcm != nil {
		go r.stopPCM(cr, up, done)
		return
	}
	stopped := make(chan struct{})
	var once sync.Once
	onStop, err := safejs.FuncOf(func(safejs.Value, []safejs.Value) any {
		once.Do(func() { close(stopped) })
		return nil
	})
	if err == nil {
		cr.funcs = append(cr.funcs, onStop)
		_ = cr.rec.Set("onstop", onStop)
	}
	if getString(cr.rec, "state") != "inactive" {
		_, _ = cr.rec.Call("stop")
	} else {
		once.Do(func() { close(stopped) })
	}
	go func() {
		select {
		case <-stopped:
		case <-time.After(recorderStopTimeout):
		}
		name := up.FileName + cr.ext
		err := r.upload(cr, up, name)
		cr.release()
		if err != nil {
			done("", err)
			return
		}
		done(name, nil)
	}()
}

// stopPCM ends a PCM call's recording and uploads its WAV.
func (r *PageRecorder) stopPCM(cr *callRecording, up engine.RecordingUpload, done func(string, error)) {
	wav, err := cr.pcm.StopRecording()
	if err != nil {
		done("", err)
		return
	}
	arr, err := bytesToJS(wav)
	if err != nil {
		done("", err)
		return
	}
	arrCtor, _ := global("Array")
	if cr.chunks, err = arrCtor.New(arr); err != nil {
		done("", err)
		return
	}
	name := up.FileName + cr.ext
	if err := r.upload(cr, up, name); err != nil {
		done("", err)
		return
	}
	done(name, nil)
}

// upload POSTs the recording.
func (r *PageRecorder) upload(cr *callRecording, up engine.RecordingUpload, name string) error {
	blobCtor, err := global("Blob")
	if err != nil {
		return err
	}
	mime := cr.mime
	if mime == "" {
		mime = "application/octet-stream"
	}
	blob, err := blobCtor.New(cr.chunks, map[string]any{"type": mime})
	if err != nil {
		return err
	}
	if getInt(blob, "size") == 0 {
		return errors.New("nothing was recorded")
	}
	fdCtor, err := global("FormData")
	if err != nil {
		return err
	}
	form, err := fdCtor.New()
	if err != nil {
		return err
	}
	_, _ = form.Call("append", "filename", name)
	if _, err := form.Call("append", "file", blob, name); err != nil {
		return err
	}
	headers := map[string]any{}
	for k, v := range up.Headers {
		headers[k] = v
	}
	headers["X-filename"] = name
	fetch, err := global("fetch")
	if err != nil {
		return err
	}
	ctx, cancel := context.WithTimeout(context.Background(), uploadTimeout)
	defer cancel()
	p, err := fetch.Invoke(up.URL, map[string]any{"method": "POST", "body": form, "headers": headers})
	if err != nil {
		return err
	}
	resp, err := await(ctx, p)
	if err != nil {
		return err
	}
	if !getBool(resp, "ok") {
		return errors.New("HTTP " + strconv.Itoa(getInt(resp, "status")))
	}
	return nil
}

// disconnect takes the mix apart.
func (cr *callRecording) disconnect() {
	for _, s := range cr.sources {
		_, _ = s.Call("disconnect")
	}
	cr.sources = nil
}

// release frees the recording's nodes and functions.
func (cr *callRecording) release() {
	cr.disconnect()
	if !isNullish(cr.rec) {
		_ = cr.rec.Set("ondataavailable", nil)
		_ = cr.rec.Set("onstop", nil)
	}
	for _, f := range cr.funcs {
		f.Release()
	}
	cr.funcs = nil
}

//go:build js && wasm

package jsbridge

// This file holds the camera and what the video sender sends: the camera (getUserMedia
// with the size, facing and device parameters), the codec preferences and the
// bitrate cap.

import (
	"context"

	"github.com/hack-pad/safejs"
)

// videoSource is the track to send: the shared screen, else the camera
// (opened once; a failure is a warning and the video only receives).
func (m *PeerMedia) videoSource(ctx context.Context) (safejs.Value, bool) {
	v := &m.video
	v.mu.Lock()
	if v.haveScreen {
		defer v.mu.Unlock()
		return v.screenTrack, true
	}
	if v.camTried {
		defer v.mu.Unlock()
		return v.camTrack, v.haveCam
	}
	v.camTried = true
	v.mu.Unlock()
	stream, err := m.openCamera(ctx)
	if err != nil {
		m.warn("cannot access the camera, the video only receives: %v", err)
		return safejs.Undefined(), false
	}
	track, ok := firstTrack(stream, "getVideoTracks")
	if !ok {
		m.warn("the camera gave no video track; the video only receives")
		return safejs.Undefined(), false
	}
	v.mu.Lock()
	v.cam, v.camTrack, v.haveCam = stream, track, true
	v.mu.Unlock()
	if m.checkOpen() != nil {
		stopTracks(stream)
		return safejs.Undefined(), false
	}
	return track, true
}

// firstTrack returns stream.<getter>()[0].
func firstTrack(stream safejs.Value, getter string) (safejs.Value, bool) {
	tracks, err := stream.Call(getter)
	if err != nil {
		return safejs.Undefined(), false
	}
	if n, _ := tracks.Length(); n == 0 {
		return safejs.Undefined(), false
	}
	t, err := tracks.Index(0)
	return t, err == nil && !isNullish(t)
}

// openCamera opens the camera with the size, facing and device
// parameters.
func (m *PeerMedia) openCamera(ctx context.Context) (safejs.Value, error) {
	devices, err := mediaDevices()
	if err != nil {
		return safejs.Undefined(), err
	}
	id := ""
	if m.cfg.Video.Camera != "" {
		id = cameraID(ctx, devices, m.cfg.Video.Camera)
		if id == "" {
			m.warn("camera %q not found; using the default camera", m.cfg.Video.Camera)
		}
	}
	c := videoConstraints(m.cfg.Video.Size, m.cfg.Video.Facing, id)
	var video any = true
	if len(c) > 0 {
		video = c
	}
	return callAwait(ctx, devices, "getUserMedia", map[string]any{"audio": false, "video": video})
}

// cameraID finds the deviceId of a camera by label or id ("" if none).
func cameraID(ctx context.Context, devices safejs.Value, name string) string {
	for _, d := range listDevices(ctx, devices, "videoinput") {
		if d.label == name || d.id == name {
			return d.id
		}
	}
	return ""
}

// device is one entry of enumerateDevices.
type device struct{ id, label string }

// listDevices lists the devices of one kind ("videoinput").
func listDevices(ctx context.Context, devices safejs.Value, kind string) []device {
	list, err := callAwait(ctx, devices, "enumerateDevices")
	if err != nil {
		return nil
	}
	var out []device
	n, _ := list.Length()
	for i := 0; i < n; i++ {
		d, err := list.Index(i)
		if err != nil || getString(d, "kind") != kind {
			continue
		}
		out = append(out, device{id: getString(d, "deviceId"), label: getString(d, "label")})
	}
	return out
}

// sendVideo puts track (or nothing while muted or without a source) on
// the video sender and shows it in the local preview.
func (m *PeerMedia) sendVideo(ctx context.Context, tx, track safejs.Value, have bool) {
	v := &m.video
	v.mu.Lock()
	muted := v.muteLocal
	v.mu.Unlock()
	sender, err := tx.Get("sender")
	if err != nil {
		return
	}
	var send any = nil
	if have && !muted {
		send = track
	}
	if p, err := sender.Call("replaceTrack", send); err == nil {
		if _, err := await(ctx, p); err != nil {
			m.warn("video replaceTrack: %v", err)
		}
	}
	if have {
		m.showLocal(track)
		m.limitVideoBitrate(ctx, sender)
	}
}

// limitVideoBitrate applies video_bandwidth to the sender's encodings.
func (m *PeerMedia) limitVideoBitrate(ctx context.Context, sender safejs.Value) {
	if m.cfg.Video.MaxKbps <= 0 {
		return
	}
	params, err := sender.Call("getParameters")
	if err != nil {
		return
	}
	enc, err := params.Get("encodings")
	if err != nil || isNullish(enc) {
		return
	}
	if n, _ := enc.Length(); n == 0 {
		return
	}
	first, err := enc.Index(0)
	if err != nil {
		return
	}
	_ = first.Set("maxBitrate", m.cfg.Video.MaxKbps*1000)
	if p, err := sender.Call("setParameters", params); err == nil {
		if _, err := await(ctx, p); err != nil {
			m.warn("video_bandwidth: %v", err)
		}
	}
}

// applyVideoCodecs applies vcodec/prefvcodec with setCodecPreferences.
func (m *PeerMedia) applyVideoCodecs(tx safejs.Value) {
	if len(m.cfg.Video.Codecs) == 0 && m.cfg.Video.Prefer == "" {
		return
	}
	recv, err := global("RTCRtpReceiver")
	if err != nil {
		return
	}
	caps, err := recv.Call("getCapabilities", "video")
	if err != nil || isNullish(caps) {
		return
	}
	codecs, err := caps.Get("codecs")
	if err != nil {
		return
	}
	n, _ := codecs.Length()
	mimes := make([]string, n)
	all := make([]safejs.Value, n)
	for i := 0; i < n; i++ {
		c, err := codecs.Index(i)
		if err != nil {
			return
		}
		all[i], mimes[i] = c, getString(c, "mimeType")
	}
	var pick []any
	for _, i := range orderVideoCodecs(mimes, m.cfg.Video.Codecs, m.cfg.Video.Prefer) {
		pick = append(pick, all[i])
	}
	if _, err := tx.Call("setCodecPreferences", pick); err != nil {
		m.warn("video codec preferences: %v", err)
	}
}

//go:build js && wasm

package jsbridge

// This file holds where the video appears: the remote and local <video> elements in the
// video container.

import (
	"context"
	"strconv"
	"time"

	"github.com/hack-pad/safejs"
)

// onVideoTrack shows a received video track; it reports whether the track
// was video (ontrack).
func (m *PeerMedia) onVideoTrack(ev safejs.Value) bool {
	track, err := ev.Get("track")
	if err != nil || getString(track, "kind") != "video" {
		return false
	}
	msCtor, err := global("MediaStream")
	if err != nil {
		return true
	}
	stream, err := msCtor.New([]any{track})
	if err != nil {
		return true
	}
	el, err := m.videoElement(true)
	if err != nil {
		m.warn("cannot show the remote video: %v", err)
		return true
	}
	_ = el.Set("srcObject", stream)
	playElement(m, el)
	return true
}

// showLocal shows what we send in the local preview.
func (m *PeerMedia) showLocal(track safejs.Value) {
	msCtor, err := global("MediaStream")
	if err != nil {
		return
	}
	stream, err := msCtor.New([]any{track})
	if err != nil {
		return
	}
	el, err := m.videoElement(false)
	if err != nil {
		return
	}
	_ = el.Set("srcObject", stream)
	playElement(m, el)
}

// playElement starts a media element and warns when autoplay is refused.
func playElement(m *PeerMedia, el safejs.Value) {
	p, err := el.Call("play")
	if err != nil {
		return
	}
	go func() {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		if _, err := await(ctx, p); err != nil && ctx.Err() == nil {
			m.warn("video does not play (autoplay policy?): %v", err)
		}
	}()
}

// videoElement creates (once) the remote or local <video> element in the
// video container (Video.Container), or hidden in document.body without
// one. Both are muted: the sound plays through the <audio> element.
func (m *PeerMedia) videoElement(remote bool) (safejs.Value, error) {
	if err := m.checkOpen(); err != nil {
		return safejs.Undefined(), err
	}
	v := &m.video
	v.mu.Lock()
	defer v.mu.Unlock()
	if remote && v.haveRemoteEl {
		return v.remoteEl, nil
	}
	if !remote && v.haveLocalEl {
		return v.localEl, nil
	}
	doc, err := global("document")
	if err != nil {
		return safejs.Undefined(), err
	}
	el, err := doc.Call("createElement", "video")
	if err != nil {
		return safejs.Undefined(), err
	}
	_ = el.Set("autoplay", true)
	_ = el.Set("muted", true)
	_ = el.Set("playsInline", true)
	kind := "local"
	if remote {
		kind = "remote"
	}
	_, _ = el.Call("setAttribute", "data-webphone-video", kind)
	_, _ = el.Call("setAttribute", "data-webphone-line", m.cfg.Label)
	_, _ = el.Call("setAttribute", "class", "webphone-video-"+kind)
	parent := safejs.Undefined()
	if m.cfg.Video.Container != "" {
		parent, _ = doc.Call("getElementById", m.cfg.Video.Container)
	}
	if isNullish(parent) {
		_, _ = el.Call("setAttribute", "style", "display:none")
		parent, _ = doc.Get("body")
	} else {
		sizeVideoElement(el, m.cfg.Video.DisplaySize, remote)
	}
	if remote && v.muteRemote {
		_ = el.Set("hidden", true)
	}
	if !isNullish(parent) {
		if _, err := parent.Call("appendChild", el); err != nil {
			return safejs.Undefined(), err
		}
	}
	if remote {
		v.remoteEl, v.haveRemoteEl = el, true
	} else {
		v.localEl, v.haveLocalEl = el, true
	}
	return el, nil
}

// sizeVideoElement applies the setvideodisplaysize size, if any.
func sizeVideoElement(el safejs.Value, size func(remote bool) (int, int), remote bool) {
	if size == nil {
		return
	}
	w, h := size(remote)
	style, err := el.Get("style")
	if err != nil || w <= 0 {
		return
	}
	_ = style.Set("width", strconv.Itoa(w)+"px")
	if h > 0 {
		_ = style.Set("height", strconv.Itoa(h)+"px")
	} else {
		_ = style.Set("height", "auto")
	}
}

// ResizeVideo applies a new setvideodisplaysize to the elements shown.
func (m *PeerMedia) ResizeVideo() {
	v := &m.video
	v.mu.Lock()
	r, haveR, l, haveL := v.remoteEl, v.haveRemoteEl, v.localEl, v.haveLocalEl
	v.mu.Unlock()
	if haveR {
		sizeVideoElement(r, m.cfg.Video.DisplaySize, true)
	}
	if haveL {
		sizeVideoElement(l, m.cfg.Video.DisplaySize, false)
	}
}

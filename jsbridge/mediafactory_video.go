//go:build js && wasm

package jsbridge

import (
	"strings"
	"sync"

	"github.com/opensoftphone/webphone/engine"
)

// DefaultVideoContainer is the id of the element Mizu pages put the video
// in (<div id="video_container">).
const DefaultVideoContainer = "video_container"

// videoDisplay is what setvideodisplaysize and setdevice(3, ...) set for
// every call's video, with its own lock.
type videoDisplay struct {
	mu               sync.Mutex
	remoteW, remoteH int
	localW, localH   int
	camera           string
	haveCamera       bool
}

// VideoConfigFromParams maps the Mizu video parameters (video, vcodec,
// prefvcodec, video_bandwidth, video_width, video_height, video_min_*,
// video_max_*, videofacing, videocontainer) to a VideoConfig.
func VideoConfigFromParams(p *engine.Params) VideoConfig {
	container := strings.TrimSpace(p.Get("videocontainer"))
	if container == "" {
		container = DefaultVideoContainer
	}
	return VideoConfig{
		Policy: p.Int("video", VideoAuto),
		Size: VideoSize{
			Width: p.Int("video_width", 0), Height: p.Int("video_height", 0),
			MinWidth: p.Int("video_min_width", 0), MinHeight: p.Int("video_min_height", 0),
			MaxWidth: p.Int("video_max_width", 0), MaxHeight: p.Int("video_max_height", 0),
		},
		Facing:    p.Get("videofacing"),
		Codecs:    parseVideoCodecs(p.Get("vcodec")),
		Prefer:    strings.TrimSpace(p.Get("prefvcodec")),
		MaxKbps:   p.Int("video_bandwidth", 0),
		Container: container,
	}
}

// videoConfig is the VideoConfig of a new call: the parameters, the camera
// chosen with setdevice(3, ...) and the setvideodisplaysize sizes.
func (r *MediaRegistry) videoConfig(p *engine.Params) VideoConfig {
	cfg := VideoConfigFromParams(p)
	r.video.mu.Lock()
	if r.video.haveCamera {
		cfg.Camera = r.video.camera
	}
	r.video.mu.Unlock()
	cfg.DisplaySize = r.displaySize
	return cfg
}

func (r *MediaRegistry) displaySize(remote bool) (int, int) {
	r.video.mu.Lock()
	defer r.video.mu.Unlock()
	if remote {
		return r.video.remoteW, r.video.remoteH
	}
	return r.video.localW, r.video.localH
}

// SetVideoDisplaySize sets the size of the remote (typ 1) or local (typ 2)
// video in px (setvideodisplaysize); height 0 keeps the aspect ratio. It
// applies to the video shown now and later.
func (r *MediaRegistry) SetVideoDisplaySize(typ, width, height int) bool {
	if (typ != 1 && typ != 2) || width <= 0 || width > 10000 || height < 0 || height > 10000 {
		return false
	}
	r.video.mu.Lock()
	if typ == 1 {
		r.video.remoteW, r.video.remoteH = width, height
	} else {
		r.video.localW, r.video.localH = width, height
	}
	r.video.mu.Unlock()
	r.mu.Lock()
	ms := make([]*lineMedia, 0, len(r.byLine))
	for _, m := range r.byLine {
		ms = append(ms, m)
	}
	r.mu.Unlock()
	for _, m := range ms {
		m.ResizeVideo()
	}
	return true
}

// SetCamera chooses the camera of the next video calls by label or
// deviceId (setdevice(3, name)); "" or "Default" is the browser's default.
func (r *MediaRegistry) SetCamera(name string) bool {
	name = strings.TrimSpace(name)
	if len(name) > 512 {
		return false
	}
	r.video.mu.Lock()
	defer r.video.mu.Unlock()
	if name == "" || strings.EqualFold(name, "default") {
		r.video.camera, r.video.haveCamera = "", false
		return true
	}
	r.video.camera, r.video.haveCamera = name, true
	return true
}

// Camera is the camera chosen with SetCamera ("" for the default).
func (r *MediaRegistry) Camera() string {
	r.video.mu.Lock()
	defer r.video.mu.Unlock()
	return r.video.camera
}

package browser

import (
	"context"

	"fmt"
	"github.com/chromedp/cdproto/runtime"
	"github.com/chromedp/chromedp"
	"strings"
	"testing"
	"time"
)

// videoStats is V.stats(line): the video counters of a line's
// RTCPeerConnection from getStats.
type videoStats struct {
	OK             bool     `json:"ok"`
	Error          string   `json:"error"`
	FramesDecoded  int      `json:"framesDecoded"`
	FramesEncoded  int      `json:"framesEncoded"`
	FramesSent     int      `json:"framesSent"`
	FrameWidth     int      `json:"frameWidth"`
	FrameHeight    int      `json:"frameHeight"`
	InboundVideo   int      `json:"inboundVideo"`
	OutboundVideo  int      `json:"outboundVideo"`
	Codec          string   `json:"codec"`
	SenderTrack    string   `json:"senderTrack"`
	DisplaySurface string   `json:"displaySurface"`
	SenderWidth    int      `json:"senderWidth"`
	SenderHeight   int      `json:"senderHeight"`
	Transceivers   []string `json:"transceivers"`
}

func (s videoStats) String() string {
	if !s.OK {
		return "no stats: " + s.Error
	}
	return fmt.Sprintf("decoded %d frames (%dx%d, %s), encoded %d, sent %d; sender track %q %s; transceivers %v",
		s.FramesDecoded, s.FrameWidth, s.FrameHeight, s.Codec, s.FramesEncoded, s.FramesSent, s.SenderTrack,
		s.DisplaySurface, s.Transceivers)
}

// videoElement is one entry of V.elements().
type videoElement struct {
	Kind       string `json:"kind"`
	Line       string `json:"line"`
	Parent     string `json:"parent"`
	Width      int    `json:"width"`
	Height     int    `json:"height"`
	Hidden     bool   `json:"hidden"`
	StyleWidth string `json:"styleWidth"`
}

func (p *page) videoStats(line string) videoStats {
	p.t.Helper()
	var s videoStats
	p.eval(fmt.Sprintf(`V.stats(%s)`, line), &s)
	return s
}

func (p *page) videoElements() []videoElement {
	p.t.Helper()
	var els []videoElement
	p.eval(`V.elements()`, &els)
	return els
}

// waitFramesFlow waits until the line decodes received video: the decoded
// frame count grows by at least 10 beyond its value when the wait began.
func (p *page) waitFramesFlow(line string, timeout time.Duration) videoStats {
	p.t.Helper()
	start := p.videoStats(line).FramesDecoded
	var last videoStats
	waitFor(p.t, p.name+": received video frames decoded (getStats framesDecoded growing)", timeout, func() bool {
		last = p.videoStats(line)
		return last.OK && last.FramesDecoded >= start+10
	})
	return last
}

// waitFramesStopped waits until no video frame is decoded any more on the
// line: the count stays the same across polls spanning at least a second
// (the fake camera sends 30 frames a second, so a live stream adds ~30).
func (p *page) waitFramesStopped(line string, timeout time.Duration) videoStats {
	p.t.Helper()
	var ref videoStats
	var refAt time.Time
	waitFor(p.t, p.name+": received video frames to stop", timeout, func() bool {
		s := p.videoStats(line)
		if !s.OK {
			return false
		}
		if refAt.IsZero() || s.FramesDecoded != ref.FramesDecoded {
			ref, refAt = s, time.Now()
			return false
		}
		return time.Since(refAt) >= 1500*time.Millisecond
	})
	return ref
}

// videoSection returns the first m=video section of an SDP ("" if none).
func videoSection(sdp string) string {
	i := strings.Index(sdp, "m=video")
	if i < 0 {
		return ""
	}
	sec := sdp[i:]
	if j := strings.Index(sec[1:], "\nm="); j >= 0 {
		sec = sec[:j+1]
	}
	return sec
}

// videoPort is the port of the first m=video line ("" without one).
func videoPort(sdp string) string {
	sec := videoSection(sdp)
	if sec == "" {
		return ""
	}
	f := strings.Fields(strings.SplitN(sec, "\n", 2)[0])
	if len(f) < 2 {
		return ""
	}
	return f[1]
}

// waitVideoElements waits until the page shows the line's remote video
// with decoded pixels (videoWidth > 0) in the video container, and the local
// preview next to it.
func waitVideoElements(t *testing.T, p *page, line string, timeout time.Duration) []videoElement {
	t.Helper()
	var els []videoElement
	waitFor(t, p.name+": remote and local <video> in #video_container showing frames", timeout, func() bool {
		els = p.videoElements()
		remote, local := false, false
		for _, e := range els {
			if e.Line != line || e.Parent != "video_container" {
				continue
			}
			remote = remote || (e.Kind == "remote" && e.Width > 0)
			local = local || (e.Kind == "local" && e.Width > 0)
		}
		return remote && local
	})
	return els
}

// apiGesture calls webphone_api.<call> as if from a click (a user gesture:
// getDisplayMedia wants one) and returns its result as JSON text.
func (p *page) apiGesture(call string) string {
	p.t.Helper()
	ctx, cancel := context.WithTimeout(p.ctx, 15*time.Second)
	defer cancel()
	raw, err := chromedp.Run(ctx, chromedp.Evaluate[[]byte]("webphone_api."+call, chromedp.EvalAwaitPromise,
		func(ep *runtime.EvaluateParams) { gesture := true; ep.UserGesture = &gesture }))
	if err != nil {
		p.t.Fatalf("%s: evaluate %s: %v", p.name, call, err)
	}
	return strings.TrimSpace(string(raw))
}

package jsbridge

import "strings"

// Video policies (the Mizu "video" parameter).
const (
	VideoAuto    = -1 // video when asked (videocall) or offered by the peer (default)
	VideoOff     = 0  // never: video offers are answered without video
	VideoEnabled = 1  // as VideoAuto
	VideoForced  = 2  // every call offers video
)

// VideoSize holds the Mizu video size parameters (px; 0 = no constraint).
type VideoSize struct {
	Width, Height       int // video_width, video_height: the wanted size
	MinWidth, MinHeight int // video_min_width, video_min_height
	MaxWidth, MaxHeight int // video_max_width, video_max_height
}

// videoConstraints builds the getUserMedia video constraints from the size
// parameters, the videofacing parameter ("no" or "" for none) and a camera
// deviceId ("" for the default camera).
func videoConstraints(size VideoSize, facing, deviceID string) map[string]any {
	c := map[string]any{}
	dim := func(ideal, lo, hi int) map[string]any {
		d := map[string]any{}
		if ideal > 0 {
			d["ideal"] = ideal
		}
		if lo > 0 {
			d["min"] = lo
		}
		if hi > 0 && hi >= lo {
			d["max"] = hi
		}
		return d
	}
	if d := dim(size.Width, size.MinWidth, size.MaxWidth); len(d) > 0 {
		c["width"] = d
	}
	if d := dim(size.Height, size.MinHeight, size.MaxHeight); len(d) > 0 {
		c["height"] = d
	}
	switch f := strings.ToLower(strings.TrimSpace(facing)); f {
	case "user", "environment", "left", "right":
		c["facingMode"] = f
	}
	if deviceID != "" {
		c["deviceId"] = map[string]any{"exact": deviceID}
	}
	return c
}

// videoHelperCodecs are entries of the codec capabilities that carry no
// picture of their own (retransmission and error correction); they follow
// the picture codecs they serve.
var videoHelperCodecs = map[string]bool{"rtx": true, "red": true, "ulpfec": true, "flexfec-03": true}

// orderVideoCodecs picks and orders the browser's video codec
// capabilities (their mime types, "video/VP8") for setCodecPreferences:
// only the codecs of allow (vcodec; empty allows all), prefer (prefvcodec)
// first, the others in the browser's order, the helper codecs last. When
// allow leaves no picture codec, every codec is kept: a call without a
// video codec the peer can decode is worse than one the user did not ask
// for. It returns indexes into mimes.
func orderVideoCodecs(mimes []string, allow []string, prefer string) []int {
	name := func(mime string) string {
		return strings.ToLower(strings.TrimPrefix(strings.ToLower(mime), "video/"))
	}
	allowed := map[string]bool{}
	for _, a := range allow {
		if a = strings.ToLower(strings.TrimSpace(a)); a != "" {
			allowed[a] = true
		}
	}
	prefer = strings.ToLower(strings.TrimSpace(prefer))
	pick := func(useAllow bool) (first, rest, helpers []int) {
		for i, m := range mimes {
			n := name(m)
			switch {
			case videoHelperCodecs[n]:
				helpers = append(helpers, i)
			case useAllow && len(allowed) > 0 && !allowed[n]:
			case n == prefer:
				first = append(first, i)
			default:
				rest = append(rest, i)
			}
		}
		return first, rest, helpers
	}
	first, rest, helpers := pick(true)
	if len(first)+len(rest) == 0 {
		first, rest, helpers = pick(false)
	}
	out := append(append(first, rest...), helpers...)
	return out
}

// parseVideoCodecs reads the vcodec parameter ("VP8, H264").
func parseVideoCodecs(s string) []string {
	var out []string
	for _, f := range strings.FieldsFunc(s, func(r rune) bool { return r == ',' || r == ';' || r == ' ' }) {
		if f = strings.TrimSpace(f); f != "" {
			out = append(out, f)
		}
	}
	return out
}

// VideoConfig configures a call's video (PeerMediaConfig.Video).
type VideoConfig struct {
	// Policy is one of the Video* policies (the "video" parameter).
	Policy int
	// Size and Facing constrain the camera (video_width, ..., videofacing).
	Size   VideoSize
	Facing string
	// Camera is the camera's label or deviceId (setdevice(3, ...)); ""
	// is the browser's default camera.
	Camera string
	// Codecs (vcodec) and Prefer (prefvcodec) go to setCodecPreferences.
	Codecs []string
	Prefer string
	// MaxKbps caps the sent video (video_bandwidth, kbit/s; 0 none).
	MaxKbps int
	// Container is the id of the element the <video> elements go into;
	// without such an element they go hidden into document.body.
	Container string
	// DisplaySize returns the size set by setvideodisplaysize for the
	// remote (true) or local video (0: not set; height 0 keeps the
	// aspect ratio). May be nil.
	DisplaySize func(remote bool) (width, height int)
}

// completeAnswer repairs an answer that lacks media sections of our offer
// (a server or gateway that strips video from the SDP instead of setting
// its port to 0): each missing trailing section is added as rejected
// ("m=<kind> 0 <proto> <format>" with the offer's a=mid), which the
// browser accepts and RFC 3264 means. Any other answer is returned as it
// is.
func completeAnswer(offer, answer string) string {
	type section struct{ mline, mid string }
	sections := func(sdp string) []section {
		var out []section
		for _, l := range strings.Split(strings.ReplaceAll(sdp, "\r\n", "\n"), "\n") {
			switch {
			case strings.HasPrefix(l, "m="):
				out = append(out, section{mline: l})
			case strings.HasPrefix(l, "a=mid:") && len(out) > 0:
				out[len(out)-1].mid = strings.TrimSpace(strings.TrimPrefix(l, "a=mid:"))
			}
		}
		return out
	}
	ours, theirs := sections(offer), sections(answer)
	if len(theirs) == 0 || len(theirs) >= len(ours) {
		return answer
	}
	eol := "\r\n"
	if !strings.Contains(answer, "\r\n") {
		eol = "\n"
	}
	var b strings.Builder
	b.WriteString(strings.TrimRight(answer, "\r\n"))
	b.WriteString(eol)
	for _, s := range ours[len(theirs):] {
		f := strings.Fields(strings.TrimPrefix(s.mline, "m="))
		if len(f) < 4 {
			return answer
		}
		b.WriteString("m=" + f[0] + " 0 " + f[2] + " " + f[3] + eol)
		if s.mid != "" {
			b.WriteString("a=mid:" + s.mid + eol)
		}
	}
	return b.String()
}

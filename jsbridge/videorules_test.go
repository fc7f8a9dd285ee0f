package jsbridge

import (
	"reflect"
	"testing"
)

var chromeVideoCodecs = []string{"video/VP8", "video/rtx", "video/VP9", "video/H264", "video/red", "video/ulpfec", "video/AV1"}

func pickMimes(idx []int) []string {
	out := make([]string, len(idx))
	for i, j := range idx {
		out[i] = chromeVideoCodecs[j]
	}
	return out
}

// vcodec/prefvcodec order the browser's codec capabilities: the allowed
// picture codecs, the preferred first, helper codecs (rtx, red, ulpfec)
// kept at the end; an allow list that matches nothing keeps every codec.
func TestOrderVideoCodecs(t *testing.T) {
	for _, tc := range []struct {
		allow  []string
		prefer string
		want   []string
	}{
		{nil, "", []string{"video/VP8", "video/VP9", "video/H264", "video/AV1", "video/rtx", "video/red", "video/ulpfec"}},
		{nil, "h264", []string{"video/H264", "video/VP8", "video/VP9", "video/AV1", "video/rtx", "video/red", "video/ulpfec"}},
		{[]string{"VP8", " H264 "}, "H264", []string{"video/H264", "video/VP8", "video/rtx", "video/red", "video/ulpfec"}},
		{[]string{"H263"}, "", []string{"video/VP8", "video/VP9", "video/H264", "video/AV1", "video/rtx", "video/red", "video/ulpfec"}},
	} {
		got := pickMimes(orderVideoCodecs(chromeVideoCodecs, tc.allow, tc.prefer))
		if !reflect.DeepEqual(got, tc.want) {
			t.Errorf("allow %v prefer %q: got %v, want %v", tc.allow, tc.prefer, got, tc.want)
		}
	}
	if got := parseVideoCodecs("VP8, H264;VP9"); !reflect.DeepEqual(got, []string{"VP8", "H264", "VP9"}) {
		t.Errorf("parseVideoCodecs = %v", got)
	}
}

// The size and facing parameters become getUserMedia constraints; 0 and
// "no" constrain nothing, a max below its min is dropped.
func TestVideoConstraints(t *testing.T) {
	got := videoConstraints(VideoSize{Width: 640, Height: 480, MinWidth: 320, MaxWidth: 1280, MaxHeight: 0}, "User", "cam1")
	want := map[string]any{
		"width":      map[string]any{"ideal": 640, "min": 320, "max": 1280},
		"height":     map[string]any{"ideal": 480},
		"facingMode": "user",
		"deviceId":   map[string]any{"exact": "cam1"},
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("got %v, want %v", got, want)
	}
	if got := videoConstraints(VideoSize{MinWidth: 800, MaxWidth: 640}, "no", ""); !reflect.DeepEqual(got, map[string]any{"width": map[string]any{"min": 800}}) {
		t.Errorf("max below min: got %v", got)
	}
	if got := videoConstraints(VideoSize{}, "", ""); len(got) != 0 {
		t.Errorf("no parameters: got %v, want none", got)
	}
}

// An answer without the video section of our offer (stripped by a server)
// gets it back as rejected (port 0, same mid); complete answers are kept.
func TestCompleteAnswerRestoresStrippedSections(t *testing.T) {
	offer := "v=0\r\no=- 1 2 IN IP4 127.0.0.1\r\ns=-\r\nt=0 0\r\na=group:BUNDLE 0 1\r\n" +
		"m=audio 9 UDP/TLS/RTP/SAVPF 111 0\r\na=mid:0\r\na=sendrecv\r\n" +
		"m=video 9 UDP/TLS/RTP/SAVPF 96 97\r\na=mid:1\r\na=sendrecv\r\n"
	answer := "v=0\r\no=- 5 5 IN IP4 127.0.0.1\r\ns=-\r\nt=0 0\r\n" +
		"m=audio 4000 UDP/TLS/RTP/SAVPF 0\r\nc=IN IP4 127.0.0.1\r\na=mid:0\r\na=sendrecv\r\n"
	want := answer + "m=video 0 UDP/TLS/RTP/SAVPF 96\r\na=mid:1\r\n"
	if got := completeAnswer(offer, answer); got != want {
		t.Errorf("got\n%q\nwant\n%q", got, want)
	}
	full := want
	if got := completeAnswer(offer, full); got != full {
		t.Errorf("a complete answer changed:\n%q", got)
	}
	if got := completeAnswer(offer, "garbage"); got != "garbage" {
		t.Errorf("an answer without media sections changed: %q", got)
	}
}

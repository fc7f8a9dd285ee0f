package rtpengine

import (
	"fmt"
	"net"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/opensoftphone/webphone/tests/infra"
)

// bencode encodes strings, lists of strings and dictionaries of those.
func bencode(v any) string {
	switch v := v.(type) {
	case string:
		return strconv.Itoa(len(v)) + ":" + v
	case []string:
		var b strings.Builder
		b.WriteString("l")
		for _, s := range v {
			b.WriteString(bencode(s))
		}
		return b.String() + "e"
	case map[string]any:
		keys := make([]string, 0, len(v))
		for k := range v {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		var b strings.Builder
		b.WriteString("d")
		for _, k := range keys {
			b.WriteString(bencode(k) + bencode(v[k]))
		}
		return b.String() + "e"
	}
	panic(fmt.Sprintf("bencode: %T", v))
}

// stringValue returns the bencoded string value of key in a reply.
func stringValue(reply, key string) (string, bool) {
	i := strings.Index(reply, bencode(key))
	if i < 0 {
		return "", false
	}
	rest := reply[i+len(bencode(key)):]
	colon := strings.IndexByte(rest, ':')
	if colon < 0 {
		return "", false
	}
	n, err := strconv.Atoi(rest[:colon])
	if err != nil || colon+1+n > len(rest) {
		return "", false
	}
	return rest[colon+1 : colon+1+n], true
}

// ng sends one ng command and returns the reply without its cookie.
func ng(c net.Conn, cookie string, msg map[string]any, wait time.Duration) (string, error) {
	if _, err := c.Write([]byte(cookie + " " + bencode(msg))); err != nil {
		return "", err
	}
	_ = c.SetReadDeadline(time.Now().Add(wait))
	buf := make([]byte, 65536)
	n, err := c.Read(buf)
	if err != nil {
		return "", err
	}
	reply, ok := strings.CutPrefix(string(buf[:n]), cookie+" ")
	if !ok {
		return "", fmt.Errorf("reply to another cookie: %q", buf[:n])
	}
	return reply, nil
}

// The flags deploy/kamailio uses toward a browser (route RTPENGINE_NEXTHOP).
const towardBrowser = "replace-origin replace-session-connection ICE=force DTLS=passive UDP/TLS/RTP/SAVPF SDES-off rtcp-mux-require generate-mid"

// rtpengine runs with the shipped rtpengine.conf (the interface and ports
// moved to 127.0.0.1 and free ones), answers a ping on its control socket,
// and turns a desk phone's plain RTP offer into what a browser needs:
// DTLS-SRTP (the browser takes the DTLS client role), ICE, rtcp-mux and a
// mid.
func TestRtpengineWithTheShippedConfigBridgesToWebRTC(t *testing.T) {
	dir := t.TempDir()
	ctl := "127.0.0.1:" + strconv.Itoa(infra.FreeUDPPort(t))
	min := 20000 + (os.Getpid()%60)*200 // below the ephemeral ports
	confPath, err := filepath.Abs("rtpengine.conf")
	if err != nil {
		t.Fatal(err)
	}
	infra.StartServer(t, "rtpengine", "rtpengine", "--config-file="+confPath, "--foreground", "--log-stderr",
		"--interface=127.0.0.1", "--listen-ng="+ctl, "--port-min="+strconv.Itoa(min),
		"--port-max="+strconv.Itoa(min+199), "--pidfile="+filepath.Join(dir, "rtpengine.pid"))
	c, err := net.Dial("udp", ctl)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	deadline := time.Now().Add(15 * time.Second)
	for {
		reply, err := ng(c, "ping1", map[string]any{"command": "ping"}, 300*time.Millisecond)
		if err == nil && strings.Contains(reply, "pong") {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("rtpengine does not answer ping on %s: %v %q", ctl, err, reply)
		}
	}

	offer := "v=0\r\no=- 1 1 IN IP4 127.0.0.1\r\ns=-\r\nc=IN IP4 127.0.0.1\r\nt=0 0\r\n" +
		"m=audio 40000 RTP/AVP 0 101\r\na=rtpmap:0 PCMU/8000\r\na=rtpmap:101 telephone-event/8000\r\na=sendrecv\r\n"
	msg := map[string]any{"command": "offer", "call-id": "deploy-test", "from-tag": "a", "sdp": offer}
	for _, f := range strings.Fields(towardBrowser) {
		switch {
		case f == "replace-origin" || f == "replace-session-connection":
			msg["replace"] = append(asList(msg["replace"]), strings.TrimPrefix(f, "replace-"))
		case strings.HasPrefix(f, "ICE="):
			msg["ICE"] = strings.TrimPrefix(f, "ICE=")
		case strings.HasPrefix(f, "DTLS="):
			msg["DTLS"] = strings.TrimPrefix(f, "DTLS=")
		case f == "UDP/TLS/RTP/SAVPF":
			msg["transport-protocol"] = f
		case f == "SDES-off":
			msg["SDES"] = []string{"off"}
		case f == "rtcp-mux-require":
			msg["rtcp-mux"] = []string{"require"}
		case f == "generate-mid":
			msg["flags"] = append(asList(msg["flags"]), f)
		}
	}
	reply, err := ng(c, "offer1", msg, 5*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	sdp, ok := stringValue(reply, "sdp")
	if !ok {
		t.Fatalf("offer reply without sdp: %q", reply)
	}
	if strings.Contains(sdp, "a=setup:active") || !strings.Contains(sdp, "a=setup:") {
		t.Errorf("rtpengine must leave the DTLS client role to the browser (setup actpass or passive):\n%s", sdp)
	}
	for _, want := range []string{"UDP/TLS/RTP/SAVPF", "a=fingerprint:", "a=ice-ufrag:",
		"a=candidate:", "a=rtcp-mux", "a=mid:", "c=IN IP4 127.0.0.1"} {
		if !strings.Contains(sdp, want) {
			t.Errorf("the offer toward a browser lacks %q:\n%s", want, sdp)
		}
	}
	_, _ = ng(c, "delete1", map[string]any{"command": "delete", "call-id": "deploy-test", "from-tag": "a"}, 5*time.Second)
}

func asList(v any) []string {
	l, _ := v.([]string)
	return l
}

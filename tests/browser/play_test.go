package browser

import (
	"bytes"
	"encoding/base64"
	"fmt"
	"testing"
	"time"

	"github.com/opensoftphone/webphone/mediacore"
)

// toneDataURL is a 1 s tone as an 8 kHz 16-bit mono WAV data: URL (the
// format Mizu documents for play()).
func toneDataURL(t *testing.T, freq float64) string {
	t.Helper()
	pcm := make([]int16, 8000)
	_, _ = mediacore.NewTone(mediacore.SineTone(freq, 0.5)).ReadPCM(pcm)
	var b bytes.Buffer
	if err := mediacore.WriteWAV8k(&b, pcm); err != nil {
		t.Fatal(err)
	}
	return "data:audio/wav;base64," + base64.StdEncoding.EncodeToString(b.Bytes())
}

// play(…, toremotepeer) through Kamailio + rtpengine: with the page's
// microphone at volume 0, a looping tone file played into the call is what
// baresip records, and play(0) stops it; without toremotepeer (here through
// the old name playsound) it plays on the page's own tones output.
func TestKamailioPlayIntoTheCallIsHeardAtBaresip(t *testing.T) {
	rig := startKamailioRig(t, true)
	const pageTone, fileTone = 1000.0, 1500.0
	p := openPage(t, "page alice", rig.base, toneWAV(t, pageTone, 48000), rig.pageParams("alice", kamailioUsers["alice"]))
	p.waitRegistered(20 * time.Second)
	file := toneDataURL(t, fileTone)

	if got := p.api(fmt.Sprintf(`play(1, %q, 1, true)`, file)); got != "false" {
		t.Errorf("play into a call without a call = %s, want false", got)
	}
	if got := p.api(`call("bob")`); got != "true" {
		t.Fatalf(`call("bob") = %s, want true`, got)
	}
	p.waitCallState("connected", 1, 20*time.Second)
	waitBaresipHears(t, rig.b, pageTone, 20*time.Second)
	if got := p.api(`setvolume(0, 0)`); got != "true" {
		t.Fatalf("setvolume(0, 0) = %s, want true", got)
	}
	_, n := baresipLevel(t, rig.b, fileTone, 0, time.Second)

	if got := p.api(fmt.Sprintf(`play(1, %q, 1, true)`, file)); got != "true" {
		t.Fatalf("play(1, file, 1, true) = %s, want true", got)
	}
	playing, n := baresipLevel(t, rig.b, fileTone, n, 2*time.Second)
	mic, _ := baresipLevel(t, rig.b, pageTone, 0, 0)
	t.Logf("baresip records the played file at amplitude %.0f (the muted microphone's tone %.0f)", playing, mic)
	if playing < 1000 || playing < 10*mic {
		t.Fatalf("baresip does not hear the file played into the call: %.0f Hz at amplitude %.0f (microphone tone %.0f)", fileTone, playing, mic)
	}
	if got := p.api(`play(0)`); got != "true" {
		t.Fatalf("play(0) = %s, want true", got)
	}
	stopped, _ := baresipLevel(t, rig.b, fileTone, n, 2*time.Second)
	if stopped > playing/10 {
		t.Errorf("after play(0) baresip still records the file at amplitude %.0f (was %.0f)", stopped, playing)
	}

	// locally: the page's tones output (through the old name playsound)
	if got := p.api(fmt.Sprintf(`playsound(1, %q, 1, false, true, false)`, file)); got != "true" {
		t.Fatalf("playsound(1, file, 1, false, true, false) = %s, want true", got)
	}
	t.Logf("the page plays the file locally: %v", p.waitHears(tonesOutput, fileTone, 10*time.Second))
	if got := p.api(`play(0)`); got != "true" {
		t.Fatalf("play(0) = %s, want true", got)
	}
	t.Logf("after play(0): %v", p.waitSilent(tonesOutput, fileTone, 5*time.Second))
}

package infra

import (
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"
)

// linphonec's console lines for a call, with the call id.
var (
	linphoneIncomingRe  = regexp.MustCompile(`Receiving new incoming call from \S+, assigned id (\d+)`)
	linphoneConnectedRe = regexp.MustCompile(`Call (\d+) with \S+ connected`)
	linphoneEndedRe     = regexp.MustCompile(`Call (\d+) (?:with \S+ )?ended`)
)

// waitLinphoneHears waits until linphone's recording holds freq.
func waitLinphoneHears(t *testing.T, l *Linphone, freq float64, timeout time.Duration) {
	t.Helper()
	deadline := time.Now().Add(timeout)
	for !l.HearsTone(freq) {
		if time.Now().After(deadline) {
			f, err := l.ReceivedWAV()
			if err == nil {
				var hz float64
				hz, err = DominantFrequency(f)
				t.Logf("linphone's recording: dominant %.0f Hz", hz)
			}
			t.Fatalf("linphone did not record %.0f Hz within %v (%v)", freq, timeout, err)
		}
		time.Sleep(200 * time.Millisecond)
	}
}

// Through Kamailio + rtpengine, baresip calls linphone (auto-answering) and
// linphone calls baresip: audio both ways each time.
func TestLinphoneCallsAndIsCalledThroughRtpengine(t *testing.T) {
	r := StartRtpengine(t)
	k := StartKamailio(t, KamailioOptions{Users: map[string]string{"bob": "bobpw", "carol": "carolpw"}, RtpengineNG: r.NGAddr})
	bobWAV := filepath.Join(t.TempDir(), "bob.wav")
	if err := WriteToneWAV(bobWAV, 1000, 60, 8000); err != nil {
		t.Fatal(err)
	}
	bob := StartBaresip(t, BaresipOptions{User: "bob", Password: "bobpw", Registrar: k.UDPAddr, AudioWAV: bobWAV, AutoAnswer: true})
	carol := StartLinphone(t, LinphoneOptions{User: "carol", Password: "carolpw", Registrar: k.UDPAddr, AutoAnswer: true})
	t.Cleanup(func() {
		if t.Failed() {
			t.Logf("---- linphonec\n%s\n---- liblinphone\n%s\n---- kamailio\n%s", carol.Log(), carol.DebugTail(8000), k.Log())
		}
	})

	if !strings.Contains(carol.DebugTail(1<<30), "on [sip:"+carol.SIPAddr+";transport=UDP]") {
		t.Errorf("linphone does not listen on %s", carol.SIPAddr)
	}
	mark := carol.Mark()
	if err := bob.Dial("sip:carol@" + k.UDPAddr); err != nil {
		t.Fatal(err)
	}
	if _, err := carol.WaitOutput(linphoneConnectedRe, mark, 15*time.Second); err != nil {
		t.Fatal(err)
	}
	if _, err := bob.WaitEvent("CALL_ESTABLISHED", 10*time.Second); err != nil {
		t.Fatal(err)
	}
	waitLinphoneHears(t, carol, 1000, 20*time.Second)
	waitReceivedAudio(t, bob, time.Second, 20*time.Second)
	if !HasTone(bob.ReceivedWAVs()[0], 440) {
		t.Fatalf("bob did not receive linphone's 440 Hz")
	}
	if err := bob.Hangup(); err != nil {
		t.Fatal(err)
	}
	if _, err := carol.WaitOutput(linphoneEndedRe, mark, 10*time.Second); err != nil {
		t.Fatal(err)
	}

	rec := carol.NewRecording()
	mark = carol.Mark()
	carol.Call("sip:bob@" + k.UDPAddr)
	if _, err := carol.WaitOutput(linphoneConnectedRe, mark, 15*time.Second); err != nil {
		t.Fatal(err)
	}
	waitLinphoneHears(t, carol, 1000, 20*time.Second)
	if rec != carol.Recording() {
		t.Fatalf("recording %s, want %s", carol.Recording(), rec)
	}
	waitReceivedAudioFile(t, bob, 2, time.Second, 20*time.Second)
	if wavs := bob.ReceivedWAVs(); !HasTone(wavs[len(wavs)-1], 440) {
		t.Fatalf("bob did not receive linphone's 440 Hz in the second call")
	}
	carol.Terminate()
	if _, err := bob.WaitEvent("CALL_CLOSED", 10*time.Second); err != nil {
		t.Fatal(err)
	}
}

// waitReceivedAudioFile waits until b made n recordings of received audio
// and the last holds at least d.
func waitReceivedAudioFile(t *testing.T, b *Baresip, n int, d, timeout time.Duration) {
	t.Helper()
	deadline := time.Now().Add(timeout)
	for {
		if wavs := b.ReceivedWAVs(); len(wavs) >= n && wavDuration(wavs[len(wavs)-1]) >= d {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("%s did not record %v in received recording #%d within %v (%v)", b.User, d, n, timeout, b.RecordedWAVs())
		}
		time.Sleep(50 * time.Millisecond)
	}
}

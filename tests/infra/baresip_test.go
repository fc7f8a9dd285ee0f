package infra

import (
	"encoding/binary"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// callPair starts Kamailio (with rtpengine when withRtpengine), and two
// registered baresips: alice sending 440 Hz and bob 1000 Hz (answering by
// itself when autoAnswer).
func callPair(t *testing.T, withRtpengine, autoAnswer bool) (*Kamailio, *Rtpengine, *Baresip, *Baresip) {
	t.Helper()
	var r *Rtpengine
	opts := KamailioOptions{Users: map[string]string{"alice": "alicepw", "bob": "bobpw"}}
	if withRtpengine {
		r = StartRtpengine(t)
		opts.RtpengineNG = r.NGAddr
	}
	k := StartKamailio(t, opts)
	dir := t.TempDir()
	aliceWAV, bobWAV := filepath.Join(dir, "alice.wav"), filepath.Join(dir, "bob.wav")
	if err := WriteToneWAV(aliceWAV, 440, 30, 8000); err != nil {
		t.Fatal(err)
	}
	if err := WriteToneWAV(bobWAV, 1000, 30, 8000); err != nil {
		t.Fatal(err)
	}
	alice := StartBaresip(t, BaresipOptions{User: "alice", Password: "alicepw", Registrar: k.UDPAddr, AudioWAV: aliceWAV})
	bob := StartBaresip(t, BaresipOptions{User: "bob", Password: "bobpw", Registrar: k.UDPAddr, AudioWAV: bobWAV, AutoAnswer: autoAnswer})
	return k, r, alice, bob
}

// talk makes alice call bob (bob answers with Answer unless auto-answering),
// waits until both sides are established, lets audio flow, sends DTMF from
// alice, and hangs up from the hangup side.
func talk(t *testing.T, k *Kamailio, alice, bob *Baresip, manualAnswer bool, hangup *Baresip) {
	t.Helper()
	if err := alice.Dial(bob.AOR); err != nil {
		t.Fatal(err)
	}
	if manualAnswer {
		ev, err := bob.WaitEvent("CALL_INCOMING", 10*time.Second)
		if err != nil {
			t.Fatalf("bob: %v\nkamailio log:\n%s", err, k.Log())
		}
		if !strings.Contains(ev.PeerURI, "alice") {
			t.Fatalf("incoming call from %q, want alice", ev.PeerURI)
		}
		if err := bob.Answer(); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := alice.WaitEvent("CALL_ESTABLISHED", 10*time.Second); err != nil {
		t.Fatalf("alice: %v\nkamailio log:\n%s", err, k.Log())
	}
	if _, err := bob.WaitEvent("CALL_ESTABLISHED", 10*time.Second); err != nil {
		t.Fatalf("bob: %v", err)
	}
	// Audio flows both ways (checkAudio reads the recordings later): wait
	// until each side has recorded a second of what it receives, then send
	// DTMF.
	for _, b := range []*Baresip{alice, bob} {
		if _, err := b.WaitEvent("CALL_RTPESTAB", 10*time.Second); err != nil {
			t.Fatalf("%s: no RTP: %v", b.User, err)
		}
		waitReceivedAudio(t, b, time.Second, 10*time.Second)
	}
	if err := alice.SendDTMF("19#"); err != nil {
		t.Fatal(err)
	}
	for i := 0; i < 3; i++ {
		if _, err := bob.WaitEvent("CALL_DTMF_START", 5*time.Second); err != nil {
			t.Fatalf("bob DTMF: %v", err)
		}
	}
	other := bob
	if hangup == bob {
		other = alice
	}
	if err := hangup.Hangup(); err != nil {
		t.Fatal(err)
	}
	ev, err := other.WaitEvent("CALL_CLOSED", 10*time.Second)
	if err != nil {
		t.Fatalf("%s did not see the hangup: %v", other.User, err)
	}
	if strings.Contains(ev.Param, "end of file") {
		t.Fatalf("%s's call ended by its audio file, not by a BYE", other.User)
	}
	if _, err := hangup.WaitEvent("CALL_CLOSED", 5*time.Second); err != nil {
		t.Fatal(err)
	}
}

// waitReceivedAudio waits until b's recording of the audio it receives
// holds at least d.
func waitReceivedAudio(t *testing.T, b *Baresip, d time.Duration, timeout time.Duration) {
	t.Helper()
	deadline := time.Now().Add(timeout)
	got := time.Duration(0)
	for {
		if wavs := b.ReceivedWAVs(); len(wavs) == 1 {
			got = wavDuration(wavs[0])
			if got >= d {
				return
			}
		}
		if time.Now().After(deadline) {
			t.Fatalf("%s recorded %v of received audio within %v, want %v (files %v)", b.User, got, timeout, d, b.RecordedWAVs())
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// wavDuration is how much audio a PCM WAV file being written holds so far,
// from its format chunk and its size (the sizes in its header are written
// only when the file is closed); 0 when the header is not there yet.
func wavDuration(path string) time.Duration {
	b, err := os.ReadFile(path)
	if err != nil || len(b) < 44 || string(b[0:4]) != "RIFF" || string(b[12:16]) != "fmt " {
		return 0
	}
	rate := binary.LittleEndian.Uint32(b[24:28])
	blockAlign := binary.LittleEndian.Uint16(b[32:34])
	if rate == 0 || blockAlign == 0 {
		return 0
	}
	frames := (len(b) - 44) / int(blockAlign)
	return time.Duration(frames) * time.Second / time.Duration(rate)
}

// checkAudio asserts that each side recorded the other side's tone.
func checkAudio(t *testing.T, alice, bob *Baresip) {
	t.Helper()
	for _, c := range []struct {
		who  *Baresip
		want float64
	}{{alice, 1000}, {bob, 440}} {
		wavs := c.who.ReceivedWAVs()
		if len(wavs) != 1 {
			t.Fatalf("%s recorded %v, want one received WAV", c.who.User, c.who.RecordedWAVs())
		}
		f, err := DominantFrequency(wavs[0])
		if err != nil {
			t.Fatalf("%s: %v", c.who.User, err)
		}
		if !HasTone(wavs[0], c.want) {
			t.Fatalf("%s received %v Hz, want %v Hz", c.who.User, f, c.want)
		}
	}
}

func TestBaresipCallDirectMediaManualAnswerCalleeHangup(t *testing.T) {
	k, _, alice, bob := callPair(t, false, false)
	talk(t, k, alice, bob, true, bob)
	checkAudio(t, alice, bob)
	if got := bob.ReceivedDTMF(); got != "19#" {
		t.Fatalf("bob received DTMF %q, want %q", got, "19#")
	}
}

func TestBaresipCallThroughRtpengine(t *testing.T) {
	k, r, alice, bob := callPair(t, true, true)
	talk(t, k, alice, bob, false, alice)
	checkAudio(t, alice, bob)
	if got := bob.ReceivedDTMF(); got != "19#" {
		t.Fatalf("bob received DTMF %q, want %q", got, "19#")
	}
	klog := k.Log()
	if !strings.Contains(klog, "rtpengine offer toward") || !strings.Contains(klog, "ICE=remove RTP/AVP rtcp-mux-demux") {
		t.Fatalf("Kamailio did not offer through rtpengine with phone flags:\n%s", klog)
	}
	// The SDP each side received must point at rtpengine's ports.
	for _, b := range []*Baresip{alice, bob} {
		if !sdpUsesPortRange(b.Log(), r.PortMin, r.PortMax) {
			t.Fatalf("%s's remote SDP does not use rtpengine's ports %d-%d:\n%s", b.User, r.PortMin, r.PortMax, b.Log())
		}
	}
	if got := strings.Join(r.Commands(), ","); got != "offer,answer,delete" {
		t.Fatalf("rtpengine commands %q, want offer,answer,delete:\n%s", got, r.Log())
	}
}

func TestKamailioRefusesWrongPassword(t *testing.T) {
	k := StartKamailio(t, KamailioOptions{Users: map[string]string{"alice": "alicepw"}})
	b := StartBaresip(t, BaresipOptions{User: "alice", Password: "wrong", Registrar: k.UDPAddr, NoWaitRegister: true})
	err := b.WaitRegistered(10 * time.Second)
	if err == nil || !strings.Contains(err.Error(), "403") {
		t.Fatalf("registration with a wrong password: %v, want a 403 refusal", err)
	}
	u := StartBaresip(t, BaresipOptions{User: "mallory", Password: "x", Registrar: k.UDPAddr, NoWaitRegister: true})
	if err := u.WaitRegistered(10 * time.Second); err == nil {
		t.Fatalf("unknown user registered")
	}
}

func TestKamailioRelaysCancel(t *testing.T) {
	k, r, alice, bob := callPair(t, true, false)
	if err := alice.Dial(bob.AOR); err != nil {
		t.Fatal(err)
	}
	if _, err := bob.WaitEvent("CALL_INCOMING", 10*time.Second); err != nil {
		t.Fatalf("bob: %v\n%s", err, k.Log())
	}
	if err := alice.Hangup(); err != nil { // CANCEL before the answer
		t.Fatal(err)
	}
	if _, err := bob.WaitEvent("CALL_CLOSED", 10*time.Second); err != nil {
		t.Fatalf("bob did not see the CANCEL: %v\n%s", err, k.Log())
	}
	if !strings.Contains(bob.Log(), "CANCEL sip:") {
		t.Fatalf("no CANCEL reached bob:\n%s", bob.Log())
	}
	if cmds := r.Commands(); len(cmds) < 2 || cmds[0] != "offer" || cmds[len(cmds)-1] != "delete" {
		t.Fatalf("rtpengine commands %v, want offer ... delete on CANCEL:\n%s", cmds, r.Log())
	}
}

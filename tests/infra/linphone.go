package infra

import (
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

// LinphoneOptions configures StartLinphone.
type LinphoneOptions struct {
	// User and Password are the account's SIP user name and digest password.
	User, Password string
	// Registrar is the Kamailio UDP address (host:port), e.g. Kamailio.UDPAddr.
	// The account's AOR is sip:User@host (the Kamailio domain); it registers
	// at Registrar over UDP and sends every request through it (its route).
	Registrar string
	// AudioWAV is the 8000 Hz 16-bit mono WAV file linphone sends as its
	// microphone (file mode). Empty means a 60 s 440 Hz tone.
	AudioWAV string
	// AutoAnswer makes linphone answer incoming calls by itself.
	AutoAnswer bool
}

// Linphone is a running, headless linphonec (Debian linphone-cli) driven
// over its standard input, with wav files in place of the sound card: it
// plays AudioWAV to the far end and records what it receives into the file
// Record names. Its console output (call and registration states) is its
// log; liblinphone's debug log, with the SIP trace, is DebugLog.
type Linphone struct {
	// AOR is the account's address of record, e.g. "sip:carol@127.0.0.1".
	AOR string
	// User is the SIP user name.
	User string
	// SIPAddr is the address linphone listens on for SIP (127.0.0.1:port).
	SIPAddr string
	// Dir is its private directory (config, HOME, recordings, logs).
	Dir string
	// DebugLog is liblinphone's log file.
	DebugLog string

	proc *process
	mu   sync.Mutex
	in   *os.File // the write end of linphonec's standard input (a FIFO)
	rec  string   // the current recording
	recs int
}

// StartLinphone starts linphonec with its own config and HOME, switches it
// to wav files for audio and waits until it registered at Registrar.
func StartLinphone(t testing.TB, opts LinphoneOptions) *Linphone {
	t.Helper()
	bin := lookBinary(t, "linphonec")
	if opts.User == "" || opts.Registrar == "" {
		t.Fatalf("infra: LinphoneOptions needs User and Registrar")
	}
	host, _, err := splitHostPortInt(opts.Registrar)
	if err != nil {
		t.Fatalf("infra: bad LinphoneOptions.Registrar %q: %v", opts.Registrar, err)
	}
	if strings.ContainsAny(opts.User+opts.Password, "\"<>\n\r @:[]=") {
		t.Fatalf("infra: linphone user/password contain characters its config cannot carry")
	}
	dir := t.TempDir()
	audio := opts.AudioWAV
	if audio == "" {
		audio = filepath.Join(dir, "tone.wav")
		if err := WriteToneWAV(audio, 440, 60, 8000); err != nil {
			t.Fatalf("infra: %v", err)
		}
	} else if abs, err := filepath.Abs(audio); err == nil {
		audio = abs
	}
	if _, rate, err := ReadWAV(audio); err != nil {
		t.Fatalf("infra: linphone AudioWAV: %v", err)
	} else if rate != 8000 {
		t.Fatalf("infra: linphone AudioWAV %s is %d Hz, want 8000", audio, rate)
	}

	var lastErr error
	for attempt := 0; attempt < 3; attempt++ {
		sipPort := FreeUDPPort(t)
		l := &Linphone{
			AOR:      fmt.Sprintf("sip:%s@%s", opts.User, host),
			User:     opts.User,
			SIPAddr:  fmt.Sprintf("127.0.0.1:%d", sipPort),
			Dir:      dir,
			DebugLog: filepath.Join(dir, fmt.Sprintf("liblinphone-%d.log", attempt)),
		}
		rc := filepath.Join(dir, "linphonerc")
		writeLinphoneConfig(t, rc, dir, opts, host, sipPort)
		fifo := filepath.Join(dir, fmt.Sprintf("stdin-%d", attempt))
		if err := syscall.Mkfifo(fifo, 0o600); err != nil {
			t.Fatalf("infra: mkfifo: %v", err)
		}
		// O_RDWR: opening does not wait for the reader, and linphonec never
		// sees EOF while the test holds it.
		in, err := os.OpenFile(fifo, os.O_RDWR, 0)
		if err != nil {
			t.Fatalf("infra: open %s: %v", fifo, err)
		}
		l.in = in
		t.Cleanup(func() { in.Close() })
		args := []string{"-c", `exec "$0" "$@" <"$FIFO"`, bin, "-S", "-c", rc, "-d", "5", "-l", l.DebugLog}
		if opts.AutoAnswer {
			args = append(args, "-a")
		}
		l.proc = startProcess(t, fmt.Sprintf("linphonec-%d", attempt), dir, "/bin/sh", args,
			[]string{"HOME=" + dir, "FIFO=" + fifo})
		l.Command("soundcard use files")
		l.Command("play " + audio)
		l.RecordTo(l.nextRecording())
		lastErr = l.WaitRegistered(15 * time.Second)
		if lastErr == nil {
			return l
		}
		l.Stop()
		lastErr = fmt.Errorf("%w\n%s\n---- liblinphone log\n%s", lastErr, l.proc.tail(4000), fileTail(l.DebugLog, 4000))
		if !strings.Contains(strings.ToLower(l.proc.Log()+fileTail(l.DebugLog, 20000)), "in use") {
			break
		}
	}
	t.Fatalf("infra: linphonec did not start and register: %v", lastErr)
	return nil
}

func writeLinphoneConfig(t testing.TB, path, dir string, opts LinphoneOptions, host string, sipPort int) {
	t.Helper()
	// Only G.711 (the codecs it would add by themselves are disabled), no video, ICE, encryption or IPv6; RTP in baresip's range
	// (below rtpengine's and the kernel's ephemeral ports).
	cfg := fmt.Sprintf(`[sip]
sip_port=%d
sip_tcp_port=0
sip_tls_port=0
use_ipv6=0
bind_address=127.0.0.1
default_proxy=0
register_only_when_network_is_up=0
supported=replaces
inc_timeout=120
[net]
firewall_policy=0
mtu=0
[rtp]
audio_rtp_port=10000-19999
audio_jitt_comp=60
[sound]
echocancellation=0
agc=0
[video]
enabled=0
capture=0
display=0
[misc]
history_max_size=0
[storage]
uri=%s
[proxy_0]
reg_proxy=<sip:%s;transport=udp>
reg_route=<sip:%s;transport=udp;lr>
reg_identity=<%s>
reg_expires=600
reg_sendregister=1
publish=0
avpf=0
[auth_info_0]
username=%s
userid=%s
passwd=%s
realm=%s
[audio_codec_0]
mime=PCMU
rate=8000
channels=1
enabled=1
[audio_codec_1]
mime=PCMA
rate=8000
channels=1
enabled=1
[audio_codec_2]
mime=opus
rate=48000
channels=2
enabled=0
[audio_codec_3]
mime=G722
rate=8000
channels=1
enabled=0
[audio_codec_4]
mime=speex
rate=16000
channels=1
enabled=0
[audio_codec_5]
mime=speex
rate=8000
channels=1
enabled=0
`, sipPort, filepath.Join(dir, "linphone.db"), opts.Registrar, opts.Registrar, fmt.Sprintf("sip:%s@%s", opts.User, host),
		opts.User, opts.User, opts.Password, host)
	if err := os.WriteFile(path, []byte(cfg), 0o644); err != nil {
		t.Fatalf("infra: %v", err)
	}
}

// Command writes one console command to linphonec (e.g. "call sip:...",
// "answer", "terminate", "transfer 1 --to-call 2").
func (l *Linphone) Command(line string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	_, _ = l.in.WriteString(line + "\n")
}

// Call calls uri.
func (l *Linphone) Call(uri string) { l.Command("call " + uri) }

// Answer answers the incoming call.
func (l *Linphone) Answer() { l.Command("answer") }

// Terminate hangs up the current call.
func (l *Linphone) Terminate() { l.Command("terminate") }

// RecordTo makes linphone record what it receives in the calls to come
// into path (a WAV file).
func (l *Linphone) RecordTo(path string) {
	l.mu.Lock()
	l.rec = path
	l.mu.Unlock()
	l.Command("record " + path)
}

// NewRecording points the recording to a new file (for the next call) and
// returns its path.
func (l *Linphone) NewRecording() string {
	p := l.nextRecording()
	l.RecordTo(p)
	return p
}

func (l *Linphone) nextRecording() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.recs++
	return filepath.Join(l.Dir, fmt.Sprintf("received-%d.wav", l.recs))
}

// Recording is the file linphone records received audio into.
func (l *Linphone) Recording() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.rec
}

// ReceivedWAV returns a readable WAV file of what linphone recorded so far:
// the recording itself once its call ended, or, while the recorder still
// writes it (its header is written only when it closes), a snapshot of its
// samples after the first 44 bytes (16-bit mono at 8000 Hz, the rate of the
// G.711 calls it is configured for).
func (l *Linphone) ReceivedWAV() (string, error) {
	path := l.Recording()
	b, err := os.ReadFile(path)
	if err != nil {
		return "", err
	}
	if len(b) >= 4 && string(b[:4]) == "RIFF" {
		return path, nil
	}
	if len(b) < 44 {
		return "", fmt.Errorf("infra: linphone recorded nothing yet in %s", path)
	}
	pcm := b[44 : 44+(len(b)-44)/2*2]
	samples := make([]int16, len(pcm)/2)
	for i := range samples {
		samples[i] = int16(uint16(pcm[2*i]) | uint16(pcm[2*i+1])<<8)
	}
	snap := strings.TrimSuffix(path, ".wav") + "-snapshot.wav"
	if err := WriteWAV(snap, samples, 8000); err != nil {
		return "", err
	}
	return snap, nil
}

// HearsTone reports whether the last two seconds linphone recorded hold
// freqHz (what it hears now: a recording may begin with other sounds, e.g.
// of the call before a transfer).
func (l *Linphone) HearsTone(freqHz float64) bool {
	f, err := l.ReceivedWAV()
	if err != nil {
		return false
	}
	d, err := WAVDuration(f)
	if err != nil || d < time.Second {
		return false
	}
	return HasToneSince(f, freqHz, max(0, d-2*time.Second))
}

// Mark is the current length of the console output, for WaitOutput.
func (l *Linphone) Mark() int { return len(l.proc.Log()) }

// WaitOutput waits until the console output after offset from (a Mark)
// matches re and returns the submatches and the offset after the match.
func (l *Linphone) WaitOutput(re *regexp.Regexp, from int, timeout time.Duration) ([]string, error) {
	var m []string
	err := l.proc.waitUntil(timeout, func() error {
		out := l.proc.Log()
		if from > len(out) {
			from = len(out)
		}
		if idx := re.FindStringSubmatchIndex(out[from:]); idx != nil {
			m = nil
			for i := 0; i < len(idx); i += 2 {
				if idx[i] < 0 {
					m = append(m, "")
					continue
				}
				m = append(m, out[from+idx[i]:from+idx[i+1]])
			}
			return nil
		}
		return fmt.Errorf("no %q in linphonec's output", re)
	})
	return m, err
}

// WaitRegistered waits until liblinphone reports the account registered
// (its log: linphonec's console says nothing about it).
func (l *Linphone) WaitRegistered(timeout time.Duration) error {
	return l.proc.waitUntil(timeout, func() error {
		if b, _ := os.ReadFile(l.DebugLog); strings.Contains(string(b), "to [LinphoneRegistrationOk]") {
			return nil
		}
		return fmt.Errorf("not registered")
	})
}

// Log returns linphonec's console output so far.
func (l *Linphone) Log() string { return l.proc.Log() }

// DebugTail returns the end of liblinphone's log (SIP trace included).
func (l *Linphone) DebugTail(n int) string { return fileTail(l.DebugLog, n) }

// Pid is linphonec's process id (its process group).
func (l *Linphone) Pid() int { return l.proc.Pid() }

// Stop ends linphonec; the test's cleanup also does it.
func (l *Linphone) Stop() {
	l.proc.Stop()
	l.in.Close()
}

// fileTail returns the last n bytes of a file.
func fileTail(path string, n int) string {
	b, err := os.ReadFile(path)
	if err != nil {
		return fmt.Sprintf("(cannot read %s: %v)", path, err)
	}
	if len(b) > n {
		return "..." + string(b[len(b)-n:])
	}
	return string(b)
}

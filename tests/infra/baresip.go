package infra

import (
	"fmt"
	"net"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"
	"time"
)

// BaresipOptions configures StartBaresip.
type BaresipOptions struct {
	// User and Password are the account's SIP user name and digest password.
	User, Password string
	// Registrar is the Kamailio UDP address (host:port), e.g. Kamailio.UDPAddr.
	// The account's AOR is sip:User@Registrar and it registers there.
	Registrar string
	// AudioWAV is the 8000 Hz 16-bit mono WAV file baresip sends as its
	// microphone (aufile). Empty means a 60 s 440 Hz tone in its directory.
	// baresip 1.0 hangs up a call when this file ends: make it longer than
	// the call.
	AudioWAV string
	// AutoAnswer makes baresip answer incoming calls by itself.
	AutoAnswer bool
	// NoRegister keeps the account from registering (regint=0).
	NoRegister bool
	// NoWaitRegister returns before the registration outcome is known (to
	// test refused credentials with WaitRegistered); by default StartBaresip
	// fails the test unless the registration succeeds.
	NoWaitRegister bool
	// Debug adds baresip's verbose debug output (-v) to its log; the SIP
	// trace (-s) is always on.
	Debug bool
}

// Baresip is a running, headless baresip user agent driven over ctrl_tcp.
type Baresip struct {
	// AOR is the account's address of record, e.g. "sip:bob@127.0.0.1:40124";
	// dialling it from another UDP account goes through the registrar.
	AOR string
	// User is the SIP user name.
	User string
	// SIPAddr is the address baresip listens on for SIP (127.0.0.1:port).
	SIPAddr string
	// Dir is the config directory; RecordDir (Dir/rec) receives the
	// sndfile dumps.
	Dir, RecordDir string

	proc *process
	ctrl *baresipCtrl
}

// StartBaresip starts baresip with its own config directory, waits until its
// control channel is up and, unless NoRegister, until it registered.
func StartBaresip(t testing.TB, opts BaresipOptions) *Baresip {
	t.Helper()
	bin := lookBinary(t, "baresip")
	modDir := baresipModulesDir(t)
	if opts.User == "" || opts.Registrar == "" {
		t.Fatalf("infra: BaresipOptions needs User and Registrar")
	}
	if _, _, err := splitHostPortInt(opts.Registrar); err != nil {
		t.Fatalf("infra: bad BaresipOptions.Registrar %q: %v", opts.Registrar, err)
	}
	if strings.ContainsAny(opts.User+opts.Password, "\";<>\n\r @:") {
		t.Fatalf("infra: baresip user/password contain characters the account line cannot carry")
	}
	dir := t.TempDir()
	rec := filepath.Join(dir, "rec")
	if err := os.Mkdir(rec, 0o755); err != nil {
		t.Fatalf("infra: %v", err)
	}
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
		t.Fatalf("infra: baresip AudioWAV: %v", err)
	} else if rate != 8000 {
		t.Fatalf("infra: baresip AudioWAV %s is %d Hz; aufile needs 8000 Hz", audio, rate)
	}

	var lastErr error
	for attempt := 0; attempt < 3; attempt++ {
		sipPort := FreeUDPTCPPort(t)
		ctrlPort := FreeTCPPort(t)
		b := &Baresip{
			AOR:       fmt.Sprintf("sip:%s@%s", opts.User, opts.Registrar),
			User:      opts.User,
			SIPAddr:   fmt.Sprintf("127.0.0.1:%d", sipPort),
			Dir:       dir,
			RecordDir: rec,
		}
		writeBaresipConfig(t, dir, modDir, audio, rec, sipPort, ctrlPort)
		account := fmt.Sprintf("<%s;transport=udp>;auth_pass=%s;regint=%d;audio_codecs=PCMU,PCMA;mediaenc=;medianat=",
			b.AOR, opts.Password, map[bool]int{true: 0, false: 600}[opts.NoRegister])
		if opts.AutoAnswer {
			account += ";answermode=auto"
		}
		if err := os.WriteFile(filepath.Join(dir, "accounts"), []byte(account+"\n"), 0o644); err != nil {
			t.Fatalf("infra: %v", err)
		}
		args := []string{"-4", "-s", "-f", dir}
		if opts.Debug {
			args = append(args, "-v")
		}
		b.proc = startProcess(t, fmt.Sprintf("baresip-%d", attempt), dir, bin, args, nil)
		ctrlAddr := fmt.Sprintf("127.0.0.1:%d", ctrlPort)
		var conn net.Conn
		lastErr = b.proc.waitUntil(15*time.Second, func() error {
			c, err := net.DialTimeout("tcp", ctrlAddr, 300*time.Millisecond)
			if err == nil {
				conn = c
			}
			return err
		})
		if lastErr == nil {
			b.ctrl = newBaresipCtrl(conn)
			t.Cleanup(b.ctrl.close)
			if !opts.NoRegister && !opts.NoWaitRegister {
				if err := b.WaitRegistered(10 * time.Second); err != nil {
					t.Fatalf("infra: baresip %s did not register: %v\n%s", b.AOR, err, b.proc.tail(4000))
				}
			}
			return b
		}
		b.proc.Stop()
		lastErr = fmt.Errorf("%w\n%s", lastErr, b.proc.tail(4000))
		if !strings.Contains(strings.ToLower(b.proc.Log()), "in use") {
			break
		}
	}
	t.Fatalf("infra: baresip did not start: %v", lastErr)
	return nil
}

func writeBaresipConfig(t testing.TB, dir, modDir, audio, rec string, sipPort, ctrlPort int) {
	t.Helper()
	cfg := fmt.Sprintf(`poll_method		epoll
sip_listen		127.0.0.1:%d
call_local_timeout	120
call_max_calls		4
audio_player		aubridge,infra-null
audio_source		aufile,%s
audio_alert		aubridge,infra-null
ausrc_srate		8000
auplay_srate		8000
ausrc_channels		1
auplay_channels		1
audio_buffer		20-160
rtp_tos			0
rtp_ports		10000-19999
rtp_timeout		0
jitter_buffer_delay	1-10
net_interface		127.0.0.1
module_path		%s
module			g711.so
module			aufile.so
module			aubridge.so
module			sndfile.so
module_app		account.so
module_app		contact.so
module_app		menu.so
module_app		ctrl_tcp.so
ctrl_tcp_listen		127.0.0.1:%d
snd_path		%s
`, sipPort, audio, modDir, ctrlPort, rec)
	if err := os.WriteFile(filepath.Join(dir, "config"), []byte(cfg), 0o644); err != nil {
		t.Fatalf("infra: %v", err)
	}
	if err := os.WriteFile(filepath.Join(dir, "contacts"), nil, 0o644); err != nil {
		t.Fatalf("infra: %v", err)
	}
}

// Log returns baresip's output so far.
func (b *Baresip) Log() string { return b.proc.Log() }

// Pid is baresip's process id (its process group).
func (b *Baresip) Pid() int { return b.proc.Pid() }

// Stop ends baresip; the test's cleanup also does it.
func (b *Baresip) Stop() {
	if b.ctrl != nil {
		b.ctrl.close()
	}
	b.proc.Stop()
}

// RecordedWAVs lists the WAV files sndfile wrote so far (both the encoded,
// sent "-enc" and the decoded, received "-dec" dumps), sorted.
func (b *Baresip) RecordedWAVs() []string {
	files, _ := filepath.Glob(filepath.Join(b.RecordDir, "*.wav"))
	sort.Strings(files)
	return files
}

// ReceivedWAVs lists the sndfile dumps of decoded received audio ("-dec").
func (b *Baresip) ReceivedWAVs() []string {
	files, _ := filepath.Glob(filepath.Join(b.RecordDir, "*-dec.wav"))
	sort.Strings(files)
	return files
}

func baresipModulesDir(t testing.TB) string {
	t.Helper()
	candidates := []string{"/usr/lib/baresip/modules", "/usr/local/lib/baresip/modules"}
	more, _ := filepath.Glob("/usr/lib/*/baresip/modules")
	for _, d := range append(candidates, more...) {
		if _, err := os.Stat(filepath.Join(d, "ctrl_tcp.so")); err == nil {
			return d
		}
	}
	t.Fatalf("infra: baresip modules (ctrl_tcp.so) not found; install baresip-core (scripts/install-deps.sh)")
	return ""
}

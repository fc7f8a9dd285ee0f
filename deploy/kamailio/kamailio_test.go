package kamailio

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// kamailio.cfg is the template the tests run, rendered with ExampleConfig:
// what go generate ./deploy/kamailio writes.
func TestShippedConfigIsTheTestedTemplate(t *testing.T) {
	want, err := Shipped(ExampleConfig)
	if err != nil {
		t.Fatal(err)
	}
	got, err := os.ReadFile(ShippedFile)
	if err != nil {
		t.Fatal(err)
	}
	if string(got) != want {
		t.Error("deploy/kamailio/kamailio.cfg is not kamailio.cfg.tmpl rendered with ExampleConfig: run go generate ./deploy/kamailio")
	}
	for _, part := range []string{"#!define WITH_RTPENGINE", "#!define WITH_PRESENCE", "listen=tcp:127.0.0.1:8080",
		`$rd != "sip.example.com"`, `$sht(users=>1001) = "change-me-1001";`} {
		if !strings.Contains(want, part) {
			t.Errorf("the shipped config lacks %q", part)
		}
	}
}

// Kamailio itself accepts the shipped configuration (kamailio -c), with
// this machine's modules directory and a presence table directory.
func TestKamailioAcceptsTheShippedConfig(t *testing.T) {
	bin, err := exec.LookPath("kamailio")
	if err != nil {
		if _, e := os.Stat("/usr/sbin/kamailio"); e != nil {
			t.Fatal("kamailio is not installed (scripts/install-deps.sh installs it)")
		}
		bin = "/usr/sbin/kamailio"
	}
	mods, _ := filepath.Glob("/usr/lib/*/kamailio/modules/websocket.so")
	if len(mods) == 0 {
		t.Fatal("Kamailio's websocket module is not installed (kamailio-websocket-modules)")
	}
	dir := t.TempDir()
	c := ExampleConfig
	c.ModulesDir = filepath.Dir(mods[0])
	c.PresenceDB = dir
	s, err := Shipped(c)
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(dir, "kamailio.cfg")
	if err := os.WriteFile(path, []byte(s), 0o644); err != nil {
		t.Fatal(err)
	}
	out, err := exec.Command(bin, "-c", "-f", path).CombinedOutput()
	if err != nil {
		t.Fatalf("kamailio -c rejects the shipped config: %v\n%s", err, out)
	}
}

// Render refuses what the script's string syntax cannot hold.
func TestRenderRefusesUnsafeUsers(t *testing.T) {
	for _, users := range []map[string]string{
		{"bad name": "x"},
		{"1001": `pa"ss`},
		{"1001": `$var(x)`},
		{"1001": "line\nbreak"},
	} {
		c := ExampleConfig
		c.Users = users
		if err := Render(&strings.Builder{}, c); err == nil {
			t.Errorf("Render accepted users %q", users)
		}
	}
}

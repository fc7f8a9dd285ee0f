package main

import (
	"io"
	"net/http"
	"net/netip"
	"strings"
	"testing"

	"github.com/opensoftphone/webphone/rtprelay"
)

func TestConfigRefusesAnOpenRelay(t *testing.T) {
	for _, args := range [][]string{
		{"-allow", "192.0.2.0/24"},                                          // no secret, no origin
		{"-secret", "s"},                                                    // no -allow
		{"-secret", "s", "-allow", "bogus"},                                 // bad CIDR
		{"-secret", "s", "-allow", "10.0.0.0/8", "-ports", "9"},             // bad range
		{"-secret", "s", "-allow", "10.0.0.0/8", "-listen", "0.0.0.0:8090"}, // no public IP
	} {
		o, err := parseFlags(args, io.Discard)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := o.config(nil); err == nil {
			t.Errorf("%v accepted", args)
		}
	}
}

func TestConfigFromFlags(t *testing.T) {
	o, err := parseFlags(strings.Fields("-listen 127.0.0.1:0 -ports 41000-41099 -secret S -origin https://a.example,https://b.example -allow 192.0.2.0/24,198.51.100.7 -streams 2"), io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	cfg, err := o.config(nil)
	if err != nil {
		t.Fatal(err)
	}
	if cfg.PublicIP.String() != "127.0.0.1" || cfg.Ports != (rtprelay.PortRange{Min: 41000, Max: 41099}) || cfg.MaxStreams != 2 {
		t.Fatalf("config %+v", cfg)
	}
	r, _ := http.NewRequest("GET", "http://relay/rtp", nil)
	r.Header.Set("Origin", "https://b.example")
	pol, err := cfg.Admission.Admit(r, "S")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := cfg.Admission.Admit(r, "T"); err == nil {
		t.Error("wrong secret admitted")
	}
	r.Header.Set("Origin", "https://c.example")
	if _, err := cfg.Admission.Admit(r, "S"); err == nil {
		t.Error("unlisted origin admitted")
	}
	if !pol.Allow(mustAP("198.51.100.7:4000"), rtprelay.KindRTP) || pol.Allow(mustAP("198.51.100.8:4000"), rtprelay.KindRTP) {
		t.Error("-allow not applied")
	}
}

func mustAP(s string) netip.AddrPort { return netip.MustParseAddrPort(s) }

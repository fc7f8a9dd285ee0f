package browser

import (
	"testing"
	"time"

	"github.com/opensoftphone/webphone/tests/infra"
)

// The Kamailio accounts of the presence tests.
var kamailioPresenceUsers = map[string]string{"alice": "alice-secret", "bob": "bob-secret", "carol": "carol-secret"}

// kamailioPresenceRig is Kamailio with its presence server and the test
// site served over HTTP.
type kamailioPresenceRig struct {
	k    *infra.Kamailio
	base string
}

func startKamailioPresence(t *testing.T) *kamailioPresenceRig {
	t.Helper()
	k := infra.StartKamailio(t, infra.KamailioOptions{Users: kamailioPresenceUsers, Presence: true})
	t.Cleanup(func() {
		if t.Failed() {
			t.Logf("---- kamailio log\n%s", tail(k.Log(), 12000))
		}
	})
	return &kamailioPresenceRig{k: k, base: serveStatic(t, makeSite(t))}
}

func (rig *kamailioPresenceRig) page(t *testing.T, user string) *page {
	t.Helper()
	p := openPage(t, "page "+user, rig.base, toneWAV(t, 440, 48000), map[string]string{
		"serveraddress":       rig.k.Domain,
		"webrtcserveraddress": rig.k.WSURL,
		"username":            user,
		"password":            kamailioPresenceUsers[user],
		"loglevel":            "5",
	})
	p.waitRegistered(20 * time.Second)
	return p
}

func TestKamailioPresenceBetweenTwoPages(t *testing.T) {
	rig := startKamailioPresence(t)
	a := rig.page(t, "alice")
	b := rig.page(t, "carol")
	presenceScenario(t, a, b, "alice")
}

func TestKamailioBusyLampOfABaresipLine(t *testing.T) {
	rig := startKamailioPresence(t)
	bob := infra.StartBaresip(t, infra.BaresipOptions{User: "bob", Password: kamailioPresenceUsers["bob"], Registrar: rig.k.UDPAddr})
	carol := infra.StartBaresip(t, infra.BaresipOptions{User: "carol", Password: kamailioPresenceUsers["carol"], Registrar: rig.k.UDPAddr})
	t.Cleanup(func() {
		if t.Failed() {
			t.Logf("---- bob\n%s", tail(baresipStatusRe.ReplaceAllString(bob.Log(), ""), 6000))
		}
	})
	w := rig.page(t, "alice")
	blfScenario(t, w, "bob", bob, carol)
}

func TestKamailioVoicemailNotifyFromSipp(t *testing.T) {
	rig := startKamailioPresence(t)
	p := rig.page(t, "alice")
	mwiScenario(t, p, rig.k.UDPAddr, rig.k.Domain, "alice", "bob", kamailioPresenceUsers["bob"])
}

func TestKamailioChatReportsAndSMS(t *testing.T) {
	rig := startKamailioPresence(t)
	a := rig.page(t, "alice")
	b := rig.page(t, "carol")
	chatReportScenario(t, a, b, "carol", "bob")
}

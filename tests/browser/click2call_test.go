package browser

import (
	"regexp"
	"testing"
	"time"
)

// click2call.html, opened the documented way (account and callto in the
// URL), calls baresip through Kamailio and rtpengine when its button is
// clicked: baresip answers and hears the page, the button shows the call's
// time and turns into Hangup; clicking it again ends the call on both
// sides. With autoaction=1 and float_button the page calls at once, from a
// button floating over the page.
func TestClickToCallCallsBaresip(t *testing.T) {
	rig := startKamailioRig(t, true)
	shots := screenshotDir(t)
	const pageTone = 1000.0
	const wait = 20 * time.Second
	params := rig.pageParams("alice", kamailioUsers["alice"])
	params["callto"] = "bob"
	p := openUIPage(t, "click2call alice", rig.base, "click2call.html", toneWAV(t, pageTone, 48000), params, "")
	p.waitText("#c2k_container_0 .c2k-label", regexp.MustCompile(`^Call$`), wait)
	p.waitRegistered(wait)
	p.screenshot(shots, "click2call-idle")
	p.click("#c2k_container_0 button")
	if _, err := rig.b.WaitEvent("CALL_ESTABLISHED", wait); err != nil {
		t.Fatalf("baresip: %v", err)
	}
	p.waitText("#c2k_container_0 .c2k-label", regexp.MustCompile(`^Hangup$`), wait)
	p.waitText("#c2k_container_0 .c2k-status", regexp.MustCompile(`^0:0[1-9]$`), wait)
	waitBaresipHears(t, rig.b, pageTone, wait)
	p.screenshot(shots, "click2call-in-call")
	p.click("#c2k_container_0 button")
	if _, err := rig.b.WaitEvent("CALL_CLOSED", wait); err != nil {
		t.Fatalf("baresip did not see the hangup: %v", err)
	}
	p.waitText("#c2k_container_0 .c2k-label", regexp.MustCompile(`^Call$`), wait)
	waitTrue(t, p, `!webphone_api.isincall()`, wait)

	// autoaction 1: the call starts by itself; the floating button follows it.
	params["autoaction"] = "1"
	params["float_button"] = "1"
	q := openUIPage(t, "click2call alice auto", rig.base, "click2call.html", toneWAV(t, pageTone, 48000), params, "")
	if _, err := rig.b.WaitEvent("CALL_ESTABLISHED", wait); err != nil {
		t.Fatalf("baresip (autoaction 1): %v", err)
	}
	q.waitText("#c2k_container_0 .c2k-label", regexp.MustCompile(`^Hangup$`), wait)
	waitTrue(t, q, `getComputedStyle(document.getElementById('c2k_container_0')).position === 'fixed'`, wait)
	q.screenshot(shots, "click2call-floating")
	q.click("#c2k_container_0 button")
	if _, err := rig.b.WaitEvent("CALL_CLOSED", wait); err != nil {
		t.Fatalf("baresip did not see the hangup (autoaction 1): %v", err)
	}
	q.waitText("#c2k_container_0 .c2k-label", regexp.MustCompile(`^Call$`), wait)
	p.noExceptions()
	q.noExceptions()
}

package browser

import (
	"testing"
	"time"
)

// messagepopup reaches the page through webphone_api.js once the engine
// has started: as the POPUP notification and as a display message.
func TestMessagePopupReachesThePage(t *testing.T) {
	srv := startDemo(t)
	params := demoParams(srv, "1001")
	params["messagepopup"] = "Welcome, new number plan"
	a := openPage(t, "page 1001", srv.HTTPURL(), toneWAV(t, 1000, 48000), params)
	a.waitRegistered(20 * time.Second)
	a.waitEvent("the POPUP notification", 10*time.Second, func(e event) bool {
		return e.Cb == "onEvent" && e.arg(0) == "event" && e.arg(1) == "POPUP,Welcome, new number plan"
	})
	a.waitEvent("the display message", 10*time.Second, func(e event) bool {
		return e.Cb == "onEvent" && e.arg(0) == "display" && e.arg(1) == ",Welcome, new number plan"
	})
}

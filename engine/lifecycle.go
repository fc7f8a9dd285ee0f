package engine

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"strings"
	"time"

	"github.com/opensoftphone/webphone/sipcore"
)

const storeInstanceKey = "engine.instanceid"

func (e *Engine) instanceID() string {
	if st := e.opts.Storage; st != nil {
		// a stored id that could not go into a Contact is replaced
		if id, ok := st.Get(storeInstanceKey); ok && strings.HasPrefix(id, "urn:") && sipcore.CheckURIText(id) == nil {
			return id
		}
	}
	b := make([]byte, 16)
	_, _ = rand.Read(b)
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	h := hex.EncodeToString(b)
	id := "urn:uuid:" + h[:8] + "-" + h[8:12] + "-" + h[12:16] + "-" + h[16:20] + "-" + h[20:]
	if st := e.opts.Storage; st != nil {
		st.Set(storeInstanceKey, id)
	}
	return id
}

// Start starts the VoIP engine: connects (with failover along the server
// list), fires onAppStateChange("started") and registers when credentials
// are set and register != 0. It is idempotent and returns true when the
// start was accepted or is already done; false when no server is set.
func (e *Engine) Start() (ok bool) {
	defer e.recovered("start")
	_, err := e.ensureStarted()
	if err != nil {
		e.logError("start: " + err.Error())
		e.display("", "ERROR, "+err.Error())
		return false
	}
	e.maybeAskNotifPermission(askAtStart) // askfornotifpermission 2 and 3
	return true
}

// ensureStarted creates and starts the UA when there is none, and returns
// the channel closed when the start attempt has finished.
func (e *Engine) ensureStarted() (<-chan struct{}, error) {
	// A UA whose first connection failed is retried in the background; an
	// explicit action starts afresh instead (the settings may have changed).
	var addrs []string
	s, err := e.app.begin(func(gen int, headers []sipcore.Header) (*sipcore.UA, error) {
		cfg, err := BuildSIPConfig(e.params, e.instanceID())
		if err != nil {
			return nil, err
		}
		cfg.ExtraHeaders = e.uaHeaders(headers)
		cfg.Logger = e.sipcoreLogger()
		addrs = ServerAddresses(e.params)
		ua := sipcore.NewUA(cfg, e.failoverDialer(addrs), e.uaEvents(gen))
		e.reg.setWanted(registerWanted(e.params))
		return ua, nil
	})
	if err != nil {
		return nil, err
	}
	if s.ua == nil { // started already, or under way
		return s.done, nil
	}
	if s.failed != nil {
		e.safeGo("stop failed start", s.failed.Stop)
	}
	ua, gen, done := s.ua, s.gen, s.done

	e.logEvent(LogImportant, "start engine: webrtc, server "+strings.Join(addrs, ","))
	e.setGlobalStatus("Initializing")
	e.safeGo("start", func() { e.runStart(ua, gen, done) })
	return done, nil
}

func (e *Engine) runStart(ua *sipcore.UA, gen int, done chan<- struct{}) {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	err := ua.Start(ctx)
	// on a failure, retry keeps trying in the background; the next API
	// action that needs the connection starts afresh (ensureStarted)
	current, retry := e.app.startFinished(ua, gen, err)
	wantReg := e.reg.wanted()
	close(done)
	if err != nil {
		if retry == nil {
			e.logError("connect failed: " + err.Error())
			ua.Stop()
			return
		}
		e.logError("connect failed: " + err.Error() + "; retrying in " + seconds(retry.schedule()))
		return
	}
	if current {
		e.announceStarted(ua, wantReg)
	}
}

// announceStarted tells the page the engine is started (its first
// connection is up) and registers when wanted.
func (e *Engine) announceStarted(ua *sipcore.UA, wantReg bool) {
	e.notify(StartNotification("sip"))
	e.emit("onAppStateChange", "started")
	e.setGlobalStatus("Ready.")
	e.showMessagePopup()
	e.autoSyncAddressBook() // serveraddressbook_url, per serveraddressbook_sync
	if wantReg {
		e.doRegister(ua)
	}
	e.safeGo("subscriptions", e.watchParamLists)
	e.startExtraAccounts()
}

// Stop hangs up every call, unregisters and closes the connection, then
// fires onAppStateChange("stopped"). It returns false if not started.
func (e *Engine) Stop() (ok bool) {
	defer e.recovered("stop")
	ua, gen := e.app.detach()
	if ua == nil {
		return false
	}
	e.extra.stopAll()
	ls := e.lines.live()
	for _, l := range ls {
		e.hangupLine(l, "User Hung Up")
	}
	e.safeGo("stop", func() {
		e.endWatches()
		ua.Stop()
		ok, wasReg := e.app.stopped(gen)
		if !ok { // started again meanwhile: that UA owns the state
			return
		}
		if wasReg {
			e.emit("onRegStateChange", "unregistered", nil)
			e.notify(RegisterNotification(RegNotifyUnregistered, "Unregistered", e.localUser(), ""))
		}
		e.setGlobalStatus("Stopped")
		e.emit("onAppStateChange", "stopped")
	})
	return true
}

package engine

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"strings"
	"time"

	"github.com/opensoftphone/webphone/sipcore"
)

const storeInstanceKey = "engine.instanceid"

func (e *Engine) instanceID() string {
	if st := e.opts.Storage; st != nil {
		if id, ok := st.Get(storeInstanceKey); ok && id != "" {
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
	return true
}

// ensureStarted creates and starts the UA when there is none, and returns
// the channel closed when the start attempt has finished.
func (e *Engine) ensureStarted() (<-chan struct{}, error) {
	e.mu.Lock()
	if e.closed {
		e.mu.Unlock()
		return nil, errors.New("engine closed")
	}
	if e.ua != nil {
		ch := e.startDone
		e.mu.Unlock()
		return ch, nil
	}
	cfg, err := BuildSIPConfig(e.params, e.instanceID())
	if err != nil {
		e.mu.Unlock()
		return nil, err
	}
	cfg.ExtraHeaders = e.uaHeadersLocked()
	addrs := ServerAddresses(e.params)
	e.uaGen++
	gen := e.uaGen
	ua := sipcore.NewUA(cfg, e.failoverDialer(addrs), e.uaEvents(gen))
	e.ua = ua
	done := make(chan struct{})
	e.startDone = done
	e.startErr = nil
	e.wantReg = registerWanted(e.params)
	e.mu.Unlock()

	e.logEvent(LogImportant, "start engine: webrtc, server "+strings.Join(addrs, ","))
	e.setGlobalStatus("Initializing")
	e.safeGo("start", func() { e.runStart(ua, gen, done) })
	return done, nil
}

func (e *Engine) runStart(ua *sipcore.UA, gen int, done chan struct{}) {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	err := ua.Start(ctx)
	e.mu.Lock()
	current := e.ua == ua && e.uaGen == gen
	if err != nil {
		e.startErr = err
		if current {
			e.ua = nil // a later action retries from scratch
		}
	} else if current {
		e.appState = "started"
		e.readyGen = gen
	}
	wantReg := e.wantReg
	e.mu.Unlock()
	close(done)
	if err != nil {
		e.logError("connect failed: " + err.Error())
		ua.Stop()
		return
	}
	if !current {
		return
	}
	e.notify(StartNotification("sip"))
	e.emit("onAppStateChange", "started")
	e.setGlobalStatus("Ready.")
	if wantReg {
		e.doRegister(ua)
	}
}

// Stop hangs up every call, unregisters and closes the connection, then
// fires onAppStateChange("stopped"). It returns false if not started.
func (e *Engine) Stop() (ok bool) {
	defer e.recovered("stop")
	e.mu.Lock()
	ua := e.ua
	e.ua = nil
	e.uaGen++
	gen := e.uaGen
	if ua == nil {
		e.mu.Unlock()
		return false
	}
	ls := e.liveLinesLocked()
	e.mu.Unlock()
	for _, l := range ls {
		e.hangupLine(l, "User Hung Up")
	}
	e.safeGo("stop", func() {
		ua.Stop()
		e.mu.Lock()
		if e.uaGen != gen { // started again meanwhile: that UA owns the state
			e.mu.Unlock()
			return
		}
		wasReg := e.regEpisode
		e.regEpisode = false
		e.regState = sipcore.RegUnregistered
		e.appState = "stopped"
		e.signalRegLocked()
		e.mu.Unlock()
		if wasReg {
			e.emit("onRegStateChange", "unregistered", nil)
			e.notify(RegisterNotification(RegNotifyUnregistered, "Unregistered", e.localUser(), ""))
		}
		e.setGlobalStatus("Stopped")
		e.emit("onAppStateChange", "stopped")
	})
	return true
}

package engine

import (
	"strings"
)

// Init loads the configuration object (webphone_config.js) and the page URL
// (wp_ parameters) and fires onAppStateChange("loaded"). Autostart happens
// later, in AutoStart, so that the page's "loaded" listeners (which usually
// set parameters) run first: Init schedules it after Options.AutoStartDelay
// unless that is negative; calling AutoStart earlier is fine (it runs once).
func (e *Engine) Init(config map[string]string, pageURL string) {
	defer e.recovered("init")
	e.params.LoadConfig(config)
	if pageURL != "" {
		e.params.LoadURL(pageURL)
	}
	e.reportRefusedParams()
	if !e.app.setState(appLoaded) { // closed
		return
	}
	e.notify(StartNotification("api"))
	e.emit("onAppStateChange", "loaded")
	if d := e.opts.AutoStartDelay; d > 0 {
		e.opts.AfterFunc(d, func() {
			// after the "loaded" event itself has been handed over
			e.after(func() { e.AutoStart() })
		})
	}
}

// AutoStart applies autostart and callto/autoaction once (later calls do
// nothing): unless autostart=0 it starts the engine when a server is
// configured, then calls callto (autoaction 1 or 3) or sends the sendchat
// text to callto/to (autoaction 2). It reports whether the engine started.
func (e *Engine) AutoStart() (started bool) {
	defer e.recovered("autostart")
	if !e.app.takeAutoStart() || e.params.Int("autostart", 1) == 0 || len(ServerAddresses(e.params)) == 0 {
		return false
	}
	if !e.Start() {
		return false
	}
	switch e.params.Int("autoaction", 0) {
	case 1:
		if to := strings.TrimSpace(e.params.Get("callto")); to != "" {
			e.Call(to)
		}
	case 3:
		if to := strings.TrimSpace(e.params.Get("callto")); to != "" {
			e.VideoCall(to)
		}
	case 2:
		to := strings.TrimSpace(e.params.Get("callto"))
		if to == "" {
			to = strings.TrimSpace(e.params.Get("to"))
		}
		if msg := e.params.Get("sendchat"); to != "" && msg != "" {
			e.SendChat(to, msg)
		}
	}
	return true
}

// DelSettings deletes the persisted parameters (delsettings; levels 0-3 all
// clear the settings; 2 and 3 also the contacts and call history of every
// account) and stops a running engine: call Start again afterwards.
func (e *Engine) DelSettings(level int) (ok bool) {
	defer e.recovered("delsettings")
	if level < 0 || level > 3 {
		return false
	}
	e.params.ClearStored()
	e.params.ClearRuntime()
	if level >= 2 {
		e.userData.clearAll()
	}
	e.Stop()
	return true
}

// SetParameter sets a parameter at runtime and persists it (setparameter).
// Credentials take effect at the next start/register.
func (e *Engine) SetParameter(name, value string) (ok bool) {
	defer e.recovered("setparameter")
	n := NormalizeParamName(name)
	if n == "preferred_storage" || n == "usepathinfilenames" {
		e.logWarn(n + " can be set only in the config object")
		return false
	}
	if err := e.params.Set(name, value); err != nil {
		e.refuseInput("setparameter", err)
		return false
	}
	if n != "password" {
		e.logEvent(LogDetail, "setparameter "+n+"="+value)
	}
	return true
}

// GetParameter returns a parameter's effective value, or "" (getparameter).
func (e *Engine) GetParameter(name string) (v string) {
	defer e.recovered("getparameter")
	return e.params.Get(name)
}

package engine

import "strings"

// messagePopupKey is the Storage key of the messagepopup text last shown.
const messagePopupKey = "messagepopup.shown"

// showMessagePopup shows the messagepopup parameter's text once, when the
// engine has started: as the notification "POPUP,text" (onEvent "event")
// and as onEvent("display", ",text") for a page that shows display
// messages. The text shown is remembered (in Storage, so across page
// loads): the same text is not shown again, a new one is.
func (e *Engine) showMessagePopup() {
	text := freeText(strings.TrimSpace(e.params.Get("messagepopup")))
	if text == "" {
		return
	}
	e.popups.mu.Lock()
	shown := e.popups.message == text
	if st := e.opts.Storage; !shown && st != nil {
		v, _ := st.Get(messagePopupKey)
		shown = v == text
	}
	if !shown {
		e.popups.message = text
		if st := e.opts.Storage; st != nil {
			st.Set(messagePopupKey, text)
		}
	}
	e.popups.mu.Unlock()
	if shown {
		return
	}
	e.notify("POPUP," + text)
	e.display("", text)
}

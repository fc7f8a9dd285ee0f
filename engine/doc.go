// Package engine implements the meaning of every Mizu WebPhone
// `webphone_api` function in pure Go: the parameter store (NULL/DEF, ucfg_,
// wp_ URL parameters, persistence), lines and their -2/-1/N rules, post-dial
// DTMF, the STATUS/CHAT/CDR notification strings, call detail records and
// the SIP message history.
//
// It drives a sipcore.UA for signalling and a per-call Media supplied by the
// platform. It never imports syscall/js: the browser glue (jsbridge) only
// converts arguments and forwards calls to an Engine, and receives the page
// callbacks through Options.Emit. Engine methods never block on network or
// media work and never panic; results arrive as events.
package engine

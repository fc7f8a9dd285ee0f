package engine

import (
	"strconv"
	"strings"
)

// field makes a value safe for a comma-separated notification field: commas
// become spaces and line breaks are removed.
func field(s string) string {
	if !strings.ContainsAny(s, ",\r\n") {
		return s
	}
	s = strings.ReplaceAll(s, ",", " ")
	s = strings.ReplaceAll(s, "\r", " ")
	return strings.ReplaceAll(s, "\n", " ")
}

// freeText makes the last, free-text field of a notification one line
// (commas are allowed there).
func freeText(s string) string {
	s = strings.ReplaceAll(s, "\r\n", " ")
	s = strings.ReplaceAll(s, "\r", " ")
	return strings.ReplaceAll(s, "\n", " ")
}

// GlobalStatus is the general status notification for line -1:
// "STATUS,-1,<text>".
func GlobalStatus(text string) string {
	return "STATUS,-1," + freeText(text)
}

// LineStatus is one per-line STATUS notification with every positional
// field (mizu_api.md §5.2):
// STATUS,line,statustext,peername,localname,endpointtype,peerdisplayname,[callid],online,registered,incall,mute,hold,encrypted,isvideo
type LineStatus struct {
	Line        int
	Text        string // CallSetup, Ringing, CallConnect, Speaking, CallDisconnect, Finished, ...
	PeerName    string
	LocalName   string
	Direction   int // endpointtype: 1 outgoing, 2 incoming
	PeerDisplay string
	CallID      string
	Online      int // 0 no network, 1 ok
	Registered  int // 0 unknown, 1 not needed, 2 yes, ... 6 unregistered, 7 failed
	InCall      int // 0 no, 1 setup/ringing, 2 speaking
	Mute        int // 0 no, else yes
	Hold        int // 0 no, 2 hold, 3 held by peer, 4 both
	Encrypted   int // -1 unknown, 0 no, 2 yes
	Video       int // 1 video call
}

// String formats the notification.
func (s LineStatus) String() string {
	parts := []string{
		"STATUS",
		strconv.Itoa(s.Line),
		field(s.Text),
		field(s.PeerName),
		field(s.LocalName),
		strconv.Itoa(s.Direction),
		field(s.PeerDisplay),
		"[" + field(s.CallID) + "]",
		strconv.Itoa(s.Online),
		strconv.Itoa(s.Registered),
		strconv.Itoa(s.InCall),
		strconv.Itoa(s.Mute),
		strconv.Itoa(s.Hold),
		strconv.Itoa(s.Encrypted),
		strconv.Itoa(s.Video),
	}
	return strings.Join(parts, ",")
}

// ChatNotification is "CHAT,line,peername,text" for an incoming message; the
// text may contain commas.
func ChatNotification(line int, peer, text string) string {
	return "CHAT," + strconv.Itoa(line) + "," + field(peer) + "," + freeText(text)
}

// Chat report statuses (CHATREPORT).
const (
	ChatUnknown = 0
	ChatSending = 1
	ChatSent    = 2
	ChatFailed  = 3
)

// ChatReportNotification is "CHATREPORT,line,peername,status,text" about the
// last outgoing message.
func ChatReportNotification(line int, peer string, status int, text string) string {
	return "CHATREPORT," + strconv.Itoa(line) + "," + field(peer) + "," + strconv.Itoa(status) + "," + freeText(text)
}

// DTMFNotification is "DTMF,line,peername,status,digit" for a received digit.
// status is 1 (received); the digit is the last field.
func DTMFNotification(line int, peer, digit string) string {
	return "DTMF," + strconv.Itoa(line) + "," + field(peer) + ",1," + field(digit)
}

// Registration states of the REGISTER notification.
const (
	RegNotifyProgress     = 0
	RegNotifySuccess      = 1
	RegNotifyFailed       = 2
	RegNotifyUnregistered = 3
)

// RegisterNotification is "REGISTER,0,state,text,true,,user,reason" for the
// main account (mizu_api.md §5.3).
func RegisterNotification(state int, text, user, reason string) string {
	return AccountRegisterNotification(true, state, text, user, reason)
}

// AccountRegisterNotification is "REGISTER,0,state,text,main,,user,reason":
// main is false for an extra (registerex) account.
func AccountRegisterNotification(main bool, state int, text, user, reason string) string {
	return "REGISTER,0," + strconv.Itoa(state) + "," + field(text) + "," + strconv.FormatBool(main) + ",," +
		field(user) + "," + freeText(reason)
}

// EventNotification is "EVENT,TYPE,text" with TYPE EVENT, WARNING or ERROR.
func EventNotification(typ, text string) string {
	return "EVENT," + field(typ) + "," + freeText(text)
}

// StartNotification is "START,what" (what: api or sip).
func StartNotification(what string) string { return "START," + field(what) }

package engine

import "strconv"

// PresenceNotification is "PRESENCE,peername,state,details,displayname,email"
// (mizu_api.md §5.4).
func PresenceNotification(peer, state, details, displayName, email string) string {
	return "PRESENCE," + field(peer) + "," + field(state) + "," + field(details) + "," + field(displayName) + "," + freeText(email)
}

// BLFNotification is "BLF,peername,direction,state,callid" (mizu_api.md
// §5.5): direction undefined, initiator or receiver; state trying,
// proceeding, early, confirmed, terminated, unknown or failed.
func BLFNotification(peer, direction, state, callID string) string {
	return "BLF," + field(peer) + "," + field(direction) + "," + field(state) + "," + freeText(callID)
}

// MWINotification is "MWI,new,old,waiting,account": the voice messages
// counts of a message-summary (RFC 3842), waiting 1 when the server says
// messages wait, and the voicemail account (docs/presence.md; the Mizu
// documentation names the MWI notification but not its fields).
func MWINotification(newCount, oldCount int, waiting bool, account string) string {
	w := "0"
	if waiting {
		w = "1"
	}
	return "MWI," + strconv.Itoa(newCount) + "," + strconv.Itoa(oldCount) + "," + w + "," + freeText(account)
}

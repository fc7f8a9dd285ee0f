package engine

// lineState is where a line is in its life. Each state after lineReserved
// is reported to the page once, in this order; an incoming line may skip
// ringing, and only incoming lines pass through lineAnswering.
type lineState int

const (
	lineReserved  lineState = iota // taken; media and INVITE being prepared, nothing reported yet
	lineSetup                      // "setup" reported
	lineRinging                    // "ringing" reported
	lineAnswering                  // incoming: accept() is producing the answer
	lineConnected                  // "connected" reported
	lineEnded                      // "disconnected" and the CDR reported; the line is free
)

var lineStateNames = [...]string{"reserved", "setup", "ringing", "answering", "connected", "ended"}

func (s lineState) String() string {
	if s >= 0 && int(s) < len(lineStateNames) {
		return lineStateNames[s]
	}
	return "unknown"
}

// live reports whether the line still has a call.
func (s lineState) live() bool { return s != lineEnded }

// setupReported reports whether "setup" went out to the page.
func (s lineState) setupReported() bool { return s != lineReserved }

// ringingHere reports whether an incoming call in this state still waits
// for accept, reject, ignore or forward.
func (s lineState) ringingHere() bool {
	return s == lineReserved || s == lineSetup || s == lineRinging
}

// inCall is the STATUS "incall" field: 1 being set up, 2 connected, 0 none.
func (s lineState) inCall() int {
	switch s {
	case lineConnected:
		return 2
	case lineEnded:
		return 0
	}
	return 1
}

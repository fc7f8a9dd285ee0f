package browser

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/opensoftphone/webphone/tests/infra"
)

// candidatePair is the selected ICE candidate pair of a line's
// RTCPeerConnection (getStats).
type candidatePair struct {
	OK                     bool   `json:"ok"`
	Error                  string `json:"error"`
	Local, Remote          string // candidate types: host, srflx, prflx, relay
	LocalAddr, RemoteAddr  string
	LocalURL, RelayProto   string
	BytesSent, BytesRecved int64
}

func (c candidatePair) String() string {
	if !c.OK {
		return "no selected candidate pair: " + c.Error
	}
	return fmt.Sprintf("local %s %s (%s %s) <-> remote %s %s; %d bytes sent, %d received",
		c.Local, c.LocalAddr, c.RelayProto, c.LocalURL, c.Remote, c.RemoteAddr, c.BytesSent, c.BytesRecved)
}

// selectedPair reads the selected candidate pair of line from getStats.
func (p *page) selectedPair(line string) candidatePair {
	p.t.Helper()
	var c candidatePair
	p.eval(`(async function () {
	var pc = webphone_api.getrtcpeerconnection(`+line+`);
	if (!pc || !pc.getStats) return {ok: false, error: "no RTCPeerConnection on line `+line+`"};
	var stats = await pc.getStats(), byId = {}, pair = null;
	stats.forEach(function (x) { byId[x.id] = x; });
	stats.forEach(function (x) {
		if (x.type === "transport" && x.selectedCandidatePairId) pair = byId[x.selectedCandidatePairId];
	});
	if (!pair) return {ok: false, error: "no transport with a selected pair"};
	var l = byId[pair.localCandidateId] || {}, r = byId[pair.remoteCandidateId] || {};
	return {ok: true, Local: l.candidateType || "", Remote: r.candidateType || "",
		LocalAddr: l.address + ":" + l.port, RemoteAddr: r.address + ":" + r.port,
		LocalURL: l.url || "", RelayProto: l.relayProtocol || "",
		BytesSent: pair.bytesSent || 0, BytesRecved: pair.bytesReceived || 0};
})()`, &c)
	return c
}

// Two pages call each other through the demo server with
// iceTransportPolicy=relay and coturn on 127.0.0.1 as their TURN server:
// no host candidate is offered, the media can only go through the relay,
// each page hears the other, and getStats shows a relay-relay pair whose
// local candidate came from coturn.
func TestDemoServerCallThroughTURNRelayOnly(t *testing.T) {
	srv := startDemo(t)
	turn := infra.StartTurn(t)
	t.Cleanup(func() {
		if t.Failed() {
			t.Logf("---- turnserver log\n%s", tail(turn.Log(), 6000))
		}
	})
	params := func(user string) map[string]string {
		p := demoParams(srv, user)
		p["stunserveraddress"] = "NULL"
		p["turnserveraddress"] = turn.Addr
		p["turnusername"] = turn.User
		p["turnpassword"] = turn.Password
		p["iceTransportPolicy"] = "relay"
		return p
	}
	const toneA, toneB = 440.0, 1000.0
	a := openPage(t, "page 1001", srv.HTTPURL(), toneWAV(t, toneA, 48000), params("1001"))
	b := openPage(t, "page 1002", srv.HTTPURL(), toneWAV(t, toneB, 48000), params("1002"))
	a.waitRegistered(20 * time.Second)
	b.waitRegistered(20 * time.Second)

	lineA, lineB := callAndAccept(t, a, b)
	t.Logf("1001 hears: %v", a.waitHears(lineA, toneB, 20*time.Second))
	t.Logf("1002 hears: %v", b.waitHears(lineB, toneA, 20*time.Second))

	pairs := map[*page]candidatePair{}
	for _, side := range []struct {
		p    *page
		line string
	}{{a, lineA}, {b, lineB}} {
		sdp := side.p.sdp(side.line)
		for _, s := range []string{sdp.Local, sdp.Remote} {
			if strings.Contains(s, "typ host") || strings.Contains(s, "typ srflx") {
				t.Errorf("%s: an SDP offers a non-relay candidate:\n%s", side.p.name, s)
			}
		}
		if !strings.Contains(sdp.Local, "typ relay") {
			t.Errorf("%s: its SDP has no relay candidate:\n%s", side.p.name, sdp.Local)
		}
		var pair candidatePair
		waitFor(t, side.p.name+": a selected candidate pair carrying media", 15*time.Second, func() bool {
			pair = side.p.selectedPair(side.line)
			return pair.OK && pair.BytesRecved > 0 && pair.BytesSent > 0
		})
		t.Logf("%s: %v", side.p.name, pair)
		if pair.Local != "relay" || !strings.Contains(pair.LocalURL, turn.Addr) {
			t.Errorf("%s: the local candidate of the selected pair is %s from %q, want a relay candidate from coturn at %s",
				side.p.name, pair.Local, pair.LocalURL, turn.Addr)
		}
		pairs[side.p] = pair
	}
	// Each page's remote candidate is the other's relay address (learnt
	// from the SDP, "relay", or from its first check, "prflx", whose
	// address the browser may hide: compare ports).
	for _, x := range [][2]*page{{a, b}, {b, a}} {
		mine, theirs := pairs[x[0]], pairs[x[1]]
		if mine.Remote != "relay" && mine.Remote != "prflx" {
			t.Errorf("%s: the remote candidate is %s, want the other page's relay", x[0].name, mine.Remote)
		}
		if port(mine.RemoteAddr) != port(theirs.LocalAddr) {
			t.Errorf("%s: the remote candidate %s is not %s's relay %s", x[0].name, mine.RemoteAddr, x[1].name, theirs.LocalAddr)
		}
	}
	if n := turn.Allocations(); n < 2 {
		t.Errorf("coturn logged %d successful allocations, want one per page at least", n)
	}
}

// port is the part after the last colon of host:port.
func port(addr string) string { return addr[strings.LastIndex(addr, ":")+1:] }

// The page, with iceTransportPolicy=relay and coturn as its TURN server,
// calls baresip through Kamailio + rtpengine: rtpengine's ICE reaches the
// page only through the relay, audio flows both ways, and getStats shows
// the page's selected pair is coturn's relay to rtpengine's candidate.
func TestKamailioPageCallsBaresipThroughTURNRelayOnly(t *testing.T) {
	rig := startKamailioRig(t, true)
	turn := infra.StartTurn(t)
	t.Cleanup(func() {
		if t.Failed() {
			t.Logf("---- turnserver log\n%s", tail(turn.Log(), 6000))
		}
	})
	const pageTone, baresipTone = 1000.0, 440.0
	params := rig.pageParams("alice", kamailioUsers["alice"])
	params["stunserveraddress"] = "NULL"
	params["turnserveraddress"] = turn.Addr
	params["turnusername"] = turn.User
	params["turnpassword"] = turn.Password
	params["iceTransportPolicy"] = "relay"
	p := openPage(t, "page alice", rig.base, toneWAV(t, pageTone, 48000), params)
	p.waitRegistered(20 * time.Second)

	if got := p.api(`call("bob")`); got != "true" {
		t.Fatalf(`call("bob") = %s, want true`, got)
	}
	line := p.waitCallState("connected", 1, 20*time.Second).arg(4)
	t.Logf("page hears baresip: %v", p.waitHears(line, baresipTone, 20*time.Second))
	waitBaresipHears(t, rig.b, pageTone, 20*time.Second)
	if local := p.sdp(line).Local; strings.Contains(local, "typ host") || !strings.Contains(local, "typ relay") {
		t.Errorf("the page's SDP should offer relay candidates only:\n%s", local)
	}
	var pair candidatePair
	waitFor(t, "a selected candidate pair carrying media", 15*time.Second, func() bool {
		pair = p.selectedPair(line)
		return pair.OK && pair.BytesRecved > 0 && pair.BytesSent > 0
	})
	t.Logf("page: %v", pair)
	if pair.Local != "relay" || !strings.Contains(pair.LocalURL, turn.Addr) {
		t.Errorf("the selected pair's local candidate is %s from %q, want coturn's relay", pair.Local, pair.LocalURL)
	}
	if pair.Remote != "host" || !strings.HasPrefix(pair.RemoteAddr, "127.0.0.1:") {
		t.Errorf("the selected pair's remote candidate is %s %s, want rtpengine's host candidate on 127.0.0.1", pair.Remote, pair.RemoteAddr)
	}
}

//go:build js && wasm

package jsbridge

import (
	"context"
	"errors"
	"slices"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/hack-pad/safejs"
	"github.com/opensoftphone/webphone/engine"
)

// replaceTrackTimeout bounds the wait for RTCRtpSender.replaceTrack.
const replaceTrackTimeout = 5 * time.Second

// PageConference is engine.ConferenceMixer in the page's audio graph. Each
// call in the conference (a leg) sends a mix of its own: a
// MediaStreamAudioDestinationNode fed by the track the call sent before
// (the microphone chain, micchain.go) and by a MediaStreamAudioSourceNode
// of the audio every other leg receives; the leg's RTCRtpSender sends that
// mix (replaceTrack, no renegotiation). So every party hears the user and
// all the others, and mute() of a leg (which disables the microphone
// track) silences only the user on it. The page hears every call through
// its own <audio> element anyway. A call that leaves sends its microphone
// track again.
type PageConference struct {
	Media *MediaRegistry
	Audio *PageAudio
	// Warn receives problems of a mix (a call whose audio cannot be
	// mixed); may be nil.
	Warn func(msg string)

	mu      sync.Mutex
	legs    map[int]*confLeg
	sources []safejs.Value // the received-audio sources of the current mix
	wanted  []int          // the lines of the last MixLines
	waiting map[int]bool   // lines whose microphone is still opening
}

// errNoMicrophone is a leg whose call sends no microphone track.
var errNoMicrophone = errors.New("the call sends no microphone (useaudiorecord?)")

var _ engine.ConferenceMixer = (*PageConference)(nil)

// confLeg is one call of the conference.
type confLeg struct {
	pc       safejs.Value // the call's RTCPeerConnection, to tell a new call on the same line
	sender   safejs.Value // its audio RTCRtpSender
	mic      safejs.Value // the track it sent before joining
	micSrc   safejs.Value // mic in the page's context, into dest
	dest     safejs.Value // MediaStreamAudioDestinationNode: what it sends now
	received safejs.Value // the track it receives
}

func (c *PageConference) warn(msg string) {
	if c.Warn != nil {
		c.Warn(msg)
	}
}

// MixLines rebuilds the mix for lines (fewer than two: every call sends
// its microphone alone).
func (c *PageConference) MixLines(lines []int) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.wanted = append([]int(nil), lines...)
	for _, s := range c.sources {
		_, _ = s.Call("disconnect")
	}
	c.sources = nil
	want := map[int]bool{}
	if len(lines) >= 2 {
		for _, n := range lines {
			want[n] = true
		}
	}
	for n, leg := range c.legs {
		if pc, ok := c.Media.PeerConnection(n); !want[n] || !ok || !pc.Equal(leg.pc) {
			c.leave(n, leg)
		}
	}
	if len(want) == 0 {
		return nil
	}
	actx, err := c.Audio.context()
	if err != nil {
		return err
	}
	var problems []string
	for _, n := range lines {
		if c.legs[n] != nil {
			continue
		}
		leg, err := c.join(actx, n)
		if errors.Is(err, errNoMicrophone) && c.joinWhenMicrophoneSettles(n) {
			continue // the call connected before its microphone opened
		}
		if err != nil {
			problems = append(problems, "line "+strconv.Itoa(n)+": "+err.Error())
			continue
		}
		if c.legs == nil {
			c.legs = map[int]*confLeg{}
		}
		c.legs[n] = leg
	}
	ns := make([]int, 0, len(c.legs))
	for n := range c.legs {
		ns = append(ns, n)
	}
	sort.Ints(ns)
	for _, from := range ns {
		src, err := mediaTrackSource(actx, c.legs[from].received)
		if err != nil {
			problems = append(problems, "line "+strconv.Itoa(from)+": "+err.Error())
			continue
		}
		c.sources = append(c.sources, src)
		for _, to := range ns {
			if to == from {
				continue
			}
			if _, err := src.Call("connect", c.legs[to].dest); err != nil {
				problems = append(problems, "line "+strconv.Itoa(from)+" into line "+strconv.Itoa(to)+": "+err.Error())
			}
		}
	}
	if len(problems) > 0 {
		return errors.New(strings.Join(problems, "; "))
	}
	return nil
}

// joinWhenMicrophoneSettles mixes again once line n's microphone, still
// opening (the call's offer did not wait for it), is on its sender; false
// when it has settled already (the call really sends none). c.mu is held.
func (c *PageConference) joinWhenMicrophoneSettles(n int) bool {
	settled := c.Media.MicrophoneSettled(n)
	select {
	case <-settled:
		return false
	default:
	}
	if c.waiting[n] {
		return true
	}
	if c.waiting == nil {
		c.waiting = map[int]bool{}
	}
	c.waiting[n] = true
	go func() {
		<-settled // bounded: PeerMedia gives up after micOpenTimeout
		c.mu.Lock()
		delete(c.waiting, n)
		lines := append([]int(nil), c.wanted...)
		c.mu.Unlock()
		if slices.Contains(lines, n) {
			if err := c.MixLines(lines); err != nil {
				c.warn("conference: " + err.Error())
			}
		}
	}()
	return true
}

// join makes line n a leg: its sent track goes through a destination of
// its own, which the sender sends from now on.
func (c *PageConference) join(actx safejs.Value, n int) (*confLeg, error) {
	pc, ok := c.Media.PeerConnection(n)
	if !ok || isNullish(pc) {
		return nil, errors.New("the call has no media")
	}
	recv := audioTracks(pc, "getReceivers")
	if len(recv) == 0 {
		return nil, errors.New("the call receives no audio")
	}
	sender, mic, ok := audioSender(pc)
	if !ok {
		return nil, errNoMicrophone
	}
	dest, err := actx.Call("createMediaStreamDestination")
	if err != nil {
		return nil, err
	}
	micSrc, err := mediaTrackSource(actx, mic)
	if err != nil {
		return nil, err
	}
	if _, err := micSrc.Call("connect", dest); err != nil {
		return nil, err
	}
	stream, err := dest.Get("stream")
	if err != nil {
		return nil, err
	}
	tracks, err := stream.Call("getAudioTracks")
	if err != nil {
		return nil, err
	}
	mixed, err := tracks.Index(0)
	if err != nil || isNullish(mixed) {
		return nil, errors.New("no track from the mix")
	}
	c.replaceTrack(n, sender, mixed)
	return &confLeg{pc: pc, sender: sender, mic: mic, micSrc: micSrc, dest: dest, received: recv[0]}, nil
}

// leave gives line n its microphone track back and takes its mix apart.
func (c *PageConference) leave(n int, leg *confLeg) {
	delete(c.legs, n)
	_, _ = leg.micSrc.Call("disconnect")
	if state := getString(leg.pc, "connectionState"); state != "closed" {
		c.replaceTrack(n, leg.sender, leg.mic)
	}
	if stream, err := leg.dest.Get("stream"); err == nil {
		stopTracks(stream)
	}
}

// replaceTrack swaps the sender's track in the background (the API runs
// on the page's thread, which must not wait for a Promise).
func (c *PageConference) replaceTrack(n int, sender, track safejs.Value) {
	p, err := sender.Call("replaceTrack", track)
	if err != nil {
		c.warn("conference: line " + strconv.Itoa(n) + ": replaceTrack: " + err.Error())
		return
	}
	go func() {
		ctx, cancel := context.WithTimeout(context.Background(), replaceTrackTimeout)
		defer cancel()
		if _, err := await(ctx, p); err != nil {
			c.warn("conference: line " + strconv.Itoa(n) + ": replaceTrack: " + err.Error())
		}
	}()
}

// audioSender is the RTCRtpSender that sends the call's audio track.
func audioSender(pc safejs.Value) (sender, track safejs.Value, ok bool) {
	list, err := pc.Call("getSenders")
	if err != nil {
		return safejs.Undefined(), safejs.Undefined(), false
	}
	n, _ := list.Length()
	for i := 0; i < n; i++ {
		s, err := list.Index(i)
		if err != nil {
			continue
		}
		tr, err := s.Get("track")
		if err == nil && !isNullish(tr) && getString(tr, "kind") == "audio" {
			return s, tr, true
		}
	}
	return safejs.Undefined(), safejs.Undefined(), false
}

// mediaTrackSource is a MediaStreamAudioSourceNode of one track.
func mediaTrackSource(actx, track safejs.Value) (safejs.Value, error) {
	msCtor, err := global("MediaStream")
	if err != nil {
		return safejs.Undefined(), err
	}
	ms, err := msCtor.New([]any{track})
	if err != nil {
		return safejs.Undefined(), err
	}
	return actx.Call("createMediaStreamSource", ms)
}

// ConferenceAPI returns the exported conference function (merged into
// EngineAPI's set by cmd/wasm): conference(number, add).
func ConferenceAPI(e *engine.Engine) map[string]APIFunc {
	return map[string]APIFunc{
		// conference(number, add): add omitted is true; number "" is
		// every current call, "1".."9" a line, else a number to call.
		"conference": func(a []safejs.Value) any { return e.Conference(ArgString(a, 0), ArgBool(a, 1, true)) },
	}
}

package mediacore

import (
	"errors"
	"fmt"
	"strings"
)

// SampleRate is the audio sample rate used throughout mediacore (G.711 narrowband).
const SampleRate = 8000

// Codec is an audio codec as it appears in SDP: encoding name, static payload type and clock rate.
type Codec struct {
	Name        string // SDP encoding name, e.g. "PCMU"
	PayloadType uint8  // static RTP payload type
	ClockRate   uint32 // RTP clock rate in Hz
}

// The codecs mediacore can encode and decode.
var (
	PCMU = Codec{Name: "PCMU", PayloadType: 0, ClockRate: SampleRate}
	PCMA = Codec{Name: "PCMA", PayloadType: 8, ClockRate: SampleRate}
)

// DefaultCodecs is the built-in priority when no codec parameter is set.
var DefaultCodecs = []Codec{PCMU, PCMA}

// TelephoneEventName is the SDP encoding name of RFC 4733 events.
const TelephoneEventName = "telephone-event"

// DefaultDTMFPayloadType is the dynamic payload type offered for telephone-event.
const DefaultDTMFPayloadType uint8 = 101

// ErrNoSupportedCodec means a codec list named only codecs mediacore cannot handle.
var ErrNoSupportedCodec = errors.New("mediacore: no supported codec in codec list")

// String returns the encoding name.
func (c Codec) String() string { return c.Name }

// CodecByName finds a supported codec by SDP or Mizu name (case-insensitive):
// "pcmu", "ulaw", "mulaw", "g711u", "pcma", "alaw", "g711a".
func CodecByName(name string) (Codec, bool) {
	switch strings.ToLower(strings.TrimSpace(name)) {
	case "pcmu", "ulaw", "mulaw", "g711u", "g.711u", "g711-ulaw":
		return PCMU, true
	case "pcma", "alaw", "g711a", "g.711a", "g711-alaw":
		return PCMA, true
	}
	return Codec{}, false
}

// codecByPayloadType finds a supported codec by its static payload type.
func codecByPayloadType(pt uint8) (Codec, bool) {
	switch pt {
	case PCMU.PayloadType:
		return PCMU, true
	case PCMA.PayloadType:
		return PCMA, true
	}
	return Codec{}, false
}

// expandCodecName turns one Mizu codec name into supported codecs. "g.711"/"g711" means both
// G.711 laws (mu-law first). Unknown or unsupported names (opus, g.729, gsm, ...) give nil.
func expandCodecName(name string) []Codec {
	n := strings.ToLower(strings.TrimSpace(name))
	if n == "g.711" || n == "g711" {
		return []Codec{PCMU, PCMA}
	}
	if c, ok := CodecByName(n); ok {
		return []Codec{c}
	}
	return nil
}

// ParseCodecPrefs turns the Mizu `codec` (comma list of allowed codecs, e.g. "Opus,G.729,PCMU")
// and `prefcodec` (preferred codec, e.g. "pcma") parameters into an ordered codec list.
//
// An empty codec list means DefaultCodecs. Names mediacore cannot handle are skipped; if the
// list names no supported codec at all, ErrNoSupportedCodec is returned. prefcodec moves the named
// codec to the front when it is allowed; an unsupported prefcodec is ignored (the browser or the
// far end may support it, mediacore simply cannot prefer it).
func ParseCodecPrefs(codec, prefcodec string) ([]Codec, error) {
	var list []Codec
	if strings.TrimSpace(codec) == "" || isNullParam(codec) {
		list = append(list, DefaultCodecs...)
	} else {
		for _, name := range strings.Split(codec, ",") {
			for _, c := range expandCodecName(name) {
				if !containsCodec(list, c) {
					list = append(list, c)
				}
			}
		}
		if len(list) == 0 {
			return nil, fmt.Errorf("%w: %q", ErrNoSupportedCodec, codec)
		}
	}
	if isNullParam(prefcodec) {
		return list, nil
	}
	pref := expandCodecName(prefcodec)
	for i := len(pref) - 1; i >= 0; i-- {
		list = moveToFront(list, pref[i])
	}
	return list, nil
}

// ApplyCodecUse applies a Mizu `use_<codec>` level (0 never, 1 don't offer, 2 low priority,
// 3 high priority; negative = unset) to a codec list and returns the new list.
// Levels 0 and 1 remove the codec, 2 moves it to the end and 3 to the front (adding it if absent).
func ApplyCodecUse(list []Codec, c Codec, level int) []Codec {
	out := make([]Codec, 0, len(list)+1)
	for _, x := range list {
		if x != c {
			out = append(out, x)
		}
	}
	switch level {
	case 2:
		return append(out, c)
	case 3:
		return append([]Codec{c}, out...)
	case 0, 1:
		return out
	}
	return list
}

func isNullParam(s string) bool {
	s = strings.TrimSpace(s)
	return s == "" || strings.EqualFold(s, "NULL") || strings.EqualFold(s, "DEF")
}

func containsCodec(list []Codec, c Codec) bool {
	for _, x := range list {
		if x == c {
			return true
		}
	}
	return false
}

func moveToFront(list []Codec, c Codec) []Codec {
	for i, x := range list {
		if x == c {
			copy(list[1:i+1], list[:i])
			list[0] = c
			return list
		}
	}
	return list
}

package mediacore

import (
	"time"

	"github.com/pion/rtcp"
)

// ntpEpochOffset is the number of seconds from 1900-01-01 (NTP) to 1970-01-01 (Unix).
const ntpEpochOffset = 2208988800

// NTPTime converts a wall-clock time to the 64-bit NTP format used in RTCP sender reports.
func NTPTime(t time.Time) uint64 {
	secs := uint64(t.Unix()) + ntpEpochOffset
	frac := uint64(t.Nanosecond()) << 32 / uint64(time.Second)
	return secs<<32 | frac
}

// SenderInfo is the sender part of an RTCP sender report.
type SenderInfo struct {
	NTP     uint64 // wall clock (NTPTime)
	RTPTime uint32 // RTP timestamp matching NTP
	Packets uint32
	Octets  uint32
}

// BuildRTCP returns a compound RTCP packet from ssrc: a sender report when info is non-nil, else a
// receiver report, with the given report blocks, followed by SDES CNAME (required in every
// compound packet by RFC 3550 section 6.1). bye appends a BYE.
func BuildRTCP(ssrc uint32, cname string, info *SenderInfo, reports []rtcp.ReceptionReport, bye bool) ([]byte, error) {
	var pkts []rtcp.Packet
	if info != nil {
		pkts = append(pkts, &rtcp.SenderReport{
			SSRC:        ssrc,
			NTPTime:     info.NTP,
			RTPTime:     info.RTPTime,
			PacketCount: info.Packets,
			OctetCount:  info.Octets,
			Reports:     reports,
		})
	} else {
		pkts = append(pkts, &rtcp.ReceiverReport{SSRC: ssrc, Reports: reports})
	}
	pkts = append(pkts, &rtcp.SourceDescription{Chunks: []rtcp.SourceDescriptionChunk{{
		Source: ssrc,
		Items:  []rtcp.SourceDescriptionItem{{Type: rtcp.SDESCNAME, Text: cname}},
	}}})
	if bye {
		pkts = append(pkts, &rtcp.Goodbye{Sources: []uint32{ssrc}})
	}
	return rtcp.Marshal(pkts)
}

// RemoteReport is what the peer told us about our stream in its last RTCP report block.
type RemoteReport struct {
	FractionLost float64       // 0..1 in the last interval
	TotalLost    int64         // cumulative
	Jitter       uint32        // timestamp units
	RTT          time.Duration // round-trip time from LSR/DLSR (0 when unknown)
	Valid        bool
}

// isRTCP tells RTCP from RTP on a multiplexed socket (RFC 5761 section 4: payload type 64..95
// with the marker bit, i.e. second byte 192..223).
func isRTCP(b []byte) bool {
	return len(b) >= 2 && b[0]>>6 == 2 && b[1] >= 192 && b[1] <= 223
}

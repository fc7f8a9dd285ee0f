package mediacore

// SeqExtender turns 16-bit RTP sequence numbers into 64-bit extended sequence numbers that keep
// increasing across wraps (RFC 3550 appendix A.1). Packets from before the last wrap (reordered
// across it) map below the wrap point.
type SeqExtender struct {
	started bool
	highest uint64 // highest extended sequence number seen
}

// Extend returns the extended sequence number for seq, picking the value nearest to the highest
// one seen so far, and advances the highest value when seq is newer.
func (e *SeqExtender) Extend(seq uint16) uint64 {
	if !e.started {
		e.started = true
		// Start one cycle up so that packets slightly older than the first still map >= 0.
		e.highest = 1<<16 + uint64(seq)
		return e.highest
	}
	ext := nearestExtended(e.highest, seq)
	if ext > e.highest {
		e.highest = ext
	}
	return ext
}

// Highest returns the highest extended sequence number seen (0 before the first packet).
func (e *SeqExtender) Highest() uint64 { return e.highest }

// Reset forgets all state (new SSRC).
func (e *SeqExtender) Reset() { *e = SeqExtender{} }

// nearestExtended returns the extended number with low 16 bits seq closest to ref.
func nearestExtended(ref uint64, seq uint16) uint64 {
	delta := int16(seq - uint16(ref))
	ext := int64(ref) + int64(delta)
	if ext < 0 {
		ext += 1 << 16
	}
	return uint64(ext)
}

package mediacore

import (
	"encoding/binary"
	"errors"
	"fmt"
	"io"
)

// WAV is decoded WAV audio: interleaved 16-bit samples.
type WAV struct {
	SampleRate int
	Channels   int
	Samples    []int16 // interleaved when Channels > 1
}

// WAV format codes.
const (
	wavPCM        = 1
	wavALaw       = 6
	wavMuLaw      = 7
	wavExtensible = 0xfffe
	maxWAVBytes   = 256 << 20
)

// ErrNotWAV means the data is not a RIFF/WAVE file.
var ErrNotWAV = errors.New("mediacore: not a RIFF/WAVE file")

// ReadWAV reads a WAV file with 8- or 16-bit PCM, A-law or mu-law samples at any rate and
// channel count. Other formats give a clear error.
func ReadWAV(r io.Reader) (*WAV, error) {
	var hdr [12]byte
	if _, err := io.ReadFull(r, hdr[:]); err != nil {
		return nil, fmt.Errorf("%w: %v", ErrNotWAV, err)
	}
	if string(hdr[0:4]) != "RIFF" || string(hdr[8:12]) != "WAVE" {
		return nil, ErrNotWAV
	}
	var format, channels, bits int
	var rate int
	haveFmt := false
	for {
		var ch [8]byte
		if _, err := io.ReadFull(r, ch[:]); err != nil {
			return nil, fmt.Errorf("mediacore: WAV has no data chunk: %v", err)
		}
		id, size := string(ch[0:4]), binary.LittleEndian.Uint32(ch[4:8])
		if size > maxWAVBytes {
			return nil, fmt.Errorf("mediacore: WAV chunk %q of %d bytes is too large", id, size)
		}
		switch id {
		case "fmt ":
			if size < 16 {
				return nil, fmt.Errorf("mediacore: WAV fmt chunk of %d bytes is too short", size)
			}
			buf := make([]byte, size+size%2)
			if _, err := io.ReadFull(r, buf); err != nil {
				return nil, fmt.Errorf("mediacore: WAV fmt chunk: %v", err)
			}
			format = int(binary.LittleEndian.Uint16(buf[0:2]))
			channels = int(binary.LittleEndian.Uint16(buf[2:4]))
			rate = int(binary.LittleEndian.Uint32(buf[4:8]))
			bits = int(binary.LittleEndian.Uint16(buf[14:16]))
			if format == wavExtensible && size >= 26 {
				format = int(binary.LittleEndian.Uint16(buf[24:26]))
			}
			haveFmt = true
		case "data":
			if !haveFmt {
				return nil, errors.New("mediacore: WAV data chunk before fmt chunk")
			}
			if err := checkWAVFormat(format, channels, rate, bits); err != nil {
				return nil, err
			}
			// Read what is there rather than trusting the size: a truncated last chunk is common
			// (streams written without final sizes), and a lying header must not allocate 256 MB.
			buf, err := io.ReadAll(io.LimitReader(r, int64(size)))
			if err != nil {
				return nil, fmt.Errorf("mediacore: WAV data: %v", err)
			}
			return &WAV{SampleRate: rate, Channels: channels, Samples: decodeWAVSamples(buf, format, bits)}, nil
		default:
			if _, err := io.CopyN(io.Discard, r, int64(size+size%2)); err != nil {
				return nil, fmt.Errorf("mediacore: WAV chunk %q: %v", id, err)
			}
		}
	}
}

func checkWAVFormat(format, channels, rate, bits int) error {
	if channels < 1 || channels > 8 {
		return fmt.Errorf("mediacore: WAV with %d channels not supported", channels)
	}
	if rate < 1000 || rate > 192000 {
		return fmt.Errorf("mediacore: WAV sample rate %d Hz not supported", rate)
	}
	switch {
	case format == wavPCM && (bits == 16 || bits == 8):
	case (format == wavALaw || format == wavMuLaw) && bits == 8:
	default:
		return fmt.Errorf("mediacore: WAV format %d with %d bits per sample not supported (want PCM 8/16-bit, A-law or mu-law)", format, bits)
	}
	return nil
}

func decodeWAVSamples(b []byte, format, bits int) []int16 {
	switch {
	case format == wavALaw:
		out := make([]int16, len(b))
		DecodeAlaw(out, b)
		return out
	case format == wavMuLaw:
		out := make([]int16, len(b))
		DecodeUlaw(out, b)
		return out
	case bits == 8:
		out := make([]int16, len(b))
		for i, v := range b {
			out[i] = int16(int(v)-128) << 8
		}
		return out
	}
	out := make([]int16, len(b)/2)
	for i := range out {
		out[i] = int16(binary.LittleEndian.Uint16(b[2*i:]))
	}
	return out
}

// Mono8k returns the audio as 8 kHz mono: channels are averaged and other rates are resampled
// by linear interpolation.
func (w *WAV) Mono8k() []int16 {
	ch := max(w.Channels, 1)
	frames := len(w.Samples) / ch
	mono := make([]int16, frames)
	for i := range mono {
		var s int32
		for c := 0; c < ch; c++ {
			s += int32(w.Samples[i*ch+c])
		}
		mono[i] = int16(s / int32(ch))
	}
	return Resample(mono, w.SampleRate, SampleRate)
}

// Resample converts mono audio between sample rates by linear interpolation.
func Resample(in []int16, from, to int) []int16 {
	if from == to || len(in) == 0 || from <= 0 || to <= 0 {
		return in
	}
	n := int(int64(len(in)) * int64(to) / int64(from))
	out := make([]int16, n)
	for i := range out {
		pos := float64(i) * float64(from) / float64(to)
		k := int(pos)
		frac := pos - float64(k)
		a := float64(in[k])
		b := a
		if k+1 < len(in) {
			b = float64(in[k+1])
		}
		out[i] = int16(a + (b-a)*frac)
	}
	return out
}

// ReadWAV8k reads a WAV file and returns it as 8 kHz mono PCM (converting as needed).
func ReadWAV8k(r io.Reader) ([]int16, error) {
	w, err := ReadWAV(r)
	if err != nil {
		return nil, err
	}
	return w.Mono8k(), nil
}

// WriteWAV writes 16-bit PCM samples (interleaved when channels > 1) as a WAV file.
func WriteWAV(w io.Writer, sampleRate, channels int, samples []int16) error {
	if channels < 1 || sampleRate < 1 {
		return fmt.Errorf("mediacore: WAV with rate %d and %d channels", sampleRate, channels)
	}
	dataLen := len(samples) * 2
	if dataLen > maxWAVBytes {
		return fmt.Errorf("mediacore: %d samples are too many for one WAV file", len(samples))
	}
	var h [44]byte
	copy(h[0:], "RIFF")
	binary.LittleEndian.PutUint32(h[4:], uint32(36+dataLen))
	copy(h[8:], "WAVEfmt ")
	binary.LittleEndian.PutUint32(h[16:], 16)
	binary.LittleEndian.PutUint16(h[20:], wavPCM)
	binary.LittleEndian.PutUint16(h[22:], uint16(channels))
	binary.LittleEndian.PutUint32(h[24:], uint32(sampleRate))
	binary.LittleEndian.PutUint32(h[28:], uint32(sampleRate*channels*2))
	binary.LittleEndian.PutUint16(h[32:], uint16(channels*2))
	binary.LittleEndian.PutUint16(h[34:], 16)
	copy(h[36:], "data")
	binary.LittleEndian.PutUint32(h[40:], uint32(dataLen))
	if _, err := w.Write(h[:]); err != nil {
		return err
	}
	buf := make([]byte, dataLen)
	for i, s := range samples {
		binary.LittleEndian.PutUint16(buf[2*i:], uint16(s))
	}
	_, err := w.Write(buf)
	return err
}

// WriteWAV8k writes 8 kHz 16-bit mono PCM as a WAV file.
func WriteWAV8k(w io.Writer, samples []int16) error { return WriteWAV(w, SampleRate, 1, samples) }

// NewWAVSource reads a whole WAV file (any rate/channels, converted to 8 kHz mono) and returns
// it as a PCMSource that plays it once.
func NewWAVSource(r io.Reader) (*SliceSource, error) {
	pcm, err := ReadWAV8k(r)
	if err != nil {
		return nil, err
	}
	return &SliceSource{Samples: pcm}, nil
}

package infra

import (
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"math"
	"os"
)

// WriteToneWAV writes a 16-bit mono PCM WAV file holding a sine tone.
func WriteToneWAV(path string, freqHz float64, seconds float64, sampleRate int) error {
	if sampleRate <= 0 || seconds <= 0 || freqHz <= 0 || freqHz >= float64(sampleRate)/2 {
		return fmt.Errorf("infra: bad tone parameters freq=%v seconds=%v rate=%d", freqHz, seconds, sampleRate)
	}
	n := int(seconds * float64(sampleRate))
	samples := make([]int16, n)
	for i := range samples {
		samples[i] = int16(0.5 * 32767 * math.Sin(2*math.Pi*freqHz*float64(i)/float64(sampleRate)))
	}
	return WriteWAV(path, samples, sampleRate)
}

// WriteWAV writes 16-bit mono PCM samples as a WAV file.
func WriteWAV(path string, samples []int16, sampleRate int) error {
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	dataLen := uint32(2 * len(samples))
	hdr := make([]byte, 44)
	copy(hdr[0:], "RIFF")
	binary.LittleEndian.PutUint32(hdr[4:], 36+dataLen)
	copy(hdr[8:], "WAVEfmt ")
	binary.LittleEndian.PutUint32(hdr[16:], 16)
	binary.LittleEndian.PutUint16(hdr[20:], 1) // PCM
	binary.LittleEndian.PutUint16(hdr[22:], 1) // mono
	binary.LittleEndian.PutUint32(hdr[24:], uint32(sampleRate))
	binary.LittleEndian.PutUint32(hdr[28:], uint32(sampleRate*2))
	binary.LittleEndian.PutUint16(hdr[32:], 2)
	binary.LittleEndian.PutUint16(hdr[34:], 16)
	copy(hdr[36:], "data")
	binary.LittleEndian.PutUint32(hdr[40:], dataLen)
	body := make([]byte, dataLen)
	for i, s := range samples {
		binary.LittleEndian.PutUint16(body[2*i:], uint16(s))
	}
	if _, err := f.Write(append(hdr, body...)); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}

// ReadWAV reads a 16-bit PCM WAV file; multi-channel audio is mixed to
// mono. It tolerates a data chunk length of 0 or beyond the end of the file
// (as written by a recorder that was killed).
func ReadWAV(path string) (samples []int16, sampleRate int, err error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, 0, err
	}
	if len(b) < 12 || string(b[0:4]) != "RIFF" || string(b[8:12]) != "WAVE" {
		return nil, 0, fmt.Errorf("infra: %s is not a RIFF/WAVE file", path)
	}
	channels, bits := 0, 0
	pos := 12
	for pos+8 <= len(b) {
		id := string(b[pos : pos+4])
		size := int(binary.LittleEndian.Uint32(b[pos+4:]))
		body := b[pos+8:]
		switch id {
		case "fmt ":
			if len(body) < 16 {
				return nil, 0, fmt.Errorf("infra: %s: short fmt chunk", path)
			}
			if f := binary.LittleEndian.Uint16(body[0:]); f != 1 && f != 0xFFFE {
				return nil, 0, fmt.Errorf("infra: %s: format %d is not PCM", path, f)
			}
			channels = int(binary.LittleEndian.Uint16(body[2:]))
			sampleRate = int(binary.LittleEndian.Uint32(body[4:]))
			bits = int(binary.LittleEndian.Uint16(body[14:]))
		case "data":
			if channels == 0 {
				return nil, 0, fmt.Errorf("infra: %s: data before fmt chunk", path)
			}
			if bits != 16 {
				return nil, 0, fmt.Errorf("infra: %s: %d-bit samples, want 16", path, bits)
			}
			if size == 0 || size > len(body) {
				size = len(body)
			}
			frames := size / (2 * channels)
			samples = make([]int16, frames)
			for i := 0; i < frames; i++ {
				sum := 0
				for c := 0; c < channels; c++ {
					sum += int(int16(binary.LittleEndian.Uint16(body[2*(i*channels+c):])))
				}
				samples[i] = int16(sum / channels)
			}
			return samples, sampleRate, nil
		}
		if size < 0 || pos+8+size > len(b) {
			break
		}
		pos += 8 + size + size%2
	}
	if channels == 0 {
		return nil, 0, fmt.Errorf("infra: %s: no fmt chunk", path)
	}
	return nil, 0, fmt.Errorf("infra: %s: no data chunk: %w", path, io.ErrUnexpectedEOF)
}

// DominantFrequency returns the strongest frequency (Hz, 1 Hz resolution,
// 50 Hz to the Nyquist limit less 50 Hz) in the loudest second of the WAV
// file, found with a Goertzel sweep. A silent file is an error.
func DominantFrequency(wavPath string) (float64, error) {
	samples, rate, err := ReadWAV(wavPath)
	if err != nil {
		return 0, err
	}
	win := loudestWindow(samples, rate)
	if win == nil {
		return 0, errors.New("infra: " + wavPath + " is silent or too short")
	}
	best, bestPow := 0.0, -1.0
	// Coarse sweep in 10 Hz steps, then refine around the peak in 1 Hz steps.
	for f := 50.0; f <= float64(rate)/2-50; f += 10 {
		if p := goertzel(win, rate, f); p > bestPow {
			best, bestPow = f, p
		}
	}
	for f := best - 10; f <= best+10; f++ {
		if p := goertzel(win, rate, f); p > bestPow {
			best, bestPow = f, p
		}
	}
	return best, nil
}

// HasTone reports whether the dominant frequency of the WAV file is within
// 3% (at least 10 Hz) of freqHz.
func HasTone(wavPath string, freqHz float64) bool {
	f, err := DominantFrequency(wavPath)
	if err != nil {
		return false
	}
	tol := math.Max(10, 0.03*freqHz)
	return math.Abs(f-freqHz) <= tol
}

// loudestWindow returns the one-second (or shorter) window with the most
// energy, or nil when the audio is silent.
func loudestWindow(samples []int16, rate int) []float64 {
	n := rate
	if len(samples) < n {
		n = len(samples)
	}
	if n < rate/10 || n == 0 {
		return nil
	}
	bestStart, bestEnergy := 0, -1.0
	step := n / 4
	if step == 0 {
		step = 1
	}
	for start := 0; start+n <= len(samples); start += step {
		e := 0.0
		for _, s := range samples[start : start+n] {
			e += float64(s) * float64(s)
		}
		if e > bestEnergy {
			bestStart, bestEnergy = start, e
		}
	}
	// Mean amplitude below ~1/1000 of full scale counts as silence.
	if math.Sqrt(bestEnergy/float64(n)) < 30 {
		return nil
	}
	win := make([]float64, n)
	for i, s := range samples[bestStart : bestStart+n] {
		win[i] = float64(s)
	}
	return win
}

// goertzel returns the power of freq in x.
func goertzel(x []float64, rate int, freq float64) float64 {
	w := 2 * math.Pi * freq / float64(rate)
	coeff := 2 * math.Cos(w)
	var s1, s2 float64
	for _, v := range x {
		s0 := v + coeff*s1 - s2
		s2, s1 = s1, s0
	}
	return s1*s1 + s2*s2 - coeff*s1*s2
}

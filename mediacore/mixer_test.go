package mediacore

import (
	"testing"

	"github.com/stretchr/testify/assert"
)

func TestMixerEachHearsOthers(t *testing.T) {
	m := NewMixer(160)
	a, b, c := m.Add("a"), m.Add("b"), m.Add("c")
	a.Write(constFrame(100))
	b.Write(constFrame(20))
	c.Write(constFrame(3))
	m.Mix()
	out := make([]int16, 160)
	a.Read(out)
	assert.Equal(t, int16(23), out[0], "a hears b+c")
	b.Read(out)
	assert.Equal(t, int16(103), out[159], "b hears a+c")
	c.Read(out)
	assert.Equal(t, int16(120), out[0], "c hears a+b")

	b.SetMute(true)
	c.SetVolume(2)
	a.Write(constFrame(100))
	b.Write(constFrame(20))
	c.Write(constFrame(3))
	m.Mix()
	a.Read(out)
	assert.Equal(t, int16(6), out[0], "b muted, c doubled")
	b.Read(out)
	assert.Equal(t, int16(106), out[0], "a muted party still hears everyone")

	// Nobody wrote: silence.
	m.Mix()
	a.Read(out)
	assert.Equal(t, int16(0), out[0])

	m.Remove(b)
	assert.Equal(t, 2, m.Len())
}

func TestMixerSaturates(t *testing.T) {
	m := NewMixer(4)
	a, b, c := m.Add("a"), m.Add("b"), m.Add("c")
	a.Write([]int16{30000, -30000, 1})
	b.Write([]int16{30000, -30000})
	c.Write(nil)
	m.Mix()
	out := make([]int16, 4)
	c.Read(out)
	assert.Equal(t, []int16{32767, -32768, 1, 0}, out)
	b.Read(out) // drain b's first output
	a.SetVolume(100)
	a.Write([]int16{1000})
	m.Mix()
	b.Read(out)
	assert.Equal(t, int16(4000), out[0], "volume is capped at 4")
}

func TestMixerQueuesFrames(t *testing.T) {
	m := NewMixer(2)
	a, b := m.Add("a"), m.Add("b")
	a.Write([]int16{1, 1})
	a.Write([]int16{2, 2}) // two frames before one Mix: the second waits for the next Mix
	m.Mix()
	m.Mix()
	m.Mix()
	out := make([]int16, 2)
	for _, want := range []int16{1, 2, 0} {
		b.Read(out)
		assert.Equal(t, want, out[0])
	}
	assert.Equal(t, 2, b.Read(out))
	assert.Equal(t, []int16{0, 0}, out, "nothing queued: silence")

	// As a PCMSource it fills any length frame by frame.
	a.Write([]int16{5, 5})
	m.Mix()
	big := make([]int16, 5)
	n, err := b.ReadPCM(big)
	assert.NoError(t, err)
	assert.Equal(t, 5, n)
	assert.Equal(t, []int16{5, 5, 0, 0, 0}, big)

	// More frames than the queue holds: the oldest are dropped.
	for i := int16(1); i <= 6; i++ {
		assert.NoError(t, a.WritePCM([]int16{i, i}))
	}
	m.Mix()
	b.Read(out)
	assert.Equal(t, int16(3), out[0])
}

func BenchmarkMixer4Parties20ms(b *testing.B) {
	m := NewMixer(160)
	var parties []*MixerStream
	for _, n := range []string{"a", "b", "c", "d"} {
		parties = append(parties, m.Add(n))
	}
	in, out := constFrame(1000), make([]int16, 160)
	b.ReportAllocs()
	for b.Loop() {
		for _, p := range parties {
			p.Write(in)
		}
		m.Mix()
		for _, p := range parties {
			p.Read(out)
		}
	}
}

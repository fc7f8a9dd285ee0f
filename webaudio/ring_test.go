package webaudio

import (
	"math"
	"testing"
)

func TestRingWrapsAndKeepsOrder(t *testing.T) {
	r := NewRing(3) // 4
	r.Write([]int16{1, 2, 3})
	got := make([]int16, 2)
	if n := r.Read(got); n != 2 || got[0] != 1 || got[1] != 2 {
		t.Fatalf("read %d %v", n, got)
	}
	r.Write([]int16{4, 5, 6}) // wraps around the end
	all := make([]int16, 10)
	n := r.Read(all)
	if n != 4 || all[0] != 3 || all[3] != 6 {
		t.Fatalf("read %d %v, want 3..6", n, all[:n])
	}
	if r.Len() != 0 || r.Dropped() != 0 {
		t.Fatalf("len %d dropped %d", r.Len(), r.Dropped())
	}
}

func TestRingOverrunDropsTheOldest(t *testing.T) {
	r := NewRing(4)
	r.Write([]int16{1, 2, 3})
	if d := r.Write([]int16{4, 5, 6}); d != 2 {
		t.Fatalf("dropped %d, want 2", d)
	}
	got := make([]int16, 4)
	if n := r.Read(got); n != 4 || got[0] != 3 || got[3] != 6 {
		t.Fatalf("read %d %v, want 3..6", n, got)
	}
	r.Write([]int16{7, 8, 9, 10, 11, 12}) // longer than the ring
	if n := r.Read(got); n != 4 || got[0] != 9 || got[3] != 12 || r.Dropped() != 4 {
		t.Fatalf("read %d %v dropped %d", n, got, r.Dropped())
	}
}

func TestRingCountersWrapAt32Bits(t *testing.T) {
	r := NewRing(6) // 8
	r.write, r.read = math.MaxUint32-2, math.MaxUint32-2
	r.Write([]int16{1, 2, 3, 4, 5})
	if r.Len() != 5 {
		t.Fatalf("len %d across the counter wrap", r.Len())
	}
	got := make([]int16, 5)
	if n := r.Read(got); n != 5 || got[0] != 1 || got[4] != 5 {
		t.Fatalf("read %d %v", n, got)
	}
}

func TestRingSpans(t *testing.T) {
	for _, c := range []struct {
		c              uint32
		n, capacity    int
		a0, a1, b0, b1 int
	}{
		{0, 3, 8, 0, 3, 0, 0},
		{6, 4, 8, 6, 8, 0, 2},
		{13, 3, 8, 5, 8, 0, 0},
		{math.MaxUint32, 2, 8, 7, 8, 0, 1}, // 2^32-1 mod 8 = 7
	} {
		a0, a1, b0, b1 := ringSpans(c.c, c.n, c.capacity)
		if a0 != c.a0 || a1 != c.a1 || b0 != c.b0 || b1 != c.b1 {
			t.Errorf("ringSpans(%d,%d,%d) = %d %d %d %d", c.c, c.n, c.capacity, a0, a1, b0, b1)
		}
	}
}

package mediacore

import (
	"errors"
	"net"
	"time"
)

// Start begins sending and receiving. It needs a completed offer/answer (ErrNotNegotiated).
// Starting a running session does nothing.
func (s *Session) Start() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.neg == nil {
		return ErrNotNegotiated
	}
	if s.running {
		return nil
	}
	s.running = true
	s.stop = make(chan struct{})
	s.sender.StartTalkspurt()
	s.wg.Add(2)
	go s.readLoop(s.cfg.Conn, false)
	go s.tickLoop(s.stop)
	if s.cfg.RTCPConn != nil {
		s.wg.Add(1)
		go s.readLoop(s.cfg.RTCPConn, true)
	}
	return nil
}

// Stop stops sending and receiving, sends an RTCP BYE when RTCP is in use and waits for the
// session's goroutines. The sockets stay open; Start may be called again.
func (s *Session) Stop() {
	s.mu.Lock()
	if !s.running {
		s.mu.Unlock()
		return
	}
	s.running = false
	close(s.stop)
	s.sendRTCPLocked(true)
	s.mu.Unlock()

	// Wake the readers blocked in ReadFrom.
	past := time.Now().Add(-time.Second)
	_ = s.cfg.Conn.SetReadDeadline(past)
	if s.cfg.RTCPConn != nil {
		_ = s.cfg.RTCPConn.SetReadDeadline(past)
	}
	s.wg.Wait()
	_ = s.cfg.Conn.SetReadDeadline(time.Time{})
	if s.cfg.RTCPConn != nil {
		_ = s.cfg.RTCPConn.SetReadDeadline(time.Time{})
	}
}

// Running reports whether the session is started.
func (s *Session) Running() bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.running
}

func (s *Session) now() time.Duration { return time.Since(s.epoch) }

// readLoop receives packets until Stop.
func (s *Session) readLoop(conn net.PacketConn, rtcpSocket bool) {
	defer s.wg.Done()
	buf := make([]byte, 1500)
	pcm := make([]int16, maxPacketSamples(s.cfg.Jitter))
	for {
		n, from, err := conn.ReadFrom(buf)
		if err != nil {
			if s.stopped() {
				return
			}
			var ne net.Error
			if errors.As(err, &ne) && ne.Timeout() {
				continue
			}
			if errors.Is(err, net.ErrClosed) {
				return
			}
			continue // e.g. ICMP port unreachable surfacing on some systems
		}
		ua, _ := from.(*net.UDPAddr)
		if rtcpSocket || isRTCP(buf[:n]) {
			s.handleRTCP(buf[:n], ua, rtcpSocket)
			continue
		}
		if ev, ok := s.handleRTP(buf[:n], ua, pcm); ok && s.cfg.OnDTMF != nil {
			s.cfg.OnDTMF(ev)
		}
	}
}

func (s *Session) stopped() bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return !s.running
}

func maxPacketSamples(c JitterConfig) int {
	if c.MaxPacketSamples > 0 {
		return c.MaxPacketSamples
	}
	return 960
}

// tickLoop runs once per ptime: send one frame (or DTMF event), play one frame, RTCP when due.
func (s *Session) tickLoop(stop chan struct{}) {
	defer s.wg.Done()
	s.mu.Lock()
	period := time.Duration(s.frame) * time.Second / SampleRate
	s.mu.Unlock()
	t := time.NewTicker(period)
	defer t.Stop()
	frame := make([]int16, 960)
	play := make([]int16, 960)
	payload := make([]byte, 12+960)
	packet := make([]byte, 1500)
	for {
		select {
		case <-stop:
			return
		case <-t.C:
		}
		s.mu.Lock()
		if p := time.Duration(s.frame) * time.Second / SampleRate; p != period {
			period = p
			t.Reset(period)
		}
		s.sendFrameLocked(frame[:s.frame], payload, packet)
		sink := s.sink
		out := play[:s.frame]
		s.playFrameLocked(out)
		if s.now()-s.lastRTCP >= s.cfg.RTCPInterval {
			s.sendRTCPLocked(false)
		}
		s.mu.Unlock()
		if sink != nil {
			_ = sink.WritePCM(out)
		}
	}
}

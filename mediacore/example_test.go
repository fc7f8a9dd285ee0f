package mediacore_test

import (
	"fmt"
	"net"
	"time"

	"github.com/opensoftphone/webphone/mediacore"
)

// Two sessions on loopback sockets: A offers, B answers, A sends a 1 kHz tone and a digit.
func ExampleNewSession() {
	connA, _ := net.ListenPacket("udp4", "127.0.0.1:0")
	connB, _ := net.ListenPacket("udp4", "127.0.0.1:0")
	defer connA.Close()
	defer connB.Close()

	digits := make(chan rune, 4)
	heard := &mediacore.PCMRecorder{}
	a, err := mediacore.NewSession(mediacore.SessionConfig{
		Conn:   connA,
		Source: mediacore.NewTone(mediacore.SineTone(1000, 0.3)),
	})
	if err != nil {
		panic(err)
	}
	b, err := mediacore.NewSession(mediacore.SessionConfig{
		Conn:   connB,
		Sink:   heard,
		OnDTMF: func(ev mediacore.DTMFEvent) { digits <- ev.Digit },
	})
	if err != nil {
		panic(err)
	}

	offer, _ := a.LocalOffer(mediacore.SendRecv)
	answer, err := b.ApplyOffer(offer, mediacore.SendRecv)
	if mediacore.IsNotAcceptable(err) {
		fmt.Println("488")
		return
	}
	_ = a.ApplyAnswer(answer)
	_ = a.Start()
	_ = b.Start()
	defer a.Stop()
	defer b.Stop()

	_ = a.SendDTMF("5", 100)
	select {
	case d := <-digits:
		fmt.Printf("digit %c\n", d)
	case <-time.After(5 * time.Second):
		fmt.Println("no digit")
	}

	for deadline := time.Now().Add(5 * time.Second); heard.Len() < 8000 && time.Now().Before(deadline); {
		time.Sleep(20 * time.Millisecond) // wait for a second of audio at B
	}
	pcm := heard.Samples()
	f, _ := mediacore.StrongestTone(pcm[len(pcm)-1600:], []float64{440, 1000})
	fmt.Printf("B hears %v Hz\n", f)
	// Output:
	// digit 5
	// B hears 1000 Hz
}

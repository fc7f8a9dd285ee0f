// Package infra starts and stops real servers (Kamailio, rtpengine, baresip,
// linphone, coturn) for end-to-end tests, and offers WAV helpers to check the audio they carry.
//
// Every server runs on 127.0.0.1 with ports chosen at run time, in its own
// t.TempDir(), in its own process group led by a small watchdog shell, and
// is stopped by the test that started it (t.Cleanup kills the group by its
// id; the watchdog also kills it if the test binary dies first). A missing
// binary fails the test with t.Fatal; scripts/install-deps.sh installs them.
//
// Typical use:
//
//	r := infra.StartRtpengine(t)
//	k := infra.StartKamailio(t, infra.KamailioOptions{
//		Users:       map[string]string{"alice": "alicepw", "web": "webpw"},
//		RtpengineNG: r.NGAddr,
//	})
//	_ = infra.WriteToneWAV(wav, 440, 30, 8000)
//	alice := infra.StartBaresip(t, infra.BaresipOptions{
//		User: "alice", Password: "alicepw", Registrar: k.UDPAddr,
//		AudioWAV: wav, AutoAnswer: true,
//	})
//	// a WebSocket client registers as sip:web@127.0.0.1 at k.WSURL and
//	// calls "sip:alice@127.0.0.1"; then:
//	ev, err := alice.WaitEvent("CALL_ESTABLISHED", 10*time.Second)
//	...
//	infra.HasTone(alice.ReceivedWAVs()[0], 1000)
//
// Kamailio is the SIP domain "127.0.0.1" (any port on that address is this
// server): it challenges REGISTER with 401 and out-of-dialog requests with
// 407, answers a wrong password with 403, answers OPTIONS to itself with 200,
// records routes (double for WebSocket<->UDP), reaches WebSocket clients
// through their own connection (RFC 7118 .invalid contacts via aliases), and
// with rtpengine gives WebSocket hops WebRTC media (ICE, DTLS passive,
// UDP/TLS/RTP/SAVPF, rtcp-mux, mid) and UDP hops plain RTP/AVP. A client
// that reconnects replaces its binding (same +sip.instance and reg-id) and
// moves its dialogs to the new connection with a re-INVITE or UPDATE (the
// new Contact's alias); see route[NATDETECT] in deploy/kamailio/kamailio.cfg.tmpl.
//
// To test what a page does when its connection drops, put a Relay between
// the page and Kamailio's WebSocket port (StartRelay(t, k.WSAddr), the page
// uses relay.URL): Cut resets every connection it carries, Refuse turns new
// connections away until Accept. Kamailio.Restart restarts the server on
// the same ports (registrations are lost, as with a real restart).
//
// StartLinphone runs linphonec (Debian linphone-cli) headless as a second
// kind of far end: registered to Kamailio over UDP, G.711 only, playing a
// tone file and recording what it receives (HearsTone, ReceivedWAV), driven
// by console commands (Call, Answer, Terminate, Command) with its console
// output as events (WaitOutput). Unlike baresip 1.0 it sends and honours
// Replaces (attended transfer). StartTurn runs coturn's turnserver on
// 127.0.0.1 with one long-term user (Turn.User, Turn.Password) for calls
// whose media must go through a TURN relay.
package infra

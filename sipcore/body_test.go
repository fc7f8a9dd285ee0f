package sipcore

import (
	"errors"
	"testing"
	"time"

	"github.com/emiago/sipgo/sip"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

const xmlBody = "<audio>\r\n <pcmu port=\"443\"/>\r\n</audio>\r\n"

// multipartSDP wraps sdp in a multipart body of the given subtype, after a
// text part; it returns the Content-Type and the body.
func multipartSDP(subtype, sdp string) (string, string) {
	body := "--b0undary\r\nContent-Type: text/plain\r\n\r\nHello\r\n" +
		"--b0undary\r\nContent-Type: application/sdp\r\n\r\n" + sdp + "\r\n--b0undary--\r\n"
	return "multipart/" + subtype + ";boundary=b0undary", body
}

// bodyKinds are the bodies every message kind is tried with.
var bodyKinds = []struct {
	name, contentType, body string
	sdp                     string // what sdpOf must yield
	usable                  bool
}{
	{"sdp", "application/sdp", sdpOffer, sdpOffer, true},
	{"mixed", "", "", sdpOffer, true},       // filled in init
	{"alternative", "", "", sdpOffer, true}, // filled in init
	{"none", "", "", "", true},
	{"xml", "application/unknownformat", xmlBody, "", false},
	{"multipart without SDP", "multipart/mixed;boundary=x", "--x\r\nContent-Type: text/plain\r\n\r\nhi\r\n--x--\r\n", "", false},
}

func init() {
	bodyKinds[1].contentType, bodyKinds[1].body = multipartSDP("mixed", sdpOffer)
	bodyKinds[2].contentType, bodyKinds[2].body = multipartSDP("alternative", sdpOffer)
}

// typedHeaders is the Content-Type line for farRequest's extra headers.
func typedHeaders(contentType string) string {
	if contentType == "" {
		return ""
	}
	return "Content-Type: " + contentType + "\r\n"
}

// respondTyped answers req like peer.respond, with any Content-Type.
func (p *peer) respondTyped(req *sip.Request, code int, reason, toTag, contentType, body string, hdrs ...sip.Header) {
	res := sip.NewResponseFromRequest(req, code, reason, []byte(body))
	if toTag != "" {
		res.To().Params.Add("tag", toTag)
	}
	for _, h := range hdrs {
		res.AppendHeader(h)
	}
	if contentType != "" {
		ct := sip.ContentTypeHeader(contentType)
		res.AppendHeader(&ct)
	}
	p.inject(res.String())
}

func TestSdpOfReadsTheBodyByContentType(t *testing.T) {
	for _, k := range bodyKinds {
		t.Run(k.name, func(t *testing.T) {
			req := sip.NewRequest(sip.INVITE, sip.Uri{Scheme: "sip", User: "a", Host: "b"})
			if k.contentType != "" {
				ct := sip.ContentTypeHeader(k.contentType)
				req.AppendHeader(&ct)
			}
			req.SetBody([]byte(k.body))
			sdp, err := sdpOf(req)
			if !k.usable {
				assert.ErrorIs(t, err, errNotSDP)
				return
			}
			require.NoError(t, err)
			assert.Equal(t, k.sdp, string(sdp))
		})
	}
	for name, c := range map[string]struct{ ct, body, want string }{
		"parameters and case":   {"Application/SDP; charset=utf-8", sdpOffer, sdpOffer},
		"trailing semicolon":    {"application/sdp;", sdpOffer, sdpOffer},
		"bad parameter":         {"application/sdp; =x", sdpOffer, sdpOffer},
		"no type, looks SDP":    {"", sdpOffer, sdpOffer},
		"no type, not SDP":      {"", xmlBody, ""},
		"bad boundary":          {"multipart/mixed;boundary=zz", "--x\r\nContent-Type: application/sdp\r\n\r\n" + sdpOffer + "\r\n--x--\r\n", ""},
		"no boundary":           {"multipart/mixed", "x", ""},
		"unparsable type":       {"application/", sdpOffer, ""},
		"nested multipart":      {"multipart/mixed;boundary=outer", "--outer\r\nContent-Type: multipart/alternative;boundary=inner\r\n\r\n--inner\r\nContent-Type: application/sdp\r\n\r\n" + sdpOffer + "\r\n--inner--\r\n\r\n--outer--\r\n", sdpOffer},
		"multipart/signed only": {"multipart/signed;boundary=x", "--x\r\nContent-Type: application/sdp\r\n\r\n" + sdpOffer + "\r\n--x--\r\n", ""},
	} {
		t.Run(name, func(t *testing.T) {
			req := sip.NewRequest(sip.INVITE, sip.Uri{Scheme: "sip", User: "a", Host: "b"})
			if c.ct != "" {
				ct := sip.ContentTypeHeader(c.ct)
				req.AppendHeader(&ct)
			}
			req.SetBody([]byte(c.body))
			sdp, err := sdpOf(req)
			if c.want == "" {
				assert.ErrorIs(t, err, errNotSDP)
				return
			}
			require.NoError(t, err)
			assert.Equal(t, c.want, string(sdp))
		})
	}
}

func TestIncomingInviteBodyByContentType(t *testing.T) {
	for _, k := range bodyKinds {
		t.Run(k.name, func(t *testing.T) {
			_, p := newTestUA(t, nil)
			p.inject(farRequest("INVITE", "inv-"+k.name, "bobtag", "", 1, typedHeaders(k.contentType), k.body))
			if !k.usable {
				res := p.expectResponse(415)
				assert.Equal(t, "application/sdp", headerValue(res, "Accept"))
				select {
				case <-p.ev.incoming:
					t.Fatal("an INVITE without usable SDP rang")
				default: // Incoming runs before any answer to the INVITE
				}
				p.inject(farRequest("OPTIONS", "after-"+k.name, "t", "", 1, "", ""))
				p.expectResponse(200)
				return
			}
			c := <-p.ev.incoming
			p.expectResponse(180)
			assert.Equal(t, k.sdp, string(c.RemoteSDP()), "the application sees the SDP part")
			require.NoError(t, c.Reject(486))
			p.expectResponse(486)
		})
	}
}

func TestInviteWhoseAcceptExcludesSDPGets406(t *testing.T) {
	_, p := newTestUA(t, nil)
	p.inject(farRequest("INVITE", "sdp01", "bobtag", "", 1, "Accept: text/nobodyKnowsThis\r\nContent-Type: application/sdp\r\n", sdpOffer))
	p.expectResponse(406)
	select {
	case <-p.ev.incoming:
		t.Fatal("rang although the caller accepts no SDP answer")
	default:
	}
}

// incomingAnswered returns a ringing incoming call answered 200 (not yet ACKed).
func incomingAnswered(t *testing.T, p *peer, callID, contentType, body string) (*Call, string) {
	t.Helper()
	p.inject(farRequest("INVITE", callID, "bobtag", "", 1, typedHeaders(contentType), body))
	c := <-p.ev.incoming
	p.expectResponse(180)
	require.NoError(t, c.Accept([]byte(sdpAnswer)))
	ok := p.expectResponse(200)
	tag, _ := ok.To().Params.Get("tag")
	return c, tag
}

func TestAckBodyByContentType(t *testing.T) {
	for _, k := range bodyKinds {
		t.Run("offerless INVITE, ACK "+k.name, func(t *testing.T) {
			_, p := newTestUA(t, nil)
			c, tag := incomingAnswered(t, p, "ack-"+k.name, "", "")
			p.inject(farRequest("ACK", c.CallID(), "bobtag", tag, 1, typedHeaders(k.contentType), k.body))
			if k.usable && k.sdp != "" {
				assert.Equal(t, k.sdp, string(<-p.ev.sdp))
				assert.Equal(t, CallConnected, c.State())
				return
			}
			// our 2xx carried the offer: no answer in the ACK ends the call
			bye := p.expect(sip.BYE)
			assert.Equal(t, c.CallID(), bye.CallID().Value())
			p.ev.waitState(t, "disconnected|no SDP answer in ACK")
		})
	}
	t.Run("ACK with a body that is not SDP after an offer", func(t *testing.T) {
		_, p := newTestUA(t, nil)
		c, tag := incomingAnswered(t, p, "ack-xml", "application/sdp", sdpOffer)
		p.inject(farRequest("ACK", c.CallID(), "bobtag", tag, 1, typedHeaders("application/unknownformat"), xmlBody))
		// the ACK is taken (no retransmission, no BYE) and its body ignored
		p.inject(farRequest("OPTIONS", "probe", "t", "", 1, "", ""))
		p.expectResponse(200)
		assert.Equal(t, sdpOffer, string(c.RemoteSDP()))
		assert.Equal(t, CallConnected, c.State())
	})
}

func TestPeerReInviteAndUpdateBodyByContentType(t *testing.T) {
	for _, method := range []string{"INVITE", "UPDATE"} {
		for _, k := range bodyKinds {
			if k.name == "none" {
				continue // an offerless re-INVITE/UPDATE is covered elsewhere
			}
			t.Run(method+" "+k.name, func(t *testing.T) {
				ua, p := newTestUA(t, nil)
				offers := make(chan string, 1)
				ua.ev.Offer = func(c *Call, sdp []byte) ([]byte, error) {
					offers <- string(sdp)
					return []byte(sdpAnswer), nil
				}
				c, _ := establishOutgoing(t, ua, p)
				p.inject(farRequest(method, c.CallID(), "bobtag", c.localTag, 5, typedHeaders(k.contentType), k.body))
				if !k.usable {
					res := p.expectResponse(415)
					assert.Equal(t, "application/sdp", headerValue(res, "Accept"))
					assert.Empty(t, offers, "Offer must not see a body that is not SDP")
					assert.Equal(t, sdpAnswer, string(c.RemoteSDP()))
					return
				}
				p.expectResponse(200)
				assert.Equal(t, k.sdp, <-offers)
				assert.Equal(t, k.sdp, string(c.RemoteSDP()))
			})
		}
	}
}

func TestProvisionalBodyByContentType(t *testing.T) {
	for _, k := range bodyKinds {
		t.Run(k.name, func(t *testing.T) {
			ua, p := newTestUA(t, nil)
			c, err := ua.Call("1002", []byte(sdpOffer))
			require.NoError(t, err)
			inv := p.expect(sip.INVITE)
			p.respondTyped(inv, 183, "Session Progress", "bobtag", k.contentType, k.body)
			p.ev.waitState(t, "ringing|183 Session Progress")
			if k.usable && k.sdp != "" {
				assert.Equal(t, k.sdp, string(<-p.ev.sdp))
			} else {
				select {
				case sdp := <-p.ev.sdp:
					t.Fatalf("a 183 without usable SDP delivered %q", sdp)
				default: // RemoteSDP runs before the ringing state
				}
				assert.Nil(t, c.RemoteSDP())
			}
			p.respond(inv, 200, "OK", "bobtag", []byte(sdpAnswer), sip.NewHeader("Contact", "<sip:1002@bob.invalid>"))
			p.expect(sip.ACK)
			p.ev.waitState(t, "connected|")
		})
	}
}

func TestFinalBodyByContentType(t *testing.T) {
	for _, k := range bodyKinds {
		t.Run(k.name, func(t *testing.T) {
			ua, p := newTestUA(t, nil)
			c, err := ua.Call("1002", []byte(sdpOffer))
			require.NoError(t, err)
			inv := p.expect(sip.INVITE)
			p.respondTyped(inv, 200, "OK", "bobtag", k.contentType, k.body, sip.NewHeader("Contact", "<sip:1002@bob.invalid>"))
			p.expect(sip.ACK)
			if k.usable && k.sdp != "" {
				assert.Equal(t, k.sdp, string(<-p.ev.sdp))
				p.ev.waitState(t, "connected|")
				return
			}
			// our offer went unanswered: ACK, then BYE
			bye := p.expect(sip.BYE)
			assert.Equal(t, c.CallID(), bye.CallID().Value())
			p.ev.waitState(t, "disconnected|no SDP answer in 200 OK")
			assert.NotContains(t, p.ev.statesCopy(), "connected|")
		})
	}
	t.Run("2xx without SDP after an early answer", func(t *testing.T) {
		ua, p := newTestUA(t, nil)
		_, err := ua.Call("1002", []byte(sdpOffer))
		require.NoError(t, err)
		inv := p.expect(sip.INVITE)
		p.respond(inv, 183, "Session Progress", "bobtag", []byte(sdpAnswer))
		assert.Equal(t, sdpAnswer, string(<-p.ev.sdp))
		p.respondTyped(inv, 200, "OK", "bobtag", "application/unknownformat", xmlBody, sip.NewHeader("Contact", "<sip:1002@bob.invalid>"))
		p.expect(sip.ACK)
		p.ev.waitState(t, "connected|")
	})
}

func TestAnswerToOurReInviteAndUpdateByContentType(t *testing.T) {
	for _, method := range []string{"INVITE", "UPDATE"} {
		for _, k := range bodyKinds {
			t.Run(method+" "+k.name, func(t *testing.T) {
				ua, p := newTestUA(t, nil)
				c, _ := establishOutgoing(t, ua, p)
				type result struct {
					answer []byte
					err    error
				}
				done := make(chan result, 1)
				go func() {
					var r result
					if method == "INVITE" {
						r.answer, r.err = c.Renegotiate([]byte(sdpHold))
					} else {
						r.answer, r.err = c.Update([]byte(sdpHold))
					}
					done <- r
				}()
				req := p.expect(sip.RequestMethod(method))
				p.respondTyped(req, 200, "OK", "", k.contentType, k.body, sip.NewHeader("Contact", "<sip:1002@bob.invalid>"))
				if method == "INVITE" {
					p.expect(sip.ACK) // a 2xx is always ACKed
				}
				var r result
				select {
				case r = <-done:
				case <-time.After(5 * time.Second):
					t.Fatal("no result")
				}
				if k.usable && k.sdp != "" {
					require.NoError(t, r.err)
					assert.Equal(t, k.sdp, string(r.answer))
					assert.Equal(t, k.sdp, string(c.RemoteSDP()))
					return
				}
				assert.True(t, errors.Is(r.err, ErrNoAnswer), "got %v", r.err)
				assert.Equal(t, sdpAnswer, string(c.RemoteSDP()), "the old answer stands")
				assert.Equal(t, CallConnected, c.State())
			})
		}
	}
}

// statesCopy returns the call states recorded so far.
func (r *recorder) statesCopy() []string {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]string(nil), r.states...)
}

// FuzzSdpOf: any Content-Type and body yields SDP or errNotSDP, never a panic.
func FuzzSdpOf(f *testing.F) {
	for _, k := range bodyKinds {
		f.Add(k.contentType, []byte(k.body))
	}
	f.Fuzz(func(t *testing.T, contentType string, body []byte) {
		req := sip.NewRequest(sip.INVITE, sip.Uri{Scheme: "sip", User: "a", Host: "b"})
		if contentType != "" {
			ct := sip.ContentTypeHeader(contentType)
			req.AppendHeader(&ct)
		}
		req.SetBody(body)
		sdp, err := sdpOf(req)
		if err != nil && !errors.Is(err, errNotSDP) {
			t.Fatalf("unexpected error %v", err)
		}
		if err == nil && len(sdp) > len(body) {
			t.Fatalf("SDP longer than the body")
		}
	})
}

package sipcore

import (
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"strings"

	"github.com/emiago/sipgo/sip"
)

// allowedMethods is what the UA answers in Allow headers.
const allowedMethods = "INVITE, ACK, CANCEL, BYE, OPTIONS, INFO, MESSAGE, NOTIFY, REFER, UPDATE, SUBSCRIBE, PRACK"

// prepareRequest adds the headers every request leaving the UA carries: a
// fresh Via (RFC 7118 host, rport), Max-Forwards, User-Agent, the
// configured extra headers and Content-Length.
func (ua *UA) prepareRequest(req *sip.Request) {
	if req.Via() == nil {
		req.PrependHeader(ua.newVia())
	}
	if req.MaxForwards() == nil {
		mf := sip.MaxForwardsHeader(70)
		req.AppendHeader(&mf)
	}
	if req.GetHeader("User-Agent") == nil && ua.cfg.UserAgent != "" {
		req.AppendHeader(sip.NewHeader("User-Agent", ua.cfg.UserAgent))
	}
	ua.mu.Lock()
	extra := ua.extra
	ua.mu.Unlock()
	addHeaders(req, extra)
	if req.ContentLength() == nil {
		cl := sip.ContentLengthHeader(len(req.Body()))
		req.AppendHeader(&cl)
	}
	if tr := ua.currentTransport(); tr != nil {
		req.SetTransport(tr.Protocol())
	}
}

// addHeaders appends headers the request does not have yet.
func addHeaders(req *sip.Request, hdrs []Header) {
	for _, h := range hdrs {
		if h.Name == "" || req.GetHeader(h.Name) != nil {
			continue
		}
		req.AppendHeader(sip.NewHeader(h.Name, h.Value))
	}
}

// SetExtraHeaders replaces the headers added to every request from now on
// (initially Config.ExtraHeaders). A header that CheckHeader refuses is
// not taken: the error names it and the previous headers stay.
func (ua *UA) SetExtraHeaders(hdrs []Header) error {
	for _, h := range hdrs {
		if err := CheckHeader(h); err != nil {
			return err
		}
	}
	ua.mu.Lock()
	ua.extra = append([]Header(nil), hdrs...)
	ua.mu.Unlock()
	return nil
}

func (ua *UA) newVia() *sip.ViaHeader {
	proto, host := "WS", "localhost.invalid"
	if tr := ua.currentTransport(); tr != nil {
		proto, host = tr.Protocol(), tr.LocalHost()
	}
	h, port := splitHostPort(host)
	via := &sip.ViaHeader{
		ProtocolName:    "SIP",
		ProtocolVersion: "2.0",
		Transport:       proto,
		Host:            h,
		Port:            port,
		Params:          sip.NewParams(),
	}
	via.Params.Add("branch", sip.GenerateBranch())
	via.Params.Add("rport", "")
	return via
}

// localHost is the host[:port] the current flow advertises.
func (ua *UA) localHost() string {
	if tr := ua.currentTransport(); tr != nil {
		return tr.LocalHost()
	}
	return "localhost.invalid"
}

// transportParam is the Contact transport parameter for the current flow.
func (ua *UA) transportParam() string {
	if tr := ua.currentTransport(); tr != nil {
		return strings.ToLower(tr.Protocol())
	}
	return "ws"
}

// contactURI is this UA's Contact URI on the current flow (RFC 7118: the
// .invalid host, transport=ws, ob for an outbound flow).
func (ua *UA) contactURI() sip.Uri {
	h, port := splitHostPort(ua.localHost())
	u := sip.Uri{Scheme: "sip", User: EscapeUser(ua.contactUser()), Host: h, Port: port, UriParams: sip.NewParams()}
	u.UriParams.Add("transport", ua.transportParam())
	if isWebSocket(ua.transportParam()) {
		u.UriParams.Add("ob", "")
	}
	return u
}

func (ua *UA) contactUser() string {
	if ua.cfg.Username != "" {
		return ua.cfg.Username
	}
	return "anonymous"
}

// contactHeader builds the Contact header used in dialogs. It carries no
// display name (From and To do): Contact is a list header, and parsers
// (sipgo's among them) split it on a comma inside an escaped quoted name.
func (ua *UA) contactHeader() *sip.ContactHeader {
	c := &sip.ContactHeader{Address: ua.contactURI(), Params: sip.NewParams()}
	c.Params.Add("+sip.instance", `"<`+ua.cfg.InstanceID+`>"`)
	return c
}

// aor is the account's address of record.
func (ua *UA) aor() sip.Uri {
	h, port := splitHostPort(ua.cfg.Domain)
	return sip.Uri{Scheme: "sip", User: EscapeUser(ua.cfg.Username), Host: h, Port: port}
}

// displayName is the configured display name in quoted-string form, as
// sipgo's DisplayName fields hold it (sipgo writes them as they are).
func (ua *UA) displayName() string { return EscapeDisplayName(ua.cfg.DisplayName) }

// fromHeader builds From with the AOR, display name and a new tag.
func (ua *UA) fromHeader(tag string) *sip.FromHeader {
	f := &sip.FromHeader{DisplayName: ua.displayName(), Address: ua.aor(), Params: sip.NewParams()}
	f.Params.Add("tag", tag)
	return f
}

// addOutboundRoute adds the configured outbound proxy as a Route.
func (ua *UA) addOutboundRoute(req *sip.Request) {
	if ua.cfg.OutboundProxy == "" {
		return
	}
	var u sip.Uri
	p := ua.cfg.OutboundProxy
	if !strings.Contains(p, ":") || (!strings.HasPrefix(p, "sip:") && !strings.HasPrefix(p, "sips:")) {
		p = "sip:" + p
	}
	if err := sip.ParseUri(p, &u); err != nil {
		ua.log.Warn("bad outbound proxy", "proxy", ua.cfg.OutboundProxy, "err", err)
		return
	}
	if u.UriParams == nil {
		u.UriParams = sip.NewParams()
	}
	if _, ok := u.UriParams.Get("lr"); !ok {
		u.UriParams.Add("lr", "")
	}
	req.AppendHeader(&sip.RouteHeader{Address: u})
}

// ParseTarget turns what a user dials ("1001", "bob@example.com",
// "sip:bob@example.com;transport=ws") into a SIP URI in the account's domain.
func (ua *UA) ParseTarget(target string) (sip.Uri, error) {
	t := strings.TrimSpace(target)
	if t == "" {
		return sip.Uri{}, fmt.Errorf("empty target")
	}
	if len(t) > MaxURILen {
		return sip.Uri{}, fmt.Errorf("bad target: %w", invalid("longer than %d characters", MaxURILen))
	}
	if err := CheckText(t); err != nil {
		return sip.Uri{}, fmt.Errorf("bad target: %w", err)
	}
	if i := strings.Index(t, "<"); i >= 0 {
		if j := strings.Index(t[i:], ">"); j > 0 {
			t = t[i+1 : i+j]
		}
	}
	lower := strings.ToLower(t)
	if !strings.HasPrefix(lower, "sip:") && !strings.HasPrefix(lower, "sips:") && !strings.HasPrefix(lower, "tel:") {
		if !strings.Contains(t, "@") {
			t = t + "@" + ua.cfg.Domain
		}
		t = "sip:" + t
	}
	var u sip.Uri
	if err := sip.ParseUri(t, &u); err != nil {
		return sip.Uri{}, fmt.Errorf("bad target %q: %w", target, err)
	}
	if u.Host == "" {
		return sip.Uri{}, fmt.Errorf("bad target %q: no host", target)
	}
	if err := CheckURIText(u.String()); err != nil {
		return sip.Uri{}, fmt.Errorf("bad target %q: %w", target, err)
	}
	return u, nil
}

func splitHostPort(hp string) (string, int) {
	if hp == "" {
		return "", 0
	}
	if strings.HasPrefix(hp, "[") {
		if i := strings.Index(hp, "]"); i > 0 {
			host := hp[:i+1]
			rest := hp[i+1:]
			if strings.HasPrefix(rest, ":") {
				return host, atoiSafe(rest[1:])
			}
			return host, 0
		}
	}
	if i := strings.LastIndex(hp, ":"); i >= 0 && strings.Count(hp, ":") == 1 {
		return hp[:i], atoiSafe(hp[i+1:])
	}
	return hp, 0
}

func atoiSafe(s string) int {
	n := 0
	for _, c := range s {
		if c < '0' || c > '9' || n > 65535 {
			return 0
		}
		n = n*10 + int(c-'0')
	}
	return n
}

func isWebSocket(transport string) bool {
	t := strings.ToLower(transport)
	return t == "ws" || t == "wss"
}

func randomHex(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}

func newUUID() string {
	b := make([]byte, 16)
	_, _ = rand.Read(b)
	b[6] = (b[6] & 0x0f) | 0x40
	b[8] = (b[8] & 0x3f) | 0x80
	h := hex.EncodeToString(b)
	return h[0:8] + "-" + h[8:12] + "-" + h[12:16] + "-" + h[16:20] + "-" + h[20:]
}

// newCallID returns a random Call-ID.
func newCallID() string { return randomHex(12) }

// newTag returns a random From/To tag.
func newTag() string { return randomHex(5) }

package sipcore

import (
	"bytes"
	"errors"
	"io"
	"mime"
	"mime/multipart"
	"strings"

	"github.com/emiago/sipgo/sip"
)

// errNotSDP marks a message body that carries no usable SDP: a Content-Type
// other than application/sdp, or a multipart body without an SDP part.
var errNotSDP = errors.New("sipcore: body carries no application/sdp")

// maxMultipartDepth bounds how far nested multipart bodies are searched.
const maxMultipartDepth = 3

// sdpOf returns the SDP a message carries, read by its Content-Type:
// application/sdp is the body itself; multipart/mixed or
// multipart/alternative yield their first application/sdp part; no body
// yields nil. Any other body is errNotSDP (a request then gets 415). A body
// without Content-Type is taken as SDP only if it starts like one ("v=").
func sdpOf(msg sip.Message) ([]byte, error) {
	body := msg.Body()
	if len(body) == 0 {
		return nil, nil
	}
	ct := headerValue(msg, "Content-Type")
	if ct == "" {
		if bytes.HasPrefix(body, []byte("v=")) {
			return body, nil
		}
		return nil, errNotSDP
	}
	return sdpIn(ct, body, 0)
}

func sdpIn(contentType string, body []byte, depth int) ([]byte, error) {
	mediaType, params, err := mime.ParseMediaType(contentType)
	if err != nil && !errors.Is(err, mime.ErrInvalidMediaParameter) {
		return nil, errNotSDP // a bad parameter still leaves the type known
	}
	switch mediaType {
	case "application/sdp":
		return body, nil
	case "multipart/mixed", "multipart/alternative":
		if depth >= maxMultipartDepth || params["boundary"] == "" {
			return nil, errNotSDP
		}
		mr := multipart.NewReader(bytes.NewReader(body), params["boundary"])
		for {
			part, err := mr.NextPart() // undoes quoted-printable
			if err != nil {
				return nil, errNotSDP // io.EOF: no SDP part; else malformed
			}
			partType := part.Header.Get("Content-Type")
			if partType == "" {
				partType = "text/plain" // RFC 2046 5.1 default
			}
			data, err := io.ReadAll(part)
			if err != nil {
				return nil, errNotSDP
			}
			if sdp, err := sdpIn(partType, data, depth+1); err == nil && len(sdp) > 0 {
				return sdp, nil
			}
		}
	}
	return nil, errNotSDP
}

// acceptsSDP tells whether a request's Accept header (if any) allows an
// application/sdp body in the answer.
func acceptsSDP(req *sip.Request) bool {
	hs := req.GetHeaders("Accept")
	if len(hs) == 0 {
		return true
	}
	for _, h := range hs {
		for _, v := range strings.Split(h.Value(), ",") {
			mt, _, err := mime.ParseMediaType(strings.TrimSpace(v))
			if err != nil {
				continue
			}
			switch mt {
			case "application/sdp", "application/*", "*/*":
				return true
			}
		}
	}
	return false
}

// replyNotSDP refuses a request whose body is not SDP: 415 with Accept.
func (ua *UA) replyNotSDP(tx *sip.ServerTx, req *sip.Request) {
	ua.reply(tx, req, 415, "Unsupported Media Type", sip.NewHeader("Accept", "application/sdp"))
}

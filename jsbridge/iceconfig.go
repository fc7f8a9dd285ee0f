package jsbridge

import (
	"errors"
	"strconv"
	"strings"
)

// ICEServer is one RTCIceServer.
type ICEServer struct {
	URLs       []string
	Username   string
	Credential string
}

// ICEParams are the Mizu parameters that choose STUN and TURN servers.
type ICEParams struct {
	STUN           string // stunserveraddress: "host:port" or "stun:host:port"; "" or "NULL" = none
	TURN           string // turnserveraddress: "host:port" or "turn(s):host:port"
	TURNParameters string // turnparameters: extra URI parameters, e.g. "transport=tcp"
	TURNUsername   string
	TURNPassword   string
	// ICE is the "ice" parameter: a JavaScript array literal of
	// RTCIceServer objects ({url|urls, username, credential}). When set it
	// replaces STUN and TURN.
	ICE string
}

// ICEServers builds the RTCPeerConnection iceServers list. A malformed ice
// parameter is an error (the caller may fall back to the STUN/TURN fields).
func (p ICEParams) ICEServers() ([]ICEServer, error) {
	if s := strings.TrimSpace(p.ICE); s != "" && !strings.EqualFold(s, "NULL") {
		return parseICEList(s)
	}
	var out []ICEServer
	if u := iceURL(p.STUN, "stun"); u != "" {
		out = append(out, ICEServer{URLs: []string{u}})
	}
	if u := iceURL(p.TURN, "turn"); u != "" {
		if tp := strings.TrimLeft(strings.TrimSpace(p.TURNParameters), "?"); tp != "" && !strings.Contains(u, "?") {
			u += "?" + tp
		}
		out = append(out, ICEServer{URLs: []string{u}, Username: p.TURNUsername, Credential: p.TURNPassword})
	}
	return out, nil
}

// ICETransportPolicy reads the iceTransportPolicy parameter, passed through
// to the RTCPeerConnection configuration (mizu_params.md): "relay" gathers
// and uses TURN relay candidates only (no host or server-reflexive ones:
// media goes through the TURN server or nowhere), "all" is the browser's
// default. Anything else gives "" (not set).
func ICETransportPolicy(v string) string {
	switch p := strings.ToLower(strings.TrimSpace(v)); p {
	case "relay", "all":
		return p
	}
	return ""
}

// iceURL adds the scheme to a bare host:port; "NULL" and "" give "".
func iceURL(addr, scheme string) string {
	a := strings.TrimSpace(addr)
	if a == "" || strings.EqualFold(a, "NULL") {
		return ""
	}
	l := strings.ToLower(a)
	if strings.HasPrefix(l, "stun:") || strings.HasPrefix(l, "stuns:") ||
		strings.HasPrefix(l, "turn:") || strings.HasPrefix(l, "turns:") {
		return a
	}
	return scheme + ":" + a
}

// parseICEList reads the lenient JavaScript literal Mizu configs use:
// unquoted keys, single or double quotes, "url" or "urls"; one object
// alone is a list of one.
func parseICEList(s string) ([]ICEServer, error) {
	v, err := parseJSLiteral(s)
	if err != nil {
		return nil, errors.New("ice parameter: not a list of ICE servers: " + err.Error())
	}
	list, ok := v.([]any)
	if m, one := v.(map[string]any); one {
		list, ok = []any{m}, true
	}
	if !ok {
		return nil, errors.New("ice parameter: not a list of ICE servers")
	}
	var out []ICEServer
	for i, e := range list {
		m, ok := e.(map[string]any)
		if !ok {
			return nil, errors.New("ice parameter: entry " + strconv.Itoa(i) + " is not an object")
		}
		var srv ICEServer
		for _, key := range []string{"urls", "url"} {
			switch v := m[key].(type) {
			case string:
				srv.URLs = append(srv.URLs, v)
			case []any:
				for _, e := range v {
					if s, ok := e.(string); ok {
						srv.URLs = append(srv.URLs, s)
					}
				}
			}
		}
		if len(srv.URLs) == 0 {
			return nil, errors.New("ice parameter: entry " + strconv.Itoa(i) + " has no url")
		}
		srv.Username, _ = m["username"].(string)
		srv.Credential, _ = m["credential"].(string)
		out = append(out, srv)
	}
	return out, nil
}

package eventbody

import (
	"bytes"
	"strconv"
	"strings"
)

// DialogInfo is a dialog-info document (RFC 4235): the dialogs of one
// entity.
type DialogInfo struct {
	Entity  string
	Full    bool // state="full": the list is complete; else a partial update
	Version int
	Dialogs []Dialog
}

// Dialog is one dialog of a dialog-info document.
type Dialog struct {
	ID         string
	CallID     string
	Direction  string // "initiator", "recipient" or ""
	State      string // "trying", "proceeding", "early", "confirmed", "terminated" (lower case)
	Remote     string // the peer's identity URI, when the server says it
	RemoteName string // the peer's display name
}

// ParseDialogInfo reads a dialog-info document (application/dialog-info+xml).
func ParseDialogInfo(body []byte) (DialogInfo, error) {
	if len(body) > MaxBody {
		return DialogInfo{}, ErrTooLarge
	}
	doc, err := parseDocument(body, "dialog-info")
	if err != nil {
		return DialogInfo{}, err
	}
	root := doc.at()
	info := DialogInfo{Entity: strings.TrimSpace(lastAttr(root, "entity")), Full: strings.EqualFold(strings.TrimSpace(lastAttr(root, "state")), "full")}
	info.Version, _ = strconv.Atoi(strings.TrimSpace(lastAttr(root, "version")))
	for _, dd := range doc.children("dialog") {
		identity := dd.at("remote", "identity")
		remote := strings.TrimSpace(lastText(identity))
		if remote == "" {
			remote = strings.TrimSpace(lastAttr(dd.at("remote", "target"), "uri"))
		}
		d := dd.at()
		info.Dialogs = append(info.Dialogs, Dialog{
			ID:         strings.TrimSpace(lastAttr(d, "id")),
			CallID:     strings.TrimSpace(lastAttr(d, "call-id")),
			Direction:  strings.ToLower(strings.TrimSpace(lastAttr(d, "direction"))),
			State:      strings.ToLower(strings.TrimSpace(lastText(dd.at("state")))),
			Remote:     remote,
			RemoteName: strings.TrimSpace(lastAttr(identity, "display")),
		})
	}
	return info, nil
}

// dialogRank orders dialog states for a busy lamp: the busiest wins.
var dialogRank = map[string]int{"terminated": 0, "trying": 1, "proceeding": 2, "early": 3, "confirmed": 4}

// Busiest returns the dialog that decides a busy lamp: confirmed over early
// over proceeding over trying over terminated; ok is false when there is
// none.
func (d DialogInfo) Busiest() (Dialog, bool) {
	best, rank := Dialog{}, -1
	for _, dl := range d.Dialogs {
		r, known := dialogRank[dl.State]
		if !known {
			r = 0
		}
		if r > rank {
			best, rank = dl, r
		}
	}
	return best, rank >= 0
}

// DialogInfoXML builds a full dialog-info document for entity with the
// given dialogs (the demo server's busy lamp state).
func DialogInfoXML(entity string, version int, dialogs []Dialog) []byte {
	var b bytes.Buffer
	b.WriteString(`<?xml version="1.0" encoding="UTF-8"?>` + "\n")
	b.WriteString(`<dialog-info xmlns="urn:ietf:params:xml:ns:dialog-info" version="` + strconv.Itoa(version) + `" state="full" entity="`)
	escape(&b, entity)
	b.WriteString(`">` + "\n")
	for _, d := range dialogs {
		b.WriteString(`<dialog id="`)
		escape(&b, d.ID)
		b.WriteString(`" call-id="`)
		escape(&b, d.CallID)
		b.WriteString(`"`)
		if d.Direction != "" {
			b.WriteString(` direction="`)
			escape(&b, d.Direction)
			b.WriteString(`"`)
		}
		b.WriteString(`><state>`)
		escape(&b, d.State)
		b.WriteString(`</state>`)
		if d.Remote != "" {
			b.WriteString(`<remote><identity`)
			if d.RemoteName != "" {
				b.WriteString(` display="`)
				escape(&b, d.RemoteName)
				b.WriteString(`"`)
			}
			b.WriteString(`>`)
			escape(&b, d.Remote)
			b.WriteString(`</identity></remote>`)
		}
		b.WriteString("</dialog>\n")
	}
	b.WriteString("</dialog-info>\n")
	return b.Bytes()
}

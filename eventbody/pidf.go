package eventbody

import (
	"bytes"
	"encoding/xml"
	"errors"
	"strings"
)

// Presence is what a PIDF document says about one presentity.
type Presence struct {
	Entity     string   // the presentity's URI (entity attribute)
	Open       bool     // some tuple's basic status is "open"
	HasStatus  bool     // some tuple carries a basic status
	Activities []string // RPID activities, lower case ("away", "busy", "on-the-phone", ...)
	Note       string   // the first note (person, tuple or document)
}

// ErrTooLarge is returned for a body over MaxBody.
var ErrTooLarge = errors.New("eventbody: body too large")

// ParsePIDF reads a PIDF document (application/pidf+xml).
func ParsePIDF(body []byte) (Presence, error) {
	if len(body) > MaxBody {
		return Presence{}, ErrTooLarge
	}
	doc, err := parseDocument(body, "presence")
	if err != nil {
		return Presence{}, err
	}
	p := Presence{Entity: strings.TrimSpace(lastAttr(doc.at(), "entity"))}
	for _, t := range doc.children("tuple") {
		switch strings.ToLower(strings.TrimSpace(lastText(t.at("status", "basic")))) {
		case "open":
			p.Open, p.HasStatus = true, true
		case "closed":
			p.HasStatus = true
		}
		p.Note = firstNote(p.Note, t.children("note"))
	}
	for _, per := range doc.children("person") {
		for _, acts := range per.at("activities") {
			for _, a := range acts.kids {
				if n := strings.ToLower(a.name); n != "" && n != "note" {
					p.Activities = append(p.Activities, n)
				}
			}
		}
		p.Note = firstNote(p.Note, per.children("note"))
	}
	p.Note = firstNote(p.Note, doc.children("note"))
	return p, nil
}

// firstNote keeps have, or else is the first non-blank note text.
func firstNote(have string, notes []*element) string {
	if have != "" {
		return have
	}
	for _, n := range notes {
		if t := strings.TrimSpace(string(n.text)); t != "" {
			return t
		}
	}
	return ""
}

// PIDF builds a PIDF document for entity: one tuple with basic open or
// closed, an RPID activity when activity is not empty, and note.
func PIDF(entity string, open bool, activity, note string) []byte {
	var b bytes.Buffer
	b.WriteString(`<?xml version="1.0" encoding="UTF-8"?>` + "\n")
	b.WriteString(`<presence xmlns="urn:ietf:params:xml:ns:pidf" xmlns:dm="urn:ietf:params:xml:ns:pidf:data-model" xmlns:rpid="urn:ietf:params:xml:ns:pidf:rpid" entity="`)
	escape(&b, entity)
	b.WriteString(`">` + "\n")
	basic := "closed"
	if open {
		basic = "open"
	}
	b.WriteString(`<tuple id="t1"><status><basic>` + basic + `</basic></status>`)
	if note != "" {
		b.WriteString(`<note>`)
		escape(&b, note)
		b.WriteString(`</note>`)
	}
	b.WriteString("</tuple>\n")
	if activity != "" || note != "" {
		b.WriteString(`<dm:person id="p1">`)
		if activity != "" {
			b.WriteString(`<rpid:activities><rpid:`)
			escape(&b, activity)
			b.WriteString(`/></rpid:activities>`)
		}
		if note != "" {
			b.WriteString(`<dm:note>`)
			escape(&b, note)
			b.WriteString(`</dm:note>`)
		}
		b.WriteString("</dm:person>\n")
	}
	b.WriteString("</presence>\n")
	return b.Bytes()
}

func escape(b *bytes.Buffer, s string) { _ = xml.EscapeText(b, []byte(s)) }

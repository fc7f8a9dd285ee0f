package eventbody

import (
	"bytes"
	"encoding/xml"
	"errors"
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// The parsers read documents with a small element tree over the tokenizer
// of encoding/xml (see xmltree.go); the reflection decoder they replaced
// (far larger in the wasm) is kept here, with the struct tags of the
// documents, as the reference FuzzTreeMatchesDecoder compares against.

type refPIDF struct {
	XMLName xml.Name `xml:"presence"`
	Entity  string   `xml:"entity,attr"`
	Tuples  []struct {
		Basic string   `xml:"status>basic"`
		Notes []string `xml:"note"`
	} `xml:"tuple"`
	Persons []struct {
		Activities struct {
			Any []struct {
				XMLName xml.Name
			} `xml:",any"`
		} `xml:"activities"`
		Notes []string `xml:"note"`
	} `xml:"person"`
	Notes []string `xml:"note"`
}

type refDialogInfo struct {
	XMLName xml.Name `xml:"dialog-info"`
	Entity  string   `xml:"entity,attr"`
	State   string   `xml:"state,attr"`
	Version string   `xml:"version,attr"`
	Dialogs []struct {
		ID        string `xml:"id,attr"`
		CallID    string `xml:"call-id,attr"`
		Direction string `xml:"direction,attr"`
		State     string `xml:"state"`
		Remote    struct {
			Identity struct {
				Display string `xml:"display,attr"`
				URI     string `xml:",chardata"`
			} `xml:"identity"`
			Target struct {
				URI string `xml:"uri,attr"`
			} `xml:"target"`
		} `xml:"remote"`
	} `xml:"dialog"`
}

func refDecode(body []byte, v any) error {
	if len(body) > MaxBody {
		return ErrTooLarge
	}
	if bytes.Contains(body, []byte("<!DOCTYPE")) || bytes.Contains(body, []byte("<!ENTITY")) {
		return errors.New("DOCTYPE")
	}
	dec := xml.NewDecoder(bytes.NewReader(body))
	dec.Strict = true
	return dec.Decode(v)
}

func refFirstNote(have string, notes []string) string {
	for _, n := range notes {
		if have == "" {
			have = strings.TrimSpace(n)
		}
	}
	return have
}

func refParsePIDF(body []byte) (Presence, error) {
	var d refPIDF
	if err := refDecode(body, &d); err != nil {
		return Presence{}, err
	}
	p := Presence{Entity: strings.TrimSpace(d.Entity)}
	for _, t := range d.Tuples {
		switch strings.ToLower(strings.TrimSpace(t.Basic)) {
		case "open":
			p.Open, p.HasStatus = true, true
		case "closed":
			p.HasStatus = true
		}
		p.Note = refFirstNote(p.Note, t.Notes)
	}
	for _, per := range d.Persons {
		for _, a := range per.Activities.Any {
			if n := strings.ToLower(a.XMLName.Local); n != "" && n != "note" {
				p.Activities = append(p.Activities, n)
			}
		}
		p.Note = refFirstNote(p.Note, per.Notes)
	}
	p.Note = refFirstNote(p.Note, d.Notes)
	return p, nil
}

func refParseDialogInfo(body []byte) (DialogInfo, error) {
	var d refDialogInfo
	if err := refDecode(body, &d); err != nil {
		return DialogInfo{}, err
	}
	info := DialogInfo{Entity: strings.TrimSpace(d.Entity), Full: strings.EqualFold(strings.TrimSpace(d.State), "full")}
	info.Version, _ = strconv.Atoi(strings.TrimSpace(d.Version))
	for _, dd := range d.Dialogs {
		remote := strings.TrimSpace(dd.Remote.Identity.URI)
		if remote == "" {
			remote = strings.TrimSpace(dd.Remote.Target.URI)
		}
		info.Dialogs = append(info.Dialogs, Dialog{
			ID: strings.TrimSpace(dd.ID), CallID: strings.TrimSpace(dd.CallID),
			Direction: strings.ToLower(strings.TrimSpace(dd.Direction)), State: strings.ToLower(strings.TrimSpace(dd.State)),
			Remote: remote, RemoteName: strings.TrimSpace(dd.Remote.Identity.Display),
		})
	}
	return info, nil
}

func refParseIsComposing(body []byte) (bool, error) {
	var d struct {
		State string `xml:"state"`
	}
	if err := refDecode(body, &d); err != nil {
		return false, err
	}
	return strings.EqualFold(strings.TrimSpace(d.State), "active"), nil
}

// treeSeeds are documents with the shapes the tree must read like the
// decoder: other prefixes, repeated and nested elements, CDATA, comments,
// text around child elements, attributes with prefixes.
var treeSeeds = []string{
	string(PIDF("sip:a@b", true, "away", "x & y")),
	string(DialogInfoXML("sip:a@b", 7, []Dialog{{ID: "1", CallID: "c", Direction: "initiator", State: "confirmed", Remote: "sip:c@d", RemoteName: "C"}})),
	string(IsComposing(true, 60)),
	`<p:presence xmlns:p="urn:ietf:params:xml:ns:pidf" p:entity=" sip:x@y "><p:tuple><p:status><p:basic>closed</p:basic></p:status><p:status><p:basic> OPEN </p:basic></p:status><note/><note> n1 </note></p:tuple><note>top</note></p:presence>`,
	`<presence><person><activities><away/><note>x</note></activities><activities><busy>t</busy></activities><note><b>in</b>out</note></person><tuple><status><basic>open</basic><basic></basic></status></tuple></presence>`,
	`<?xml version="1.0"?><!-- c --><dialog-info state="FULL" version=" 12 "><dialog id="a"><state>early</state><state>Confirmed</state><remote><identity display="D">sip:r@x<x/> tail</identity><target uri="sip:t@x"/></remote></dialog><dialog><remote><identity display="E"/><identity>sip:second@x</identity><target uri="sip:t2@x"/></remote></dialog></dialog-info>trailing junk <`,
	`<isComposing><state><![CDATA[active]]></state></isComposing>`,
	`<isComposing><x><state>active</state></x><state>idle</state><state>active</state></isComposing>`,
	`<dialog-info><dialog><remote><target uri="sip:only@x"/></remote></dialog></dialog-info>`,
}

func TestTreeMatchesDecoderOnSeeds(t *testing.T) {
	for _, s := range treeSeeds {
		requireSameAsDecoder(t, []byte(s))
	}
	p, err := ParsePIDF([]byte(treeSeeds[3]))
	require.NoError(t, err)
	assert.Equal(t, Presence{Entity: "sip:x@y", Open: true, HasStatus: true, Note: "n1"}, p)
	d, err := ParseDialogInfo([]byte(treeSeeds[5]))
	require.NoError(t, err)
	assert.Equal(t, DialogInfo{Full: true, Version: 12, Dialogs: []Dialog{
		{ID: "a", State: "confirmed", Remote: "sip:r@x tail", RemoteName: "D"},
		{Remote: "sip:second@x", RemoteName: "E"},
	}}, d)
}

func requireSameAsDecoder(t *testing.T, body []byte) {
	t.Helper()
	p, err := ParsePIDF(body)
	rp, rerr := refParsePIDF(body)
	require.Equal(t, rerr == nil, err == nil, "PIDF %q: decoder %v, tree %v", body, rerr, err)
	require.Equal(t, rp, p, "PIDF %q", body)
	d, err := ParseDialogInfo(body)
	rd, rerr := refParseDialogInfo(body)
	require.Equal(t, rerr == nil, err == nil, "dialog-info %q: decoder %v, tree %v", body, rerr, err)
	require.Equal(t, rd, d, "dialog-info %q", body)
	c, err := ParseIsComposing(body)
	rc, rerr := refParseIsComposing(body)
	require.Equal(t, rerr == nil, err == nil, "isComposing %q: decoder %v, tree %v", body, rerr, err)
	require.Equal(t, rc, c, "isComposing %q", body)
}

// FuzzTreeMatchesDecoder: on any body the tree parsers give what the
// encoding/xml decoder with the documents' struct tags gave, or both fail.
func FuzzTreeMatchesDecoder(f *testing.F) {
	for _, s := range treeSeeds {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		requireSameAsDecoder(t, body)
	})
}

package eventbody

import (
	"bytes"
	"encoding/xml"
	"errors"
	"io"
)

// element is one XML element of a parsed document: its local name, its
// attributes, its child elements and its own character data (not that of
// its children). Names match by local name whatever the namespace prefix,
// as the documents of different servers use different prefixes.
type element struct {
	name  string
	attrs []xml.Attr
	kids  []*element
	text  []byte
}

// attr is the value of the last attribute with this local name, and
// whether there is one.
func (e *element) attr(local string) (string, bool) {
	for i := len(e.attrs) - 1; i >= 0; i-- {
		if e.attrs[i].Name.Local == local {
			return e.attrs[i].Value, true
		}
	}
	return "", false
}

// children are the direct children with this local name, in order.
func (e *element) children(local string) []*element {
	var out []*element
	for _, k := range e.kids {
		if k.name == local {
			out = append(out, k)
		}
	}
	return out
}

// at are the elements at a path of local names under e, in document order
// ("remote", "identity": every <identity> in every <remote>).
func (e *element) at(path ...string) []*element {
	list := []*element{e}
	for _, name := range path {
		var next []*element
		for _, p := range list {
			next = append(next, p.children(name)...)
		}
		list = next
	}
	return list
}

// The documents' single-valued fields read like encoding/xml's decoder read
// them into a struct: repeated elements of one name merge, so the text is
// that of the last one, and an attribute that of the last one carrying it.

// lastText is the text of the last element of list, or "".
func lastText(list []*element) string {
	if len(list) == 0 {
		return ""
	}
	return string(list[len(list)-1].text)
}

// lastAttr is the attribute of the last element of list that has it, or "".
func lastAttr(list []*element, local string) string {
	for i := len(list) - 1; i >= 0; i-- {
		if v, ok := list[i].attr(local); ok {
			return v
		}
	}
	return ""
}

// parseDocument reads the root element of one XML document with the strict
// tokenizer of encoding/xml (matching end tags, well-formed names and
// entities). It refuses a DOCTYPE or ENTITY declaration (no entity tricks)
// and, when root is not "", a root element of another local name. What
// follows the root element is not read. The tree is built without
// recursion; its size is bounded by the body, which callers bound by
// MaxBody.
func parseDocument(body []byte, root string) (*element, error) {
	if bytes.Contains(body, []byte("<!DOCTYPE")) || bytes.Contains(body, []byte("<!ENTITY")) {
		return nil, errors.New("eventbody: DOCTYPE not allowed")
	}
	dec := xml.NewDecoder(bytes.NewReader(body))
	dec.Strict = true
	var stack []*element
	for {
		tok, err := dec.Token()
		if err == io.EOF {
			return nil, errors.New("eventbody: no root element")
		}
		if err != nil {
			return nil, err
		}
		switch t := tok.(type) {
		case xml.StartElement:
			e := &element{name: t.Name.Local, attrs: t.Attr}
			if len(stack) == 0 {
				if root != "" && e.name != root {
					return nil, errors.New("eventbody: expected <" + root + ">, have <" + e.name + ">")
				}
			} else {
				parent := stack[len(stack)-1]
				parent.kids = append(parent.kids, e)
			}
			stack = append(stack, e)
		case xml.EndElement:
			if len(stack) == 0 {
				return nil, errors.New("eventbody: unexpected end element")
			}
			done := stack[len(stack)-1]
			stack = stack[:len(stack)-1]
			if len(stack) == 0 {
				return done, nil
			}
		case xml.CharData:
			if len(stack) > 0 {
				top := stack[len(stack)-1]
				top.text = append(top.text, t...)
			}
		}
	}
}

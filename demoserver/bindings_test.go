package demoserver

import (
	"fmt"
	"testing"

	"github.com/emiago/sipgo/sip"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// Bindings come back newest first, however quickly they were updated, and
// a refresh makes a binding the newest again.
func TestBindingsAreOrderedByLastUpdate(t *testing.T) {
	b := newBindings()
	contact := func(host string) *sip.ContactHeader {
		return &sip.ContactHeader{Address: sip.Uri{Scheme: "sip", User: "1002", Host: host}}
	}
	for i := 0; i < 50; i++ {
		b.set("1002", contact(fmt.Sprintf("h%d.invalid", i)), flow{Transport: "WS", Addr: "127.0.0.1:1"}, 300)
	}
	bds := b.active("1002")
	require.Len(t, bds, 50)
	for i, bd := range bds {
		assert.Equal(t, fmt.Sprintf("h%d.invalid", 49-i), bd.contact.Address.Host, "position %d", i)
	}
	b.set("1002", contact("h7.invalid"), flow{Transport: "WS", Addr: "127.0.0.1:1"}, 300)
	assert.Equal(t, "h7.invalid", b.active("1002")[0].contact.Address.Host, "a refresh makes it the newest")
}

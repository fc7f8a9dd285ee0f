package gophone

import (
	"context"
	"errors"
	"net"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/opensoftphone/webphone/mediacore"
	"github.com/opensoftphone/webphone/sipcore"
	"github.com/opensoftphone/webphone/tests/infra"
)

// startPhone registers a Go phone to Kamailio over UDP, sending tone Hz
// and offering/accepting only codecs.
func startPhone(t *testing.T, k *infra.Kamailio, user, password string, tone float64, codecs []mediacore.Codec) *Phone {
	t.Helper()
	cfg := sipcore.NewConfig()
	cfg.Address = "udp:" + k.UDPAddr
	cfg.Domain = k.Domain
	cfg.Username = user
	cfg.Password = password
	p := New(Config{
		SIP:    cfg,
		Codecs: codecs,
		Source: func() mediacore.PCMSource { return mediacore.NewTone(mediacore.SineTone(tone, 0.3)) },
	})
	t.Cleanup(p.Stop)
	ctx, cancel := context.WithTimeout(context.Background(), wait)
	defer cancel()
	require.NoError(t, p.Start(ctx), "%s did not register", user)
	return p
}

// TestGoPhonesRefuseUnacceptableOffers: two Go phones through Kamailio. An
// INVITE whose offer has no common codec is rejected with 488 (Answer maps
// mediacore.IsNotAcceptable); a call on the common codec carries both
// tones; a re-offer without a common codec gets 488 through Events.Offer
// and leaves the call and its media as they were.
func TestGoPhonesRefuseUnacceptableOffers(t *testing.T) {
	creds := map[string]string{"ann": "ann-pw-1", "ulaw": "ulaw-pw-2", "alaw": "alaw-pw-3"}
	k := infra.StartKamailio(t, infra.KamailioOptions{Users: creds})
	ann := startPhone(t, k, "ann", creds["ann"], 700, nil) // PCMU and PCMA
	ulaw := startPhone(t, k, "ulaw", creds["ulaw"], 900, []mediacore.Codec{mediacore.PCMU})
	alaw := startPhone(t, k, "alaw", creds["alaw"], 1300, []mediacore.Codec{mediacore.PCMA})

	// PCMU-only offer to a PCMA-only phone: 488.
	out, err := ulaw.Call(alaw.AOR(k.UDPAddr))
	require.NoError(t, err)
	in, err := alaw.WaitIncoming(wait)
	require.NoError(t, err)
	err = in.Answer()
	require.Error(t, err)
	require.True(t, mediacore.IsNotAcceptable(err), "Answer error %v", err)
	st, err := out.WaitState(sipcore.CallDisconnected, wait)
	require.NoError(t, err)
	require.Contains(t, st, "488")
	require.False(t, out.Session().Running())

	// ann offers both and the PCMA phone answers PCMA: tones cross.
	out, err = ann.Call(alaw.AOR(k.UDPAddr))
	require.NoError(t, err)
	in, err = alaw.WaitIncoming(wait)
	require.NoError(t, err)
	require.NoError(t, in.Answer())
	_, err = out.WaitState(sipcore.CallConnected, wait)
	require.NoError(t, err)
	require.NoError(t, out.MediaError())
	require.Equal(t, "PCMA", out.Session().Stats().Codec)
	require.Equal(t, "PCMA", in.Session().Stats().Codec)
	require.True(t, out.Heard.WaitTone(1300, 0, toneWindows, wait), "ann did not hear 1300 Hz")
	require.True(t, in.Heard.WaitTone(700, 0, toneWindows, wait), "the PCMA phone did not hear 700 Hz")

	// A PCMU-only re-offer: the PCMA phone's Events.Offer refuses it, 488.
	port := out.Session().LocalAddr().(*net.UDPAddr).Port
	bad, err := mediacore.BuildOffer(mediacore.SDPConfig{Address: "127.0.0.1", Port: port,
		Codecs: []mediacore.Codec{mediacore.PCMU}, SessionVersion: 99})
	require.NoError(t, err)
	_, err = out.Call().Renegotiate(bad)
	var failed *sipcore.ErrRequestFailed
	require.True(t, errors.As(err, &failed), "re-INVITE result %v", err)
	require.Equal(t, 488, failed.Code)
	require.Empty(t, in.Offers(), "a refused re-offer is not recorded as answered")
	// The call and its media go on.
	require.Equal(t, sipcore.CallConnected, in.Call().State())
	require.Equal(t, "PCMA", in.Session().Stats().Codec)
	require.True(t, in.Heard.WaitTone(700, in.Heard.Windows(), toneWindows, wait), "media stopped after the 488")

	require.NoError(t, out.Hangup())
	_, err = in.WaitState(sipcore.CallDisconnected, wait)
	require.NoError(t, err)
	require.False(t, in.Session().Running())
}

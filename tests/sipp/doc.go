// Package sipp tests call supervision and the SIP a real PBX sends: a
// native engine (sipcore over UDP, fake media) talks to sipp (Debian's
// sip-tester), which plays the far end from the XML scenarios in testdata.
// As the called party: 422 then success (uas_422_then_200), a refused hold
// then 491 glare then success (uas_488_491_hold), a reliable 183 with early
// media and PRACK (uas_183_100rel_early_media), a far-end re-INVITE
// (uas_far_end_reinvite), a call without media (uas_no_media), 503 then the
// redial (uas_503_then_200), ringing without answer (uas_ring_no_answer). As
// the caller: session timers with 422 and an UPDATE refresh
// (uac_session_timer), a call that requires 100rel (uac_100rel_required). sipp checks the headers it requires with check_it
// regular expressions; its exit status is the verdict.
package sipp

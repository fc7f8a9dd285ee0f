// Package infra starts and stops real servers (Kamailio, rtpengine, baresip)
// for end-to-end tests, and offers WAV helpers to check the audio they carry.
//
// Every server runs on 127.0.0.1 with ports chosen at run time, in its own
// t.TempDir(), in its own process group, and is stopped by the test that
// started it (t.Cleanup kills the group by process id). A missing binary
// fails the test with t.Fatal.
package infra

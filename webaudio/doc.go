// Package webaudio will be the AudioWorklet PCM bridge between the browser's
// audio graph and mediacore, for calls whose media Go handles itself (RTP
// over a non-WebRTC path, local mixing, recording, in-band tones and VAD),
// instead of an RTCPeerConnection.
//
// Status: interface sketch only. Nothing here captures or plays audio yet;
// calls use jsbridge.PeerMedia (RTCPeerConnection) today.
//
// The intended shape (see docs/architecture.md and
// shared/reference/go-wasm-notes.md, "Audio (AudioWorklet)"):
//
//   - An AudioWorkletProcessor (a small JavaScript module in www/) runs on the
//     audio thread in 128-frame render quanta at the context rate (44.1 or
//     48 kHz). It cannot host the Go runtime.
//   - Go runs on the main thread (or in a Worker) and exchanges 16-bit PCM
//     with the worklet: through ring buffers in a SharedArrayBuffer when the
//     page is cross-origin isolated (COOP same-origin + COEP require-corp),
//     else through a MessagePort with small batches.
//   - Resampling between the context rate and 8 kHz (G.711) or 16 kHz
//     happens in Go (mediacore), never per sample across the JS boundary:
//     frames cross as whole Int16Array/Uint8Array copies.
//
// The interfaces below fix the contract between this package, jsbridge and
// mediacore so the pieces can be built independently.
package webaudio

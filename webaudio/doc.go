// Package webaudio is the AudioWorklet PCM bridge between the browser's
// audio graph and mediacore, for calls whose media Go handles itself (the
// PCM engine: RTP over the WebSocket relay, see docs/pcm-engine.md).
//
//   - An AudioWorkletProcessor (www/webphone_pcm_worklet.js) runs on the
//     audio thread in 128-sample render quanta at the context rate (44.1 or
//     48 kHz). It only moves samples: the microphone into a capture ring,
//     a playback ring to the speaker.
//   - Go runs on the main thread and exchanges whole frames with it: through
//     two rings in a SharedArrayBuffer when the page is cross-origin
//     isolated (crossOriginIsolated), else through the node's MessagePort,
//     one frame per message each way (bridge_js.go).
//   - Bridge (pure Go) resamples between the context rate and the codec
//     rate (8 kHz for G.711) with Resampler and bounds the latency each
//     direction may build up; Media runs a mediacore.Session over the
//     relay's packet connections with a Bridge as its source and sink.
//
// Only this package and jsbridge touch JavaScript; the pure parts (Ring,
// Resampler, Bridge, Media, ToneMeter) build and are tested natively.
package webaudio

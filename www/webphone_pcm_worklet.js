/*
 * webphone_pcm_worklet.js: the AudioWorklet module of the PCM engine
 * (docs/pcm-engine.md). Loaded by the wasm (package webaudio) with
 * audioWorklet.addModule; not included by pages.
 *
 * The processor "webphone-pcm" only moves samples: each 128-sample render
 * quantum of the microphone (input 0, first channel) goes into the capture
 * ring as 16-bit PCM, and the playback ring fills the output (silence when
 * it runs dry). Go (on the main thread) reads and writes whole frames and
 * does everything else: resampling to 8 kHz, codecs, RTP.
 *
 * Ring protocol (webaudio/ring.go): capacity is a power of two; two
 * free-running uint32 counters, write (advanced by the producer) and read
 * (advanced by the consumer); the sample of counter c is at c % capacity.
 *
 * processorOptions.mode:
 *   "sab":  the page is cross-origin isolated; options.capture and
 *           options.playback are {hdr: SharedArrayBuffer(8), data:
 *           SharedArrayBuffer(2 * capacity)}, counters read and written with
 *           Atomics. No messages at all.
 *   "port": the node's MessagePort: the processor posts
 *           {c: ArrayBuffer of batch int16 samples, q: playback queued,
 *           u: underruns so far} every options.batch samples; Go posts
 *           ArrayBuffers of int16 samples to play, kept in a local ring.
 *           The string "close" ends the processor.
 */
'use strict';

class PCMRing {
  constructor(hdr, data) {
    this.hdr = hdr; // Int32Array(2): [write, read]
    this.data = data; // Int16Array(capacity)
    this.mask = data.length - 1;
    this.shared = typeof SharedArrayBuffer !== 'undefined' && hdr.buffer instanceof SharedArrayBuffer;
  }
  load(i) {
    return (this.shared ? Atomics.load(this.hdr, i) : this.hdr[i]) >>> 0;
  }
  store(i, v) {
    if (this.shared) Atomics.store(this.hdr, i, v | 0);
    else this.hdr[i] = v | 0;
  }
  queued() {
    return (this.load(0) - this.load(1)) >>> 0;
  }
  // push writes float samples as int16; what does not fit is dropped
  // (the consumer is late; it bounds its own latency).
  pushFloat(src) {
    const w = this.load(0);
    const free = this.data.length - ((w - this.load(1)) >>> 0);
    const n = Math.min(src.length, free);
    for (let i = 0; i < n; i++) {
      let v = src[i] * 32768;
      v = v > 32767 ? 32767 : v < -32768 ? -32768 : v;
      this.data[(w + i) & this.mask] = v;
    }
    this.store(0, w + n);
    return src.length - n;
  }
  // pushInt16 writes int16 samples (the MessagePort playback queue),
  // dropping the oldest when full.
  pushInt16(src) {
    let w = this.load(0);
    let r = this.load(1);
    const over = ((w - r) >>> 0) + src.length - this.data.length;
    if (over > 0) this.store(1, r + over);
    for (let i = 0; i < src.length; i++) this.data[(w + i) & this.mask] = src[i];
    this.store(0, w + src.length);
  }
  // popFloat fills dst (zeros past what is queued) and returns how many
  // samples were real.
  popFloat(dst) {
    const r = this.load(1);
    const n = Math.min(dst.length, (this.load(0) - r) >>> 0);
    for (let i = 0; i < n; i++) dst[i] = this.data[(r + i) & this.mask] / 32768;
    dst.fill(0, n);
    this.store(1, r + n);
    return n;
  }
}

function localRing(capacity) {
  return new PCMRing(new Int32Array(2), new Int16Array(capacity));
}

function sharedRing(r) {
  return new PCMRing(new Int32Array(r.hdr), new Int16Array(r.data));
}

class WebphonePCMProcessor extends AudioWorkletProcessor {
  constructor(options) {
    super();
    const o = (options && options.processorOptions) || {};
    this.mode = o.mode === 'sab' ? 'sab' : 'port';
    this.open = true;
    this.underruns = 0;
    if (this.mode === 'sab') {
      this.capture = sharedRing(o.capture);
      this.playback = sharedRing(o.playback);
    } else {
      this.batchSize = Math.max(128, o.batch | 0);
      this.batch = new Int16Array(this.batchSize);
      this.batchLen = 0;
      this.playback = localRing(o.capacity > 0 ? o.capacity : 16384);
    }
    this.port.onmessage = (ev) => {
      if (ev.data === 'close') {
        this.open = false;
        this.port.onmessage = null;
        return;
      }
      if (this.mode === 'port' && ev.data instanceof ArrayBuffer) this.playback.pushInt16(new Int16Array(ev.data));
    };
  }

  captureQuantum(ch) {
    if (this.mode === 'sab') {
      this.capture.pushFloat(ch);
      return;
    }
    for (let i = 0; i < ch.length; i++) {
      let v = ch[i] * 32768;
      v = v > 32767 ? 32767 : v < -32768 ? -32768 : v;
      this.batch[this.batchLen++] = v;
      if (this.batchLen === this.batchSize) {
        const buf = this.batch.buffer;
        this.port.postMessage({ c: buf, q: this.playback.queued(), u: this.underruns }, [buf]);
        this.batch = new Int16Array(this.batchSize);
        this.batchLen = 0;
      }
    }
  }

  process(inputs, outputs) {
    if (!this.open) return false;
    const out = outputs[0];
    const quantum = out && out[0] ? out[0].length : 128;
    const input = inputs[0] && inputs[0][0];
    // no microphone connected (or muted by the browser): capture silence,
    // so that Go's frames keep their pace
    this.captureQuantum(input || (this.silence || (this.silence = new Float32Array(quantum))));
    if (out && out[0]) {
      if (this.playback.popFloat(out[0]) < out[0].length) this.underruns++;
      for (let c = 1; c < out.length; c++) out[c].set(out[0]);
    }
    return true;
  }
}

try {
  registerProcessor('webphone-pcm', WebphonePCMProcessor);
} catch (e) {
  // already registered in this context (the module was added twice)
}

/*
 * phone_recorder.js: the test side of phone.html. It records every
 * webphone_api callback into window.T.events (log lines into T.logs) and
 * measures the received audio with a WebAudio AnalyserNode, for the Go tests
 * in tests/browser to read with chromedp.
 */
(function () {
  'use strict';

  var T = (window.T = { events: [], logs: [] });
  var MAX_LOGS = 4000;

  // plain turns a callback argument into something JSON can carry.
  function plain(v) {
    if (v === undefined || v === null) return null;
    if (typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean') return v;
    try {
      return String(v);
    } catch (e) {
      return null;
    }
  }

  function recorder(name) {
    return function () {
      var args = [];
      for (var i = 0; i < arguments.length; i++) args.push(plain(arguments[i]));
      if (name === 'onEvent' && args[0] === 'log') {
        T.logs.push(args[1]);
        if (T.logs.length > MAX_LOGS) T.logs.shift();
        return;
      }
      T.events.push({ cb: name, args: args, at: Date.now() });
    };
  }

  ['onAppStateChange', 'onRegStateChange', 'onCallStateChange', 'onCdr', 'onDTMF', 'onEvent', 'onChat',
    'onPresenceStateChange', 'onBLFStateChange', 'onSMS'].forEach(
    function (name) {
      webphone_api[name](recorder(name));
    }
  );

  // ---- received audio ------------------------------------------------------
  var audio = { ctx: null, track: null, source: null, analyser: null };

  // remoteTrack finds the received audio track of a line: first through the
  // documented getrtcpeerconnection(line), else the <audio> element the
  // engine plays it with.
  function remoteTrack(line) {
    // a name instead of a line: the engine's own output of that name
    // (ring: the ringtone; tones: ringback, call waiting, key tones)
    if (typeof line === 'string' && isNaN(Number(line))) {
      var out = document.querySelector('audio[data-webphone-output="' + line + '"]');
      var os = out && out.srcObject;
      if (os && os.getAudioTracks && os.getAudioTracks().length) return { track: os.getAudioTracks()[0], from: line + ' output' };
      return null;
    }
    var pc = null;
    try {
      pc = webphone_api.getrtcpeerconnection(line);
    } catch (e) {
      pc = null;
    }
    if (pc && typeof pc.getReceivers === 'function') {
      var rs = pc.getReceivers();
      for (var i = 0; i < rs.length; i++) {
        if (rs[i].track && rs[i].track.kind === 'audio') return { track: rs[i].track, from: 'getrtcpeerconnection' };
      }
    }
    var els = document.getElementsByTagName('audio');
    for (var j = 0; j < els.length; j++) {
      if (els[j].hasAttribute('data-webphone-output')) continue; // the engine's tones, not a call
      var s = els[j].srcObject;
      if (s && s.getAudioTracks && s.getAudioTracks().length) return { track: s.getAudioTracks()[0], from: 'audio element' };
    }
    return null;
  }

  function analyserFor(track) {
    if (!audio.ctx) audio.ctx = new AudioContext();
    if (audio.track !== track) {
      if (audio.source) audio.source.disconnect();
      audio.source = audio.ctx.createMediaStreamSource(new MediaStream([track]));
      audio.analyser = audio.ctx.createAnalyser();
      audio.analyser.fftSize = 8192;
      audio.analyser.smoothingTimeConstant = 0;
      audio.source.connect(audio.analyser);
      audio.track = track;
    }
    return audio.analyser;
  }

  function db(power) {
    return power > 0 ? 10 * Math.log10(power) : -200;
  }

  // T.measure(line, ms, freqs) averages the received spectrum over ms and
  // resolves to {ok, dominantHz, peakDb, levels: {freq: dB}, ...}; the
  // dominant frequency is searched between 100 and 4000 Hz.
  T.measure = function (line, ms, freqs) {
    return new Promise(function (resolve) {
      var rt = remoteTrack(line);
      if (!rt) {
        resolve({ ok: false, error: 'no remote audio track on line ' + line });
        return;
      }
      var an = analyserFor(rt.track);
      if (audio.ctx.state !== 'running') audio.ctx.resume();
      var n = an.frequencyBinCount;
      var bins = new Float32Array(n);
      var sum = new Float64Array(n);
      var frames = 0;
      var timer = setInterval(function () {
        an.getFloatFrequencyData(bins);
        for (var i = 0; i < n; i++) sum[i] += isFinite(bins[i]) ? Math.pow(10, bins[i] / 10) : 0;
        frames++;
      }, 50);
      setTimeout(function () {
        clearInterval(timer);
        var binHz = audio.ctx.sampleRate / an.fftSize;
        var best = -1;
        var bestPow = 0;
        for (var i = Math.ceil(100 / binHz); i <= Math.floor(4000 / binHz) && i < n; i++) {
          if (sum[i] > bestPow) {
            bestPow = sum[i];
            best = i;
          }
        }
        var levels = {};
        (freqs || []).forEach(function (f) {
          // the strongest of the 3 bins around f (window leakage)
          var k = Math.round(f / binHz);
          var p = 0;
          for (var j = k - 1; j <= k + 1; j++) if (j >= 0 && j < n && sum[j] > p) p = sum[j];
          levels[String(f)] = db(frames ? p / frames : 0);
        });
        resolve({
          ok: true,
          from: rt.from,
          trackMuted: rt.track.muted,
          trackState: rt.track.readyState,
          ctxState: audio.ctx.state,
          frames: frames,
          binHz: binHz,
          dominantHz: best < 0 ? 0 : best * binHz,
          peakDb: db(frames ? bestPow / frames : 0),
          levels: levels
        });
      }, ms);
    });
  };

  // T.watch(output, freqs) keeps watching an engine output (20 ms frames)
  // for short beeps that a T.measure started later would miss; T.watched()
  // returns {attached, max: {freq: peak dB}, beeps: {freq: times it rose
  // above -55 dB after being below -75 dB}}.
  T.watch = function (line, freqs) {
    var w = { attached: false, max: {}, beeps: {}, on: {} };
    freqs.forEach(function (f) {
      w.max[f] = -200;
      w.beeps[f] = 0;
      w.on[f] = false;
    });
    if (T._watchTimer) clearInterval(T._watchTimer);
    T._watch = w;
    var an = null;
    var bins = null;
    T._watchTimer = setInterval(function () {
      if (!an) {
        var rt = remoteTrack(line);
        if (!rt) return;
        if (!audio.ctx) audio.ctx = new AudioContext();
        an = audio.ctx.createAnalyser();
        an.fftSize = 2048;
        an.smoothingTimeConstant = 0;
        audio.ctx.createMediaStreamSource(new MediaStream([rt.track])).connect(an);
        bins = new Float32Array(an.frequencyBinCount);
        w.attached = true;
      }
      if (audio.ctx.state !== 'running') audio.ctx.resume();
      an.getFloatFrequencyData(bins);
      var binHz = audio.ctx.sampleRate / an.fftSize;
      freqs.forEach(function (f) {
        var k = Math.round(f / binHz);
        var p = -200;
        for (var j = k - 1; j <= k + 1; j++) if (j >= 0 && j < bins.length && isFinite(bins[j]) && bins[j] > p) p = bins[j];
        if (p > w.max[f]) w.max[f] = p;
        if (p > -55 && !w.on[f]) {
          w.on[f] = true;
          w.beeps[f]++;
        } else if (p < -75) {
          w.on[f] = false;
        }
      });
    }, 20);
    return true;
  };
  T.watched = function () {
    return T._watch || { attached: false };
  };

  // T.decode8k(base64) decodes an audio file (a recording the engine
  // uploaded) with the browser's decoders and resolves to its samples at
  // 8 kHz, mono, as 16-bit integers.
  T.decode8k = function (b64) {
    var bin = atob(b64);
    var bytes = new Uint8Array(bin.length);
    for (var i = 0; i < bin.length; i++) bytes[i] = bin.charCodeAt(i);
    var ctx = new OfflineAudioContext(1, 8000, 8000);
    return ctx.decodeAudioData(bytes.buffer).then(function (buf) {
      var out = [];
      var n = buf.length;
      var chans = [];
      for (var c = 0; c < buf.numberOfChannels; c++) chans.push(buf.getChannelData(c));
      for (var j = 0; j < n; j++) {
        var v = 0;
        for (var k = 0; k < chans.length; k++) v += chans[k][j];
        v /= chans.length || 1;
        out.push(Math.max(-32768, Math.min(32767, Math.round(v * 32767))));
      }
      return out;
    });
  };

  // T.sdp(line) returns the current local and remote SDP of a line.
  T.sdp = function (line) {
    var pc = webphone_api.getrtcpeerconnection(line);
    if (!pc) return { local: '', remote: '' };
    var l = pc.currentLocalDescription || pc.localDescription;
    var r = pc.currentRemoteDescription || pc.remoteDescription;
    return { local: l ? l.sdp : '', remote: r ? r.sdp : '' };
  };
})();
